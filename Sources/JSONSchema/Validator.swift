import JSONValue

/// One step of an instance or keyword path, kept unformatted until an error is reported.
enum PathToken {
    case key(String)
    case index(Int)

    var text: String {
        switch self {
        case .key(let k): k
        case .index(let i): String(i)
        }
    }
}

/// Walks a compiled `Program` over an instance.
///
/// In the fast mode (`collecting == false`) the first failure returns `false` all the way up and
/// nothing is allocated unless the schema uses `unevaluated*`. In the reporting mode the walk keeps
/// instance and keyword paths and records a `ValidationError` per failing keyword; the public API
/// only runs it after the fast mode has found the instance invalid.
struct Validator {
    let program: Program
    let nodes: UnsafeMutablePointer<Node>
    let ops: UnsafeMutablePointer<Op>
    let ints: UnsafeMutablePointer<Int>
    let strings: UnsafeMutablePointer<String>
    let constants: UnsafeMutablePointer<JSON>
    let patterns: UnsafeMutablePointer<CompiledPattern>
    let applicators: UnsafeMutablePointer<ObjectApplicator>
    var collecting: Bool
    let firstErrorOnly: Bool
    var errors: [ValidationError] = []
    var instancePath: [PathToken] = []
    var keywordPath: [PathToken] = []
    var scope: [Int32] = []
    var depth = 0
    var aborted = false
    /// The stack address where validation started; `validate` gives up when it has used `program.stackBudget` bytes below it.
    var stackBase: UInt = 0

    init(program: Program, collecting: Bool, firstErrorOnly: Bool) {
        self.program = program
        self.collecting = collecting
        self.firstErrorOnly = firstErrorOnly
        // The program owns these buffers and outlives the validator, which holds it.
        nodes = program.nodes.baseAddress!
        ops = program.ops.baseAddress!
        ints = program.ints.baseAddress!
        strings = program.strings.baseAddress!
        constants = program.constants.baseAddress!
        patterns = program.patterns.baseAddress!
        applicators = program.applicators.baseAddress!
    }

    mutating func run(_ instance: JSON) -> Bool {
        stackBase = Self.stackAddress()
        var none: EvaluatedLocations? = nil
        let valid = validate(program.root, instance, &none)
        return valid && !aborted
    }

    mutating func isValid(_ instance: JSON) -> Bool { run(instance) }

    mutating func errors(for instance: JSON) -> [ValidationError] {
        _ = run(instance)
        if errors.isEmpty {
            errors.append(
                ValidationError(
                    instanceLocation: JSONPointer(), keywordLocation: JSONPointer(), absoluteKeywordLocation: nil, keyword: "schema",
                    message: "the instance is not valid"))
        }
        return errors
    }

    /// Whether to keep evaluating after a failure (to report more errors).
    @inline(__always)
    var continuesAfterFailure: Bool { collecting && !firstErrorOnly }

    /// Records a failure of `keyword` at the current paths; returns whether evaluation goes on.
    ///
    /// A `false` schema is reported with the keyword "false" but located at the schema itself.
    mutating func report(_ node: UnsafeMutablePointer<Node>, _ keyword: String, _ message: @autoclosure () -> String) -> Bool {
        guard collecting else { return false }
        let isSchema = keyword == "false"
        var keywordTokens = keywordPath.map(\.text)
        if !isSchema { keywordTokens.append(keyword) }
        let location = program.locations[Int(node.pointee.location)]
        errors.append(
            ValidationError(
                instanceLocation: JSONPointer(tokens: instancePath.map(\.text)), keywordLocation: JSONPointer(tokens: keywordTokens),
                absoluteKeywordLocation: isSchema ? location : location + "/" + JSONPointer.escape(keyword), keyword: keyword,
                message: message()))
        return !firstErrorOnly
    }

    // MARK: - Nodes

    mutating func validate(_ index: Int, _ instance: JSON, _ evaluated: inout EvaluatedLocations?) -> Bool {
        let node = nodes + index
        switch node.pointee.kind {
        case .alwaysValid: return true
        case .alwaysInvalid:
            _ = report(node, "false", "no value is allowed here (the schema is false)")
            return false
        case .schema: break
        }
        if aborted { return false }
        depth += 1
        defer { depth -= 1 }
        if depth > program.maxDepth || stackBase &- Self.stackAddress() > program.stackBudget {
            aborted = true
            let maxDepth = program.maxDepth
            _ = report(node, "maxDepth", "validation exceeded \(maxDepth) nested schemas or its stack budget (a recursive schema?)")
            return false
        }
        var pushed = false
        if program.usesDynamicScope && scope.last != node.pointee.resource {
            scope.append(node.pointee.resource)
            pushed = true
        }
        defer { if pushed { scope.removeLast() } }
        if node.pointee.collectsAnnotations {
            var local: EvaluatedLocations? = EvaluatedLocations()
            let valid = body(node, instance, &local)
            if valid && evaluated != nil { evaluated!.merge(local!) }
            return valid
        }
        return body(node, instance, &evaluated)
    }

    @inline(never)
    mutating func reportType(_ node: UnsafeMutablePointer<Node>, _ instance: JSON) -> Bool {
        let mask = node.pointee.typeMask
        return report(node, "type", "\(Preview.of(instance)) is not of type \(TypeBits.names(mask))")
    }

    /// The address of a local variable: how deep the stack is here.
    @inline(never)
    static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    mutating func body(_ node: UnsafeMutablePointer<Node>, _ instance: JSON, _ evaluated: inout EvaluatedLocations?) -> Bool {
        var valid = true
        let mask = node.pointee.typeMask
        if mask != 0 && mask & TypeBits.of(instance) == 0 {
            valid = false
            if !reportType(node, instance) { return false }
        }
        var k = Int(node.pointee.opsStart)
        var end = Int(node.pointee.anyEnd)
        while k < end {
            if !applyAny(ops[k], node, instance, &evaluated) {
                valid = false
                if !continuesAfterFailure { return false }
            }
            k += 1
        }
        switch instance {
        case .number(let number):
            k = end
            end = Int(node.pointee.numberEnd)
            while k < end {
                if !applyNumber(ops[k], node, number) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
                k += 1
            }
        case .string(let string):
            k = Int(node.pointee.numberEnd)
            end = Int(node.pointee.stringEnd)
            while k < end {
                if !applyString(ops[k], node, string) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
                k += 1
            }
        case .array(let array):
            k = Int(node.pointee.stringEnd)
            end = Int(node.pointee.arrayEnd)
            while k < end {
                if !applyArray(ops[k], node, array, &evaluated) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
                k += 1
            }
            if node.pointee.unevaluatedItems >= 0 && !applyUnevaluatedItems(node, array, &evaluated) {
                valid = false
                if !continuesAfterFailure { return false }
            }
        case .object(let object):
            k = Int(node.pointee.arrayEnd)
            end = Int(node.pointee.objectEnd)
            while k < end {
                if !applyObject(ops[k], node, object, &evaluated) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
                k += 1
            }
            if node.pointee.unevaluatedProperties >= 0 && !applyUnevaluatedProperties(node, object, &evaluated) {
                valid = false
                if !continuesAfterFailure { return false }
            }
        default:
            break
        }
        return valid
    }

    @inline(never)
    mutating func applyUnevaluatedItems(_ node: UnsafeMutablePointer<Node>, _ array: [JSON], _ evaluated: inout EvaluatedLocations?) -> Bool {
        let schema = node.pointee.unevaluatedItems
        let seen = evaluated!
        var valid = true
        for i in array.indices where !seen.isItemEvaluated(i) {
            if !child(schema, array[i], .index(i), "unevaluatedItems", nil) {
                valid = false
                if !continuesAfterFailure { return false }
            }
        }
        if valid { evaluated!.allItems = true }
        return valid
    }

    @inline(never)
    mutating func applyUnevaluatedProperties(
        _ node: UnsafeMutablePointer<Node>, _ object: JSONObject, _ evaluated: inout EvaluatedLocations?
    ) -> Bool {
        let schema = node.pointee.unevaluatedProperties
        let seen = evaluated!
        var valid = true
        let keys = object.keys
        let values = object.values
        for i in keys.indices where !seen.isPropertyEvaluated(i) {
            if nodes[schema].kind == .alwaysInvalid {
                valid = false
                if !report(node, "unevaluatedProperties", "property \(Preview.quoted(keys[i])) is not allowed (unevaluated)") {
                    return false
                }
            } else if !child(schema, values[i], .key(keys[i]), "unevaluatedProperties", nil) {
                valid = false
                if !continuesAfterFailure { return false }
            }
        }
        if valid { evaluated!.allProperties = true }
        return valid
    }

    // MARK: - Descending

    /// Validates a member or item of the instance against subschema `index`.
    @inline(__always)
    mutating func child(_ index: Int, _ value: JSON, _ location: PathToken, _ keyword: String, _ member: PathToken?) -> Bool {
        if nodes[index].kind == .alwaysValid { return true }
        var none: EvaluatedLocations? = nil
        if !collecting { return validate(index, value, &none) }
        instancePath.append(location)
        keywordPath.append(.key(keyword))
        if let member { keywordPath.append(member) }
        let valid = validate(index, value, &none)
        instancePath.removeLast()
        keywordPath.removeLast(member == nil ? 1 : 2)
        return valid
    }

    /// Validates the same instance against subschema `index` (an in-place applicator), sharing annotations.
    @inline(__always)
    mutating func inPlace(
        _ index: Int, _ instance: JSON, _ evaluated: inout EvaluatedLocations?, _ keyword: String, _ member: PathToken?
    ) -> Bool {
        if !collecting { return validate(index, instance, &evaluated) }
        keywordPath.append(.key(keyword))
        if let member { keywordPath.append(member) }
        let valid = validate(index, instance, &evaluated)
        keywordPath.removeLast(member == nil ? 1 : 2)
        return valid
    }

    /// Evaluates without reporting (branches of `anyOf`, `oneOf`, `not`, `if`, `contains`).
    @inline(__always)
    mutating func quietly(_ index: Int, _ instance: JSON, _ evaluated: inout EvaluatedLocations?) -> Bool {
        let saved = collecting
        collecting = false
        let valid = validate(index, instance, &evaluated)
        collecting = saved
        return valid
    }

    mutating func resolveDynamic(_ target: Int, _ anchorIndex: Int) -> Int {
        guard anchorIndex >= 0 else { return target }
        let anchor = program.anchorNames[anchorIndex]
        for resource in scope {
            if let n = program.dynamicAnchors[Int(resource)][anchor] { return n }
        }
        return target
    }

    // MARK: - Keywords

    @inline(never)
    mutating func applyAny(_ op: Op, _ node: UnsafeMutablePointer<Node>, _ instance: JSON, _ evaluated: inout EvaluatedLocations?) -> Bool {
        switch op {
        case .const(let c):
            let value = constants[c]
            if ExactSemantics.equal(instance, value) { return true }
            _ = report(node, "const", "\(Preview.of(instance)) is not the constant \(Preview.of(value))")
            return false
        case .enumeration(let start, let count):
            for k in start..<(start + count) where ExactSemantics.equal(instance, constants[k]) { return true }
            let values = Array(UnsafeBufferPointer(start: constants + start, count: count))
            _ = report(node, "enum", "\(Preview.of(instance)) is not one of \(Preview.of(.array(values)))")
            return false
        case .ref(let target):
            return inPlace(target, instance, &evaluated, "$ref", nil)
        case .dynamicRef(let target, let anchor):
            return inPlace(resolveDynamic(target, anchor), instance, &evaluated, "$dynamicRef", nil)
        case .allOf(let start, let count):
            var valid = true
            for i in 0..<count where !inPlace(ints[start + i], instance, &evaluated, "allOf", .index(i)) {
                valid = false
                if !continuesAfterFailure { return false }
            }
            return valid
        case .anyOf(let start, let count):
            var valid = false
            if evaluated == nil {
                var none: EvaluatedLocations? = nil
                for k in start..<(start + count) where quietly(ints[k], instance, &none) {
                    valid = true
                    break
                }
            } else {
                for k in start..<(start + count) {
                    var branch: EvaluatedLocations? = EvaluatedLocations()
                    if quietly(ints[k], instance, &branch) {
                        valid = true
                        evaluated!.merge(branch!)
                    }
                }
            }
            if !valid { _ = report(node, "anyOf", "\(Preview.of(instance)) does not match any of the anyOf schemas") }
            return valid
        case .oneOf(let start, let schemaCount):
            var matches: [Int] = []
            var matched = -1
            var count = 0
            var kept: EvaluatedLocations? = nil
            for i in 0..<schemaCount {
                var branch: EvaluatedLocations? = evaluated == nil ? nil : EvaluatedLocations()
                if quietly(ints[start + i], instance, &branch) {
                    count += 1
                    if count == 1 {
                        matched = i
                        kept = branch
                    } else {
                        if collecting {
                            if matches.isEmpty { matches.append(matched) }
                            matches.append(i)
                        } else {
                            return false
                        }
                    }
                }
            }
            if count == 1 {
                if evaluated != nil, let kept { evaluated!.merge(kept) }
                return true
            }
            if count == 0 {
                _ = report(node, "oneOf", "\(Preview.of(instance)) does not match any of the oneOf schemas")
            } else {
                _ = report(
                    node, "oneOf",
                    "\(Preview.of(instance)) matches more than one of the oneOf schemas (\(matches.map(String.init).joined(separator: ", ")))")
            }
            return false
        case .not(let schema):
            var none: EvaluatedLocations? = nil
            if !quietly(schema, instance, &none) { return true }
            _ = report(node, "not", "\(Preview.of(instance)) must not match the \"not\" schema")
            return false
        case .conditional(let condition, let then, let otherwise):
            if then < 0 && otherwise < 0 && evaluated == nil { return true }
            var branch: EvaluatedLocations? = evaluated == nil ? nil : EvaluatedLocations()
            if quietly(condition, instance, &branch) {
                if evaluated != nil, let branch { evaluated!.merge(branch) }
                return then < 0 || inPlace(then, instance, &evaluated, "then", nil)
            }
            return otherwise < 0 || inPlace(otherwise, instance, &evaluated, "else", nil)
        default:
            return true
        }
    }

    @inline(never)
    mutating func applyNumber(_ op: Op, _ node: UnsafeMutablePointer<Node>, _ x: Double) -> Bool {
        switch op {
        case .minimum(let m):
            if x >= m { return true }
            _ = report(node, "minimum", "\(Preview.number(x)) is less than the minimum of \(Preview.number(m))")
        case .maximum(let m):
            if x <= m { return true }
            _ = report(node, "maximum", "\(Preview.number(x)) is greater than the maximum of \(Preview.number(m))")
        case .exclusiveMinimum(let m):
            if x > m { return true }
            _ = report(node, "exclusiveMinimum", "\(Preview.number(x)) is not greater than \(Preview.number(m))")
        case .exclusiveMaximum(let m):
            if x < m { return true }
            _ = report(node, "exclusiveMaximum", "\(Preview.number(x)) is not less than \(Preview.number(m))")
        case .multipleOf(let m):
            if ExactSemantics.isMultiple(x, of: m) { return true }
            _ = report(node, "multipleOf", "\(Preview.number(x)) is not a multiple of \(Preview.number(m))")
        default:
            return true
        }
        return false
    }

    @inline(never)
    mutating func applyString(_ op: Op, _ node: UnsafeMutablePointer<Node>, _ s: String) -> Bool {
        switch op {
        case .minLength(let m):
            let bytes = s.utf8.count
            if bytes >= m && (bytes >= 4 * m || s.unicodeScalars.count >= m) { return true }
            _ = report(node, "minLength", "\(Preview.quoted(s)) is shorter than \(m) character\(m == 1 ? "" : "s")")
        case .maxLength(let m):
            if s.utf8.count <= m || s.unicodeScalars.count <= m { return true }
            _ = report(node, "maxLength", "\(Preview.quoted(s)) is longer than \(m) character\(m == 1 ? "" : "s")")
        case .pattern(let p):
            let pattern = patterns[p]
            switch Patterns.matches(pattern, s) {
            case true?: return true
            case false?: _ = report(node, "pattern", "\(Preview.quoted(s)) does not match pattern \(Preview.quoted(pattern.source))")
            case nil:
                _ = report(node, "pattern", "pattern \(Preview.quoted(pattern.source)) is too complex to evaluate on \(Preview.quoted(s))")
            }
        case .format(let format):
            if format.isValid(s) { return true }
            _ = report(node, "format", "\(Preview.quoted(s)) does not match format \"\(format.rawValue)\"")
        default:
            return true
        }
        return false
    }

    @inline(never)
    mutating func applyArray(_ op: Op, _ node: UnsafeMutablePointer<Node>, _ array: [JSON], _ evaluated: inout EvaluatedLocations?) -> Bool {
        switch op {
        case .minItems(let m):
            if array.count >= m { return true }
            _ = report(node, "minItems", "array has \(array.count) item\(array.count == 1 ? "" : "s"), fewer than the minimum of \(m)")
            return false
        case .maxItems(let m):
            if array.count <= m { return true }
            _ = report(node, "maxItems", "array has \(array.count) items, more than the maximum of \(m)")
            return false
        case .uniqueItems:
            guard let (i, j) = ExactSemantics.firstDuplicate(array) else { return true }
            _ = report(node, "uniqueItems", "items \(i) and \(j) are equal (\(Preview.of(array[i]))), but items must be unique")
            return false
        case .prefixItems(let start, let count):
            var valid = true
            let n = min(count, array.count)
            for i in 0..<n where !child(ints[start + i], array[i], .index(i), "prefixItems", .index(i)) {
                valid = false
                if !continuesAfterFailure { return false }
            }
            if evaluated != nil { evaluated!.itemPrefix = max(evaluated!.itemPrefix, n) }
            return valid
        case .items(let schema, let start):
            var valid = true
            if start < array.count {
                if nodes[schema].kind == .alwaysInvalid {
                    _ = report(node, "items", "array has \(array.count) items, more than the \(start) allowed")
                    return false
                }
                for i in start..<array.count where !child(schema, array[i], .index(i), "items", nil) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            if evaluated != nil { evaluated!.allItems = true }
            return valid
        case .contains(let schema, let minimum, let maximum):
            var count = 0
            var none: EvaluatedLocations? = nil
            let needsAll = evaluated != nil || maximum != Int.max
            for i in array.indices where quietly(schema, array[i], &none) {
                count += 1
                if evaluated != nil { evaluated!.markItem(i) }
                if !needsAll && count >= minimum { break }
            }
            if count < minimum {
                if minimum == 1 {
                    _ = report(node, "contains", "no item of the array matches the contains schema")
                } else {
                    _ = report(node, "minContains", "\(count) item\(count == 1 ? "" : "s") match the contains schema, fewer than \(minimum)")
                }
                return false
            }
            if count > maximum {
                _ = report(node, "maxContains", "\(count) items match the contains schema, more than \(maximum)")
                return false
            }
            return true
        default:
            return true
        }
    }

    @inline(never)
    mutating func applyObject(_ op: Op, _ node: UnsafeMutablePointer<Node>, _ object: JSONObject, _ evaluated: inout EvaluatedLocations?) -> Bool {
        switch op {
        case .properties(let a):
            return applyProperties(applicators + a, node, object, &evaluated)
        case .required(let start, let count):
            var valid = true
            for k in start..<(start + count) where object.position(of: strings[k]) == nil {
                valid = false
                let name = strings[k]
                if !report(node, "required", "missing required property \(Preview.quoted(name))") { return false }
            }
            return valid
        case .minProperties(let m):
            if object.count >= m { return true }
            _ = report(node, "minProperties", "object has \(object.count) properties, fewer than the minimum of \(m)")
            return false
        case .maxProperties(let m):
            if object.count <= m { return true }
            _ = report(node, "maxProperties", "object has \(object.count) properties, more than the maximum of \(m)")
            return false
        case .dependentRequired(let start, let count):
            var valid = true
            for d in 0..<count where object.position(of: strings[ints[start + 3 * d]]) != nil {
                let name = strings[ints[start + 3 * d]]
                let requiredStart = ints[start + 3 * d + 1]
                for k in requiredStart..<(requiredStart + ints[start + 3 * d + 2]) where object.position(of: strings[k]) == nil {
                    valid = false
                    let other = strings[k]
                    if !report(node, "dependentRequired", "property \(Preview.quoted(other)) is required when \(Preview.quoted(name)) is present") {
                        return false
                    }
                }
            }
            return valid
        case .dependentSchemas(let start, let count):
            var valid = true
            for d in 0..<count where object.position(of: strings[ints[start + 2 * d]]) != nil {
                let name = strings[ints[start + 2 * d]]
                if !inPlace(ints[start + 2 * d + 1], .object(object), &evaluated, "dependentSchemas", .key(name)) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            return valid
        case .propertyNames(let schema):
            var valid = true
            for key in object.keys where !child(schema, .string(key), .key(key), "propertyNames", nil) {
                valid = false
                if !continuesAfterFailure { return false }
            }
            return valid
        default:
            return true
        }
    }

    mutating func applyProperties(
        _ applicator: UnsafeMutablePointer<ObjectApplicator>, _ node: UnsafeMutablePointer<Node>, _ object: JSONObject,
        _ evaluated: inout EvaluatedLocations?
    ) -> Bool {
        var valid = true
        let keys = object.keys
        let values = object.values
        let a = applicator.pointee
        let names = strings + a.namesStart
        let propertyNodes = ints + a.nodesStart
        var hint = 0
        var seen: UInt64 = 0
        for i in keys.indices {
            let key = keys[i]
            var matched = false
            // Records usually list their members in the schema's order: try the next name first.
            var position = -1
            if hint < a.propertyCount && names[hint] == key {
                position = hint
            } else if a.lookup >= 0 {
                position = program.lookups[a.lookup][key] ?? -1
            } else {
                var p = 0
                while p < a.propertyCount {
                    if names[p] == key {
                        position = p
                        break
                    }
                    p += 1
                }
            }
            if position >= 0 {
                hint = position + 1
                if position < 64 { seen |= 1 << UInt64(position) }
                matched = true
                if !child(propertyNodes[position], values[i], .key(key), "properties", .key(key)) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            if a.patternCount > 0 {
                for j in 0..<a.patternCount where Patterns.matches(patterns[a.patternsStart + j], key) != false {
                    matched = true
                    let source = patterns[a.patternsStart + j].source
                    if !child(ints[a.patternNodesStart + j], values[i], .key(key), "patternProperties", .key(source)) {
                        valid = false
                        if !continuesAfterFailure { return false }
                    }
                }
            }
            if !matched && a.additional >= 0 {
                matched = true
                if nodes[a.additional].kind == .alwaysInvalid {
                    valid = false
                    if !report(node, "additionalProperties", "property \(Preview.quoted(key)) is not allowed (additional)") { return false }
                } else if !child(a.additional, values[i], .key(key), "additionalProperties", nil) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            if matched && evaluated != nil { evaluated!.markProperty(i) }
        }
        var missing = a.requiredMask & ~seen
        while missing != 0 {
            let bit = missing.trailingZeroBitCount
            missing &= missing - 1
            valid = false
            let name = names[bit]
            if !report(node, "required", "missing required property \(Preview.quoted(name))") { return false }
        }
        return valid
    }
}
