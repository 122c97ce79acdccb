import JSONValue

/// Evaluates a processed expression tree, following the reference implementation's semantics.
///
/// One evaluator serves one `evaluate` call: it holds the depth counter, the deadline and the
/// timestamp that `$now()` and `$millis()` report.
final class Evaluator {
    @exclusivity(unchecked) var depth = 0
    let maxDepth: Int
    /// The time budget; the clock is first read at the first periodic check (a few microseconds in).
    let timeLimit: Duration?
    @exclusivity(unchecked) var deadline: ContinuousClock.Instant?
    @exclusivity(unchecked) var tick = 0
    /// The evaluation's fixed "now", read on first use by `$now()` / `$millis()`.
    lazy var timestampMillis: Double = JSONataExpression.nowMillis()
    /// The lowest native stack address this evaluation may reach (see `StackBounds`).
    let stackLimit: UInt
    /// The result size limit (`EvaluationLimits.maxResultSize`), also applied to the strings and arrays built on the way.
    let maxSize: Int?

    init(limits: EvaluationLimits) {
        maxDepth = limits.maxDepth
        timeLimit = limits.timeLimit
        stackLimit = StackBounds.lowLimit()
        maxSize = limits.maxResultSize
    }

    // MARK: - Size of built values

    /// A string or array built during evaluation is held to the result size limit where it is built (concatenation,
    /// `$join`, `$pad`, `$replace`, `$string`, appending to arrays), with the size its JSON text would have at least,
    /// so that an expression doubling a value (`$reduce([1..40], function($a, $i){ $a & $a }, "x")`) throws `U1002`
    /// when it passes the limit instead of allocating gigabytes before the time limit trips.
    static func tooLarge(_ limit: Int) -> JSONataError {
        JSONataError(
            code: "U1002", message: "A value built during evaluation is too large: its JSON text would exceed the limit of \(limit) bytes")
    }

    /// Checks a string of `bytes` UTF-8 bytes about to be built (its JSON text has two quotes more).
    @inline(__always)
    func checkStringSize(_ bytes: Int) throws(JSONataError) {
        if let maxSize, bytes &+ 2 > maxSize { throw Evaluator.tooLarge(maxSize) }
    }

    /// Checks an array of `count` items about to be built: its JSON text has at least a character per item, a comma
    /// between items and two brackets.
    @inline(__always)
    func checkArraySize(_ count: Int) throws(JSONataError) {
        if let maxSize, count &* 2 &+ 1 > maxSize { throw Evaluator.tooLarge(maxSize) }
    }

    /// Checks a JSON text of at least `bytes` bytes being built (`$string` of an array or object).
    @inline(__always)
    func checkTextSize(_ bytes: Int) throws(JSONataError) {
        if let maxSize, bytes > maxSize { throw Evaluator.tooLarge(maxSize) }
    }

    @inline(never)
    func checkTime(_ limit: Duration) throws(JSONataError) {
        let now = ContinuousClock.now
        guard let deadline else {
            deadline = now.advanced(by: limit)
            return
        }
        if now > deadline {
            throw JSONataError(code: "U1001", message: "Expression evaluation timeout: Check for infinite loop")
        }
    }

    /// The time limit's check point for loops inside built-in functions: counts one step of work and
    /// reads the clock every 1024 steps, as `evaluate` does, so a built-in looping over a large input
    /// throws the same `U1001` timeout instead of running past the limit.
    @inline(__always)
    func poll() throws(JSONataError) {
        tick &+= 1
        if tick & 1023 == 0, let timeLimit { try checkTime(timeLimit) }
    }

    /// The deepest nesting a constructed value may reach (input documents are bounded by the parser).
    static let maxNesting = 1000

    static func tooDeep() -> JSONataError {
        JSONataError(code: "U1001", message: "Stack overflow error: the constructed value nests more than \(maxNesting) levels deep")
    }

    /// Rejects a library function's result that nests too deeply (see `maxNesting`).
    @inline(__always)
    static func checkNesting(_ result: Value?) throws(JSONataError) -> Value? {
        switch result {
        case .array(let a, _)? where !a.isEmpty:
            if result!.nesting > maxNesting { throw tooDeep() }
        case .object(let o)?:
            if o.depth > maxNesting { throw tooDeep() }
        default: break
        }
        return result
    }

    static func stackOverflow() -> JSONataError {
        JSONataError(
            code: "U1001", message: "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.")
    }

    @inline(never)
    func checkLimits() throws(JSONataError) {
        if depth > maxDepth { throw Evaluator.stackOverflow() }
        if StackBounds.current() < stackLimit { throw Evaluator.stackOverflow() }
    }

    // MARK: - Dispatch

    func evaluate(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        // An undefined array item (a regex group that did not match) is undefined as the context, as in JavaScript.
        if case .undefined? = input { return try evaluate(expr, nil, env) }
        depth += 1
        defer { depth -= 1 }
        if depth > maxDepth || depth & 7 == 0 { try checkLimits() }
        tick &+= 1
        if tick & 1023 == 0, let timeLimit { try checkTime(timeLimit) }
        var result: Value?
        switch expr.kind {
        case .path: result = try evaluatePath(expr, input, env)
        case .binary: result = try evaluateBinary(expr, input, env)
        case .unary: result = try evaluateUnary(expr, input, env)
        case .name: result = try Evaluator.lookupField(input, expr.text, self)
        case .string, .number, .value: result = Evaluator.literal(expr.literal)
        case .wildcard: result = try evaluateWildcard(input)
        case .descendant: result = try evaluateDescendants(input)
        case .parent: result = env.lookup(expr.slot!.label)
        case .condition: result = try evaluateCondition(expr, input, env)
        case .block: result = try evaluateBlock(expr, input, env)
        case .bind:
            let value = try evaluate(expr.rhs!, input, env)
            env.bind(expr.lhs!.text, value)
            result = value
        case .regex: result = .function(FunctionRef(.regex(expr.regex!)))
        case .function: result = try evaluateFunction(expr, input, env, applyTo: nil)
        case .variable: result = evaluateVariable(expr, input, env)
        case .lambda:
            result = .function(
                FunctionRef(
                    .lambda(
                        Lambda(
                            params: expr.arguments.map(\.text), signature: expr.signature, body: expr.body!, env: env, input: input,
                            isThunk: expr.isThunk))))
        case .partial: result = try evaluatePartial(expr, input, env)
        case .apply: result = try evaluateApply(expr, input, env)
        case .transform: result = .function(FunctionRef(.transform(expr, env)))
        case .sort:
            result = try evaluateSort(expr, input.map { Evaluator.asSequenceItems($0) } ?? [], env)
        case .op, .end, .filterStage:
            throw JSONataError(code: "S0201", message: "Syntax error: \"\(expr.text)\"", position: expr.position, token: expr.text)
        }
        if expr.hasPostSteps {
            for stage in expr.predicates {
                result = try evaluateFilter(stage.expr!, result, env)
            }
            if expr.kind != .path, let group = expr.group {
                result = try evaluateGroup(group.pairs, position: group.position, result, env)
            }
        }
        switch result {
        case .array(_, let sequenceFlags)? where sequenceFlags.contains(.sequence):
            return Evaluator.normalizeSequence(result!, keepArray: expr.keepArray)
        case .undefined?:
            // A variable bound to an undefined array item, or a function returning one ($single).
            return nil
        default:
            return result
        }
    }

    /// A sequence result as the reference returns it: undefined when empty, its item when it has
    /// one (unless kept as an array), itself otherwise.
    static func normalizeSequence(_ sequence: Value, keepArray: Bool) -> Value? {
        guard case .array(let items, var flags) = sequence else { return sequence }
        if keepArray { flags.insert(.keepSingleton) }
        if items.isEmpty { return nil }
        if items.count == 1 { return flags.contains(.keepSingleton) ? .array(items, flags) : items[0].defined }
        return keepArray ? .array(items, flags) : sequence
    }

    /// Arrays and tuple streams, which object constructors group over.
    static func isCollection(_ v: Value?) -> Bool {
        switch v {
        case .array?, .tuples?: true
        default: false
        }
    }

    static func literal(_ l: LiteralValue) -> Value {
        switch l {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        }
    }

    /// The items of a value seen as a sequence (arrays as themselves, others as one item).
    static func asSequenceItems(_ v: Value) -> [Value] {
        if case .array(let a, _) = v { return a }
        return [v]
    }

    // MARK: - Paths

    /// Field lookup, mapping over arrays and flattening (the reference's `lookup`); with an evaluator, the flattened
    /// array is held to the size limit.
    static func lookupField(_ input: Value?, _ key: String, _ ev: Evaluator?) throws(JSONataError) -> Value? {
        guard let input else { return nil }
        switch input {
        case .object(let o): return o[key]
        case .array(let items, _):
            var out: [Value] = []
            for item in items {
                guard let r = try lookupField(item, key, ev) else { continue }
                if case .array(let inner, _) = r {
                    try ev?.checkArraySize(out.count + inner.count)
                    out.append(contentsOf: inner)
                } else {
                    out.append(r)
                }
            }
            return .array(out, .sequence)
        default: return nil
        }
    }

    /// Follows `names` through nested JSON objects; `nil` when an intermediate value is not an object
    /// (the general path algorithm then applies), `.some(nil)` when a member is missing.
    static func walk(_ source: JSONObject, _ names: [String]) -> Value?? {
        var object = source
        let last = names.count - 1
        var i = 0
        while true {
            guard let v = object.exactMember(names[i]) else { return .some(nil) }
            if i == last { return .some(Value(v)) }
            guard case .object(let next) = v else { return nil }
            object = next
            i += 1
        }
    }

    /// Follows up to `limit` leading plain steps while each leads to an object: the last object
    /// reached and how many steps led there, or nil when the first step does not lead to an object.
    static func walkObjects(_ source: JSONObject, _ steps: [Node], _ limit: Int) -> (JSONObject, Int)? {
        var object = source
        var i = 0
        while i < limit, case .object(let next)? = object.exactMember(steps[i].text) {
            object = next
            i += 1
        }
        return i == 0 ? nil : (object, i)
    }

    @inline(never)
    func evaluatePath(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        if let names = expr.simpleNames, case .object(var o)? = input {
            if let source = o.unchangedSource {
                // An untouched input object: walk its JSON, converting only the value found.
                if let found = Evaluator.walk(source, names) { return found }
            } else {
                let last = names.count - 1
                var i = 0
                while true {
                    guard let v = o[names[i]] else { return nil }
                    if i == last { return v }
                    guard case .object(let next) = v else { break }
                    o = next
                    i += 1
                }
            }
        }
        var inputSequence: Value
        var firstStep = 0
        if expr.plainStepPrefix > 0, case .object(let o)? = input, let source = o.unchangedSource,
            let (object, consumed) = Evaluator.walkObjects(source, expr.steps, expr.plainStepPrefix)
        {
            // Leading plain steps that each led to an object: start the general loop after them,
            // in the state it would have reached (a sequence of that one object).
            inputSequence = .array([.object(ObjectRef(lazy: object))], .sequence)
            firstStep = consumed
        } else if case .array? = input, expr.steps[0].kind != .variable {
            inputSequence = input!
        } else {
            inputSequence = .array(input.map { [$0] } ?? [], .sequence)
        }
        var resultSequence: Value? = nil
        var undefinedItem = input == nil
        var isTupleStream = false
        var tupleBindings: [Tuple]? = nil
        let count = expr.steps.count
        for ii in firstStep..<count {
            let step = expr.steps[ii]
            if step.tuple { isTupleStream = true }
            if ii == 0 && step.consArray {
                resultSequence = try evaluate(step, inputSequence, env)
            } else if isTupleStream {
                tupleBindings = try evaluateTupleStep(step, inputSequence, tupleBindings, env, undefinedItem: undefinedItem)
            } else {
                resultSequence = try evaluateStep(step, inputSequence, env, lastStep: ii == count - 1, undefinedItem: undefinedItem)
            }
            undefinedItem = false
            if !isTupleStream {
                guard let r = resultSequence else { break }
                if case .array(let a, _) = r, a.isEmpty { break }
            }
            if step.focus == nil, let r = resultSequence {
                inputSequence = r
            }
        }
        if isTupleStream {
            if expr.tuple {
                resultSequence = .tuples(tupleBindings ?? [])
            } else {
                resultSequence = .array((tupleBindings ?? []).compactMap { $0.context }, .sequence)
            }
        }
        if expr.keepSingletonArray, let r = resultSequence {
            if case .array(let a, var f) = r {
                if f.contains(.cons) && !f.contains(.sequence) {
                    resultSequence = .array([r], [.sequence, .keepSingleton])
                } else {
                    f.insert(.keepSingleton)
                    resultSequence = .array(a, f)
                }
            }
        }
        if let group = expr.group {
            resultSequence = try evaluateGroup(
                group.pairs, position: group.position, isTupleStream ? .tuples(tupleBindings ?? []) : resultSequence, env)
        }
        return resultSequence
    }

    @inline(never)
    func evaluateStep(_ expr: Node, _ input: Value, _ env: Frame, lastStep: Bool, undefinedItem: Bool = false) throws(JSONataError) -> Value {
        let items = Evaluator.asSequenceItems(input)
        if undefinedItem && expr.kind != .sort {
            var res = try evaluate(expr, nil, env)
            for stage in expr.stages {
                res = try evaluateFilter(stage.expr!, res, env)
            }
            guard let res else { return .emptySequence }
            if lastStep, case .array(_, let f) = res, !f.contains(.sequence) { return res }
            if case .array(let a, let f) = res, !f.contains(.cons) { return .array(a, .sequence) }
            if case .tuples(let t) = res { return .array(t.compactMap { $0.context }, .sequence) }
            return .array([res], .sequence)
        }
        if expr.kind == .sort {
            var result = try evaluateSort(expr, items, env)
            if !expr.stages.isEmpty { result = try evaluateStages(expr.stages, result, env) }
            return result
        }
        if items.count == 1 {
            // One item (the common case on a path through single objects): the step's result array,
            // when it is one, becomes the sequence without copying it.
            var res = try evaluate(expr, items[0], env)
            for stage in expr.stages {
                res = try evaluateFilter(stage.expr!, res, env)
            }
            guard let r = res else { return .emptySequence }
            if lastStep, case .array(_, let f) = r, !f.contains(.sequence) { return r }
            switch r {
            case .array(let a, let f) where !f.contains(.cons): return .array(a, .sequence)
            case .tuples(let t): return .array(t.compactMap { $0.context }, .sequence)
            default: return .array([r], .sequence)
            }
        }
        var flat: [Value] = []
        flat.reserveCapacity(items.count)
        var first: Value? = nil
        var resultCount = 0
        for item in items {
            var res = try evaluate(expr, item, env)
            for stage in expr.stages {
                res = try evaluateFilter(stage.expr!, res, env)
            }
            guard let r = res else { continue }
            resultCount += 1
            if resultCount == 1 { first = r }
            switch r {
            case .array(let a, let f) where !f.contains(.cons):
                try checkArraySize(flat.count + a.count)
                flat.append(contentsOf: a)
            case .tuples(let t):
                try checkArraySize(flat.count + t.count)
                flat.append(contentsOf: t.compactMap { $0.context })
            default: flat.append(r)
            }
        }
        if lastStep && resultCount == 1, let r = first, case .array(_, let f) = r, !f.contains(.sequence) {
            return r
        }
        return .array(flat, .sequence)
    }

    func evaluateStages(_ stages: [Stage], _ input: Value, _ env: Frame) throws(JSONataError) -> Value {
        var result: Value = input
        for stage in stages {
            switch stage.kind {
            case .filter:
                result = try evaluateFilter(stage.expr!, result, env)
            case .index:
                if case .tuples(var ts) = result {
                    for i in ts.indices { ts[i].bind(stage.variable, .number(Double(i))) }
                    result = .tuples(ts)
                }
            }
        }
        return result
    }

    @inline(never)
    func evaluateTupleStep(_ expr: Node, _ input: Value, _ tupleBindings: [Tuple]?, _ env: Frame, undefinedItem: Bool = false) throws(JSONataError)
        -> [Tuple]
    {
        if expr.kind == .sort {
            var result: Value
            if let tupleBindings {
                result = try evaluateSort(expr, .tuples(tupleBindings), env)
            } else {
                let sorted = try evaluateSort(expr, Evaluator.asSequenceItems(input), env)
                var ts: [Tuple] = []
                for (i, v) in Evaluator.asSequenceItems(sorted).enumerated() {
                    var t = Tuple(context: v, bindings: [])
                    if let idx = expr.indexVar { t.bind(idx, .number(Double(i))) }
                    ts.append(t)
                }
                result = .tuples(ts)
            }
            if !expr.stages.isEmpty { result = try evaluateStages(expr.stages, result, env) }
            if case .tuples(let t) = result { return t }
            return []
        }
        let bindings =
            tupleBindings
            ?? (undefinedItem ? [Tuple(context: nil, bindings: [])] : Evaluator.asSequenceItems(input).map { Tuple(context: $0, bindings: []) })
        var result: [Tuple] = []
        for tuple in bindings {
            let stepEnv = Evaluator.frame(from: tuple, env)
            guard let res = try evaluate(expr, tuple.context, stepEnv) else { continue }
            switch res {
            case .tuples(let rs):
                for r in rs {
                    var t = tuple
                    t.context = r.context
                    for (k, v) in r.bindings { t.bind(k, v) }
                    result.append(t)
                }
            default:
                let items: [Value] = if case .array(let a, _) = res { a } else { [res] }
                try checkArraySize(result.count + items.count)
                for (bb, item) in items.enumerated() {
                    var t = tuple
                    if let focus = expr.focus {
                        t.bind(focus, item)
                        t.context = tuple.context
                    } else {
                        t.context = item
                    }
                    if let idx = expr.indexVar { t.bind(idx, .number(Double(bb))) }
                    if let anc = expr.ancestor { t.bind(anc.label, tuple.context) }
                    result.append(t)
                }
            }
        }
        if !expr.stages.isEmpty {
            if case .tuples(let t) = try evaluateStages(expr.stages, .tuples(result), env) { return t }
            return []
        }
        return result
    }

    static func frame(from tuple: Tuple, _ env: Frame) -> Frame {
        let f = Frame(parent: env)
        for (k, v) in tuple.bindings { f.bind(k, v) }
        return f
    }

    @inline(never)
    func evaluateFilter(_ predicate: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value {
        if case .tuples(let ts)? = input {
            var out: [Tuple] = []
            if predicate.kind == .number, case .number(let n) = predicate.literal {
                var index = Library.int(n.rounded(.down))
                if index < 0 { index += ts.count }
                if index >= 0 && index < ts.count { out.append(ts[index]) }
                return .tuples(out)
            }
            for (index, t) in ts.enumerated() {
                let res = try evaluate(predicate, t.context, Evaluator.frame(from: t, env))
                if try Evaluator.predicateSelects(res, index: index, count: ts.count) { out.append(t) }
            }
            return .tuples(out)
        }
        let items: [Value] = input.map { Evaluator.asSequenceItems($0) } ?? []
        if predicate.kind == .number, case .number(let n) = predicate.literal {
            var index = Library.int(n.rounded(.down))
            if index < 0 { index += items.count }
            if index >= 0 && index < items.count {
                let item = items[index]
                if case .array = item { return item }
                // The reference's `if(typeof item !== 'undefined')`: an undefined item selects nothing.
                if case .undefined = item { return .emptySequence }
                return .array([item], .sequence)
            }
            return .emptySequence
        }
        var out: [Value] = []
        for (index, item) in items.enumerated() {
            let res = try evaluate(predicate, item, env)
            if try Evaluator.predicateSelects(res, index: index, count: items.count) { out.append(item) }
        }
        return .array(out, .sequence)
    }

    static func predicateSelects(_ res: Value?, index: Int, count: Int) throws(JSONataError) -> Bool {
        if case .number(let n)? = res {
            // The reference's isNumeric: an infinite index (an overflowed $sum) is out of range, and NaN is no
            // index (and false); Library.int would have made both an index.
            if n.isNaN { return false }
            if !n.isFinite { throw JSONataError(code: "D1001", message: "Number out of range: \(n < 0 ? "-Infinity" : "Infinity")") }
            var i = Library.int(n.rounded(.down))
            if i < 0 { i += count }
            return i == index
        }
        if case .array(let a, _)? = res, !a.isEmpty, a.allSatisfy({ $0.isNumber }) {
            for case .number(let n) in a {
                if !n.isFinite && !n.isNaN { throw JSONataError(code: "D1001", message: "Number out of range: \(n < 0 ? "-Infinity" : "Infinity")") }
                var i = Library.int(n.rounded(.down))
                if i < 0 { i += count }
                if i == index { return true }
            }
            return false
        }
        return Library.boolean(res) ?? false
    }

    @inline(never)
    func evaluateWildcard(_ input: Value?) throws(JSONataError) -> Value {
        var source = input
        if case .array(let a, let f)? = input, f.contains(.outerWrapper), !a.isEmpty { source = a[0] }
        var out: [Value] = []
        if case .object(let o)? = source {
            for v in o.values {
                if case .array = v {
                    try flatten(v, into: &out)
                } else {
                    out.append(v)
                }
            }
        }
        return .array(out, .sequence)
    }

    func flatten(_ v: Value, into out: inout [Value]) throws(JSONataError) {
        if case .array(let a, _) = v {
            try checkArraySize(out.count + a.count)
            for e in a { try flatten(e, into: &out) }
        } else {
            out.append(v)
        }
    }

    @inline(never)
    func evaluateDescendants(_ input: Value?) throws(JSONataError) -> Value? {
        guard let input else { return nil }
        var out: [Value] = []
        try recurseDescendants(input, &out)
        if out.count == 1 { return out[0] }
        return .array(out, .sequence)
    }

    /// Collects every value under `v`. A value built from shared parts can have exponentially many (each level of
    /// `{"a": $x, "b": $x}` doubles them), so each one is a time limit check point and counts towards the size limit.
    func recurseDescendants(_ v: Value, _ out: inout [Value]) throws(JSONataError) {
        if case .array(let a, _) = v {
            for e in a { try recurseDescendants(e, &out) }
            return
        }
        try poll()
        try checkArraySize(out.count + 1)
        out.append(v)
        if case .object(let o) = v {
            for e in o.values { try recurseDescendants(e, &out) }
        }
    }

    @inline(never)
    func evaluateVariable(_ expr: Node, _ input: Value?, _ env: Frame) -> Value? {
        if expr.text.isEmpty {
            if case .array(let a, let f)? = input, f.contains(.outerWrapper) { return a.first }
            return input
        }
        return env.lookup(expr.text, builtin: expr.builtin)
    }

    // MARK: - Operators

    @inline(never)
    func evaluateBinary(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let op = expr.binaryOperator
        if op == .misplaced {
            throw JSONataError(code: "S0201", message: "Syntax error: \"\(expr.text)\"", position: expr.position, token: expr.text)
        }
        let lhs = try evaluate(expr.lhs!, input, env)
        if op == .and || op == .or {
            let l = Library.boolean(lhs) ?? false
            if op == .and {
                if !l { return .bool(false) }
                return .bool(Library.boolean(try evaluate(expr.rhs!, input, env)) ?? false)
            }
            if l { return .bool(true) }
            return .bool(Library.boolean(try evaluate(expr.rhs!, input, env)) ?? false)
        }
        let rhs = try evaluate(expr.rhs!, input, env)
        do throws(JSONataError) {
            switch op {
            case .add, .subtract, .multiply, .divide, .modulo: return try Evaluator.numeric(lhs, rhs, op, expr.text)
            case .equal: return (lhs == nil || rhs == nil) ? .bool(false) : .bool(Library.deepEqual(lhs!, rhs!))
            case .notEqual: return (lhs == nil || rhs == nil) ? .bool(false) : .bool(!Library.deepEqual(lhs!, rhs!))
            case .less, .lessOrEqual, .greater, .greaterOrEqual: return try Evaluator.compare(lhs, rhs, op, expr.text)
            case .concatenate:
                let l = try lhs.map { v throws(JSONataError) in try Library.string(v, self) } ?? ""
                let r = try rhs.map { v throws(JSONataError) in try Library.string(v, self) } ?? ""
                try checkStringSize(l.utf8.count + r.utf8.count)
                return .string(l + r)
            case .range: return try Evaluator.range(lhs, rhs, self)
            case .in:
                guard let lhs, let rhs else { return .bool(false) }
                let items = Evaluator.asSequenceItems(rhs)
                for item in items where Library.strictEqual(item, lhs) { return .bool(true) }
                return .bool(false)
            case .and, .or, .misplaced, .unknown:
                throw JSONataError(code: "D1003", message: "Unknown operator \(expr.text)")
            }
        } catch {
            var e = error
            e.position = expr.position
            e.token = expr.text
            throw e
        }
    }

    static func numeric(_ lhs: Value?, _ rhs: Value?, _ op: BinaryOperator, _ symbol: String) throws(JSONataError) -> Value? {
        var l = 0.0
        var r = 0.0
        if let lhs {
            guard case .number(let n) = lhs else {
                throw JSONataError(
                    code: "T2001", message: "The left side of the \"\(symbol)\" operator must evaluate to a number", value: lhs.toJSON())
            }
            l = n
        }
        if let rhs {
            guard case .number(let n) = rhs else {
                throw JSONataError(
                    code: "T2002", message: "The right side of the \"\(symbol)\" operator must evaluate to a number", value: rhs.toJSON())
            }
            r = n
        }
        if lhs == nil || rhs == nil { return nil }
        let result: Double =
            switch op {
            case .add: l + r
            case .subtract: l - r
            case .multiply: l * r
            case .divide: l / r
            default: l.truncatingRemainder(dividingBy: r)
            }
        if !result.isFinite {
            throw JSONataError(code: "D1001", message: "Number out of range: \(result)", value: .number(result))
        }
        return .number(result)
    }

    static func compare(_ lhs: Value?, _ rhs: Value?, _ op: BinaryOperator, _ symbol: String) throws(JSONataError) -> Value? {
        func comparable(_ v: Value?) -> Bool {
            guard let v else { return true }
            return v.isString || v.isNumber
        }
        if !comparable(lhs) || !comparable(rhs) {
            let bad = !comparable(lhs) ? lhs : rhs
            throw JSONataError(
                code: "T2010", message: "The expressions either side of operator \"\(symbol)\" must evaluate to numeric or string values",
                value: bad?.toJSON())
        }
        guard let lhs, let rhs else { return nil }
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)):
            switch op {
            case .less: return .bool(a < b)
            case .lessOrEqual: return .bool(a <= b)
            case .greater: return .bool(a > b)
            default: return .bool(a >= b)
            }
        case (.string(let a), .string(let b)):
            let c = Library.compareStrings(a, b)
            switch op {
            case .less: return .bool(c < 0)
            case .lessOrEqual: return .bool(c <= 0)
            case .greater: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        default:
            throw JSONataError(
                code: "T2009", message: "The values either side of operator \"\(symbol)\" must be of the same data type", value: lhs.toJSON())
        }
    }

    static func range(_ lhs: Value?, _ rhs: Value?, _ ev: Evaluator? = nil) throws(JSONataError) -> Value? {
        if let lhs {
            guard case .number(let n) = lhs, n.rounded() == n else {
                throw JSONataError(
                    code: "T2003", message: "The left side of the range operator (..) must evaluate to an integer", value: lhs.toJSON())
            }
        }
        if let rhs {
            guard case .number(let n) = rhs, n.rounded() == n else {
                throw JSONataError(
                    code: "T2004", message: "The right side of the range operator (..) must evaluate to an integer", value: rhs.toJSON())
            }
        }
        guard case .number(let a)? = lhs, case .number(let b)? = rhs else { return nil }
        if a > b { return nil }
        let size = b - a + 1
        if size > 1e7 {
            throw JSONataError(
                code: "D2014", message: "The size of the sequence allocated by the range operator (..) must not exceed 1e7", value: .number(size))
        }
        // Driven by the count, not by `x += 1 while x <= b`: from 2^53 up, adding 1 leaves a double as it is, and that
        // loop never ended ([9007199254740992..9007199254740992] took the process's memory).
        let count = Int(size)
        var out: [Value] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            // A time limit check point: a large range built first must count towards the limit.
            try ev?.poll()
            out.append(.number(a + Double(i)))
        }
        return .array(out, .sequence)
    }

    @inline(never)
    func evaluateUnary(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        if expr.hasLiteralDistinctKeys, !Evaluator.isCollection(input) {
            // An object constructor with distinct literal keys over a single item: no duplicate checks,
            // and the keys array is shared with the node unless some values are undefined.
            let keys = expr.literalKeys
            var values: [Value] = []
            values.reserveCapacity(keys.count)
            var missing = 0
            var firstMissing = 0
            var keptKeys: [String] = []
            for (i, valueNode) in expr.literalKeyValues.enumerated() {
                if let value = try evaluate(valueNode, input, env) {
                    values.append(value)
                    if missing > 1 { keptKeys.append(keys[i]) }
                } else {
                    missing += 1
                    if missing == 1 {
                        firstMissing = i
                    } else if missing == 2 {
                        keptKeys = Array(keys[0..<i])
                        keptKeys.remove(at: firstMissing)
                    }
                }
            }
            let objectKeys: [String]
            if missing == 0 {
                objectKeys = keys
            } else if missing == 1 {
                objectKeys =
                    expr.literalKeysWithout.isEmpty
                    ? keys.enumerated().filter { $0.offset != firstMissing }.map(\.element) : expr.literalKeysWithout[firstMissing]
            } else {
                objectKeys = keptKeys
            }
            let result = ObjectRef(keys: objectKeys, values: values)
            if result.depth > Evaluator.maxNesting { throw Evaluator.tooDeep() }
            return .object(result)
        }
        switch expr.text {
        case "-":
            guard let v = try evaluate(expr.expression!, input, env) else { return nil }
            guard case .number(let n) = v else {
                throw JSONataError(
                    code: "D1002", message: "Cannot negate a non-numeric value", position: expr.position, token: "-", value: v.toJSON())
            }
            if !n.isFinite {
                // The reference's isNumeric check: an overflowed aggregate ($sum) cannot be negated.
                throw JSONataError(
                    code: "D1001", message: "Number out of range: \(n.isNaN ? "NaN" : n < 0 ? "-Infinity" : "Infinity")", position: expr.position,
                    token: "-")
            }
            return .number(-n)
        case "[":
            var out: [Value] = []
            for item in expr.expressions {
                guard let v = try evaluate(item, input, env) else { continue }
                if item.kind == .unary && item.text == "[" {
                    if v.nesting >= Evaluator.maxNesting { throw Evaluator.tooDeep() }
                    out.append(v)
                } else if case .array(let a, _) = v {
                    try checkArraySize(out.count + a.count)
                    out.append(contentsOf: a)
                } else if case .tuples(let t) = v {
                    try checkArraySize(out.count + t.count)
                    out.append(contentsOf: t.compactMap { $0.context })
                } else {
                    out.append(v)
                }
            }
            return .array(out, expr.consArray ? .cons : [])
        case "{":
            return try evaluateGroup(expr.pairs, position: expr.position, input, env)
        default:
            throw JSONataError(code: "S0201", message: "Syntax error: \"\(expr.text)\"", position: expr.position, token: expr.text)
        }
    }

    @inline(never)
    func evaluateCondition(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let condition = try evaluate(expr.condition!, input, env)
        if Library.boolean(condition) == true {
            return try evaluate(expr.then!, input, env)
        } else if let e = expr.otherwise {
            return try evaluate(e, input, env)
        }
        return nil
    }

    @inline(never)
    func evaluateBlock(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let frame = Frame(parent: env)
        var result: Value? = nil
        for e in expr.expressions {
            result = try evaluate(e, input, frame)
        }
        return result
    }

    // MARK: - Grouping and sorting

    @inline(never)
    func evaluateGroup(_ pairs: [(Node, Node)], position: Int, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value {
        let result = try evaluateGroupMembers(pairs, position: position, input, env)
        if case .object(let o) = result, o.depth > Evaluator.maxNesting { throw Evaluator.tooDeep() }
        return result
    }

    func evaluateGroupMembers(_ pairs: [(Node, Node)], position: Int, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value {
        let result = ObjectRef()
        if case .tuples(let ts)? = input {
            var keys: [String] = []
            var groups: [ObjectKey: (data: [Tuple], exprIndex: Int)] = [:]
            let items = ts.isEmpty ? [Tuple(context: nil, bindings: [])] : ts
            for item in items {
                let itemEnv = Evaluator.frame(from: item, env)
                for (pairIndex, pair) in pairs.enumerated() {
                    let key = try evaluate(pair.0, item.context, itemEnv)
                    guard let key else { continue }
                    guard case .string(let k) = key else {
                        throw JSONataError(
                            code: "T1003", message: "Key in object structure must evaluate to a string; got: \(key.toJSON()?.serialized() ?? "")",
                            position: position, value: key.toJSON())
                    }
                    if let g = groups[ObjectKey(k)] {
                        if g.exprIndex != pairIndex {
                            throw JSONataError(
                                code: "D1009", message: "Multiple key definitions evaluate to same key: \(k)", position: position, value: key.toJSON()
                            )
                        }
                        groups[ObjectKey(k)]!.data.append(item)
                    } else {
                        groups[ObjectKey(k)] = ([item], pairIndex)
                        keys.append(k)
                    }
                }
            }
            for k in keys {
                let entry = groups[ObjectKey(k)]!
                var tuple = entry.data[0]
                if entry.data.count > 1 {
                    for t in entry.data.dropFirst() {
                        tuple.context = Library.append(tuple.context, t.context)
                        for (name, v) in t.bindings {
                            tuple.bind(name, Library.append(tuple.lookup(name) ?? nil, v))
                        }
                    }
                }
                let value = try evaluate(pairs[entry.exprIndex].1, tuple.context, Evaluator.frame(from: tuple, env))
                if let value { result.set(k, value) }
            }
            return .object(result)
        }
        var items: [Value?]
        if case .array(let a, _)? = input {
            items = a
        } else {
            items = [input]
        }
        if items.isEmpty { items = [nil] }
        if items.count == 1 {
            // common case: a plain object constructor
            let item = items[0]
            var seenKeys: [String] = []
            var seenPairs: [Int] = []
            seenKeys.reserveCapacity(pairs.count)
            seenPairs.reserveCapacity(pairs.count)
            result.reserve(pairs.count)
            for (pairIndex, pair) in pairs.enumerated() {
                let key: Value?
                if pair.0.kind == .string, case .string(let literal) = pair.0.literal, pair.0.predicates.isEmpty, pair.0.group == nil {
                    key = .string(literal)
                } else {
                    key = try evaluate(pair.0, item, env)
                }
                guard let key else { continue }
                guard case .string(let k) = key else {
                    throw JSONataError(
                        code: "T1003", message: "Key in object structure must evaluate to a string; got: \(key.toJSON()?.serialized() ?? "")",
                        position: position, value: key.toJSON())
                }
                if let at = seenKeys.firstIndex(where: { Library.sameString($0, k) }) {
                    if seenPairs[at] != pairIndex {
                        throw JSONataError(
                            code: "D1009", message: "Multiple key definitions evaluate to same key: \(k)", position: position, value: key.toJSON())
                    }
                    if let value = try evaluate(pair.1, item, env) { result.set(k, value) }
                } else {
                    seenKeys.append(k)
                    seenPairs.append(pairIndex)
                    if let value = try evaluate(pair.1, item, env) { result.appendNew(k, value) }
                }
            }
            return .object(result)
        }
        var keys: [String] = []
        var groups: [ObjectKey: (data: Value?, exprIndex: Int)] = [:]
        for item in items {
            for (pairIndex, pair) in pairs.enumerated() {
                guard let key = try evaluate(pair.0, item, env) else { continue }
                guard case .string(let k) = key else {
                    throw JSONataError(
                        code: "T1003", message: "Key in object structure must evaluate to a string; got: \(key.toJSON()?.serialized() ?? "")",
                        position: position, value: key.toJSON())
                }
                if let g = groups[ObjectKey(k)] {
                    if g.exprIndex != pairIndex {
                        throw JSONataError(
                            code: "D1009", message: "Multiple key definitions evaluate to same key: \(k)", position: position, value: key.toJSON())
                    }
                    groups[ObjectKey(k)]!.data = Library.append(g.data, item)
                } else {
                    groups[ObjectKey(k)] = (item, pairIndex)
                    keys.append(k)
                }
            }
        }
        for k in keys {
            let entry = groups[ObjectKey(k)]!
            if let value = try evaluate(pairs[entry.exprIndex].1, entry.data, env) { result.set(k, value) }
        }
        return .object(result)
    }

    /// Order-by over values or a tuple stream.
    @inline(never)
    func evaluateSort(_ expr: Node, _ input: Value, _ env: Frame) throws(JSONataError) -> Value {
        if case .tuples(let ts) = input {
            let sorted = try Library.mergeSort(ts, self) { (a, b) throws(JSONataError) in
                try self.sortSwaps(expr, a.context, Evaluator.frame(from: a, env), b.context, Evaluator.frame(from: b, env))
            }
            return .tuples(sorted)
        }
        return try evaluateSort(expr, Evaluator.asSequenceItems(input), env)
    }

    @inline(never)
    func evaluateSort(_ expr: Node, _ items: [Value], _ env: Frame) throws(JSONataError) -> Value {
        let sorted = try Library.mergeSort(items, self) { (a, b) throws(JSONataError) in
            try self.sortSwaps(expr, a, env, b, env)
        }
        return .array(sorted, .sequence)
    }

    func sortSwaps(_ expr: Node, _ a: Value?, _ aEnv: Frame, _ b: Value?, _ bEnv: Frame) throws(JSONataError) -> Bool {
        var comp = 0
        for term in expr.terms {
            let aa = try evaluate(term.expression, a, aEnv)
            let bb = try evaluate(term.expression, b, bEnv)
            guard let aa else {
                comp = bb == nil ? 0 : 1
                if comp != 0 { break } else { continue }
            }
            guard let bb else {
                comp = -1
                break
            }
            switch (aa, bb) {
            case (.number(let x), .number(let y)): comp = x == y ? 0 : (x < y ? -1 : 1)
            case (.string(let x), .string(let y)): comp = Library.compareStrings(x, y)
            case (.number, .string), (.string, .number):
                throw JSONataError(
                    code: "T2007", message: "Type mismatch within order-by clause. All values must be of the same type", position: expr.position,
                    value: aa.toJSON())
            default:
                let bad = (aa.isString || aa.isNumber) ? bb : aa
                throw JSONataError(
                    code: "T2008", message: "The expressions within an order-by clause must evaluate to numeric or string values",
                    position: expr.position, value: bad.toJSON())
            }
            if term.descending { comp = -comp }
            if comp != 0 { break }
        }
        return comp == 1
    }

    // MARK: - Functions

    @inline(never)
    func evaluateFunction(_ expr: Node, _ input: Value?, _ env: Frame, applyTo: Value??) throws(JSONataError) -> Value? {
        let procedure = expr.procedure!
        let proc = try evaluate(procedure, input, env)
        if proc == nil, procedure.kind == .path, env.lookup(procedure.steps[0].text) != nil {
            let procName = procedure.steps[0].text
            throw JSONataError(
                code: "T1005", message: "Attempted to invoke a non-function. Did you mean ${\(procName)}?", position: expr.position, token: procName)
        }
        var function: FunctionRef? = nil
        if case .function(let f)? = proc { function = f }
        if let inline = expr.inlineFunction, applyTo == nil, let function, function === procedure.builtin {
            // The library function itself (not a rebinding of its name), with one argument.
            let argument = try evaluate(expr.arguments[0], input, env)
            if let result = Evaluator.applyInline(inline, argument) { return result }
            var args: [Value?] = [argument]
            return try callEvaluated(expr, proc, function.native, &args, input, env)
        }
        let native = function?.native
        var args: [Value?] = []
        args.reserveCapacity(Swift.max(expr.arguments.count + 1, native?.signature?.params.count ?? 0))
        if let applyTo { args.append(applyTo) }
        for arg in expr.arguments {
            args.append(try evaluate(arg, input, env))
        }
        return try callEvaluated(expr, proc, native, &args, input, env)
    }

    /// Calls `proc` with evaluated arguments, positioning errors at the call `expr`.
    func callEvaluated(_ expr: Node, _ proc: Value?, _ native: Builtin?, _ args: inout [Value?], _ input: Value?, _ env: Frame)
        throws(JSONataError) -> Value?
    {
        do {
            if let native {
                // A library function: conform the arguments in place and call it directly.
                try native.signature?.conform(&args, context: input)
                let result = try Evaluator.checkNesting(try native.implementation(self, args, CallContext(input: input, env: env)))
                return try resolveTailCalls(result, input, env)
            }
            return try apply(proc, args, input, env)
        } catch {
            var e = error
            if e.position == nil { e.position = expr.position }
            let procedure = expr.procedure!
            if e.token == nil { e.token = procedure.kind == .path ? procedure.steps[0].text : procedure.text }
            throw e
        }
    }

    /// The result of an inline library function for the argument types it takes without checks
    /// that could fail (`.some(nil)` for undefined), or nil to make the general call.
    static func applyInline(_ function: InlineFunction, _ argument: Value?) -> Value?? {
        guard let argument else { return .some(nil) }
        switch (function, argument) {
        case (.lowercase, .string(let s)): return .string(s.lowercased())
        case (.uppercase, .string(let s)): return .string(s.uppercased())
        case (.trim, .string(let s)): return .string(Library.trim(s))
        case (.length, .string(let s)): return .number(Double(s.unicodeScalars.count))
        case (.string, .string): return argument
        case (.string, .number(let n)) where n.isFinite: return (try? Library.string(argument)).map { .string($0) }
        case (.string, .bool(let b)): return .string(b ? "true" : "false")
        case (.string, .null): return .string("null")
        case (.number, .number): return argument
        case (.number, .bool(let b)): return .number(b ? 1 : 0)
        case (.number, .string(let s)): return Library.parseNumber(s).map { .number($0) }
        default: return nil
        }
    }

    @inline(never)
    func apply(_ proc: Value?, _ args: [Value?], _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        try resolveTailCalls(try applyInner(proc, args, input, env), input, env)
    }

    /// Runs the tail calls (thunks) a function result stands for, until a real value remains.
    @inline(__always)
    func resolveTailCalls(_ first: Value?, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        var result = first
        while case .function(let f)? = result, case .lambda(let l) = f.kind, l.isThunk {
            let call = l.body
            let next = try evaluate(call.procedure!, l.input, l.env)
            var evaluatedArgs: [Value?] = []
            for a in call.arguments { evaluatedArgs.append(try evaluate(a, l.input, l.env)) }
            do {
                result = try applyInner(next, evaluatedArgs, input, env)
            } catch {
                var e = error
                if e.position == nil { e.position = call.position }
                if e.token == nil { e.token = call.procedure!.kind == .path ? call.procedure!.steps[0].text : call.procedure!.text }
                throw e
            }
        }
        return result
    }

    @inline(never)
    func applyInner(_ proc: Value?, _ args: [Value?], _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        guard case .function(let f)? = proc else {
            throw JSONataError(code: "T1006", message: "Attempted to invoke a non-function", value: proc?.toJSON())
        }
        switch f.kind {
        case .lambda(let l):
            let validated = try l.signature?.validate(args, context: input) ?? args
            let frame = Frame(parent: l.env)
            for (i, p) in l.params.enumerated() {
                frame.bind(p, i < validated.count ? validated[i] : nil)
            }
            return try evaluate(l.body, l.input, frame)
        case .native(let b):
            let validated = try b.signature?.validate(args, context: input) ?? args
            return try Evaluator.checkNesting(try b.implementation(self, validated, CallContext(input: input, env: env)))
        case .partialNative(let b, let fixed):
            var full: [Value?] = []
            var k = 0
            for a in fixed {
                if let a {
                    full.append(a)
                } else {
                    full.append(k < args.count ? args[k] : nil)
                    k += 1
                }
            }
            while full.last != nil && full.last! == nil { full.removeLast() }
            let validated = try b.signature?.validate(full, context: input) ?? full
            return try b.implementation(self, validated, CallContext(input: input, env: env))
        case .chain(let first, let second):
            let mid = try apply(.function(first), args, input, env)
            return try apply(.function(second), [mid], input, env)
        case .transform(let node, let tenv):
            return try Evaluator.checkNesting(try evaluateTransform(node, args.first ?? nil, tenv))
        case .regex(let r):
            guard case .string(let s)? = args.first ?? nil else {
                if args.first ?? nil == nil { return nil }
                throw JSONataError(code: "T0410", message: "Argument 1 of function does not match function signature")
            }
            return try Library.regexMatchObject(r, s, from: 0)
        }
    }

    /// Calls `fn` with as many of `args` as it takes (the higher-order functions' convention).
    func callWithArity(_ fn: Value, _ args: [Value?], _ env: Frame) throws(JSONataError) -> Value? {
        guard case .function(let f) = fn else { return try apply(fn, args, nil, env) }
        let n = max(1, min(args.count, f.arity))
        if case .native(let b) = f.kind, b.signature != nil {
            return try apply(fn, Array(args.prefix(n)), nil, env)
        }
        return try apply(fn, Array(args.prefix(n)), nil, env)
    }

    @inline(never)
    func evaluatePartial(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        var args: [Value??] = []
        for arg in expr.arguments {
            if arg.kind == .op && arg.text == "?" {
                args.append(nil)
            } else {
                args.append(.some(try evaluate(arg, input, env)))
            }
        }
        let procedure = expr.procedure!
        let proc = try evaluate(procedure, input, env)
        let procName = procedure.kind == .path ? procedure.steps[0].text : procedure.text
        if proc == nil, procedure.kind == .path, env.lookup(procedure.steps[0].text) != nil {
            throw JSONataError(
                code: "T1007", message: "Attempted to partially apply a non-function. Did you mean ${\(procName)}?", position: expr.position,
                token: procName)
        }
        guard case .function(let f)? = proc else {
            throw JSONataError(code: "T1008", message: "Attempted to partially apply a non-function", position: expr.position, token: procName)
        }
        switch f.kind {
        case .lambda(let l):
            let frame = Frame(parent: l.env)
            var unbound: [String] = []
            for (i, p) in l.params.enumerated() {
                if i < args.count, let a = args[i] {
                    frame.bind(p, a)
                } else if i < args.count {
                    unbound.append(p)
                } else {
                    frame.bind(p, nil)
                }
            }
            return .function(FunctionRef(.lambda(Lambda(params: unbound, signature: nil, body: l.body, env: frame, input: l.input, isThunk: false))))
        case .native(let b):
            var fixed = args
            while fixed.count < b.arity { fixed.append(.some(nil)) }
            return .function(FunctionRef(.partialNative(b, fixed)))
        case .partialNative(let b, let previous):
            var fixed: [Value??] = []
            var k = 0
            for a in previous {
                if let a {
                    fixed.append(a)
                } else {
                    fixed.append(k < args.count ? args[k] : .some(nil))
                    k += 1
                }
            }
            return .function(FunctionRef(.partialNative(b, fixed)))
        default:
            throw JSONataError(code: "T1008", message: "Attempted to partially apply a non-function", position: expr.position, token: procName)
        }
    }

    @inline(never)
    func evaluateApply(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let lhs = try evaluate(expr.lhs!, input, env)
        if expr.rhs!.kind == .function {
            return try evaluateFunction(expr.rhs!, input, env, applyTo: .some(lhs))
        }
        let fn = try evaluate(expr.rhs!, input, env)
        guard case .function(let g)? = fn else {
            throw JSONataError(
                code: "T2006", message: "The right side of the function application operator ~> must be a function", position: expr.position,
                value: fn?.toJSON())
        }
        if case .function(let f)? = lhs {
            return .function(FunctionRef(.chain(f, g)))
        }
        return try apply(fn, [lhs], nil, env)
    }

    // MARK: - Transform

    @inline(never)
    func evaluateTransform(_ expr: Node, _ obj: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        guard let obj else { return nil }
        if !(obj.isArray || { if case .object = obj { return true } else { return false } }()) {
            throw JSONataError(
                code: "T0410", message: "Argument 1 of transform must be an object or array", position: expr.position, value: obj.toJSON())
        }
        let result = Library.deepClone(obj)
        guard let matches = try evaluate(expr.pattern!, result, env) else { return result }
        for match in Evaluator.asSequenceItems(matches) {
            let update = try evaluate(expr.update!, match, env)
            if let update {
                guard case .object(let u) = update else {
                    throw JSONataError(
                        code: "T2011", message: "The insert/update clause of the transform expression must evaluate to an object",
                        position: expr.update!.position, value: update.toJSON())
                }
                if case .object(let m) = match {
                    for i in 0..<u.keys.count { m.set(u.keys[i], u.values[i]) }
                }
            }
            if let del = expr.delete, let deletions = try evaluate(del, match, env) {
                let names = Evaluator.asSequenceItems(deletions)
                guard names.allSatisfy({ $0.isString }) else {
                    throw JSONataError(
                        code: "T2012", message: "The delete clause of the transform expression must evaluate to a string or array of strings",
                        position: del.position, value: deletions.toJSON())
                }
                if case .object(let m) = match {
                    for case .string(let n) in names { m.remove(n) }
                }
            }
        }
        return result
    }
}
