import JSONValue

extension Library {
    static let collectionFunctions: [Builtin] = [
        builtin("boolean", "<x-:b>", 1) { _, args, _ in boolean(arg(args, 0)).map { .bool($0) } },
        // The reference's `!boolean(arg)` for a defined argument: true when its boolean is undefined (an array
        // holding one undefined item).
        builtin("not", "<x-:b>", 1) { _, args, _ in arg(args, 0).map { .bool(!(boolean($0) ?? false)) } },
        builtin("exists", "<x:b>", 1) { _, args, _ in .bool(arg(args, 0) != nil) },
        builtin("append", "<xx:a>", 2) { ev, args, _ throws(JSONataError) in
            // Held to the size limit before it is built: appending an array to itself doubles it.
            func count(_ v: Value?) -> Int { if case .array(let a, _)? = v { a.count } else { v == nil ? 0 : 1 } }
            try ev.checkArraySize(count(arg(args, 0)) + count(arg(args, 1)))
            return append(arg(args, 0), arg(args, 1))
        },
        builtin("reverse", "<a:a>", 1) { _, args, _ in
            guard let v = arg(args, 0), case .array(let a, let f) = v else { return nil }
            if a.count <= 1 { return v }
            return .array(a.reversed(), f.intersection(.sequence))
        },
        builtin("shuffle", "<a:a>", 1) { ev, args, _ throws(JSONataError) in
            guard let v = arg(args, 0), case .array(var a, _) = v else { return nil }
            if a.count <= 1 { return v }
            // Fisher-Yates, with the time limit's check points.
            var i = a.count - 1
            while i > 0 {
                try ev.poll()
                a.swapAt(i, Int.random(in: 0...i))
                i -= 1
            }
            return .array(a, [])
        },
        builtin("distinct", "<x:x>", 1) { ev, args, _ throws(JSONataError) in
            guard let v = arg(args, 0) else { return nil }
            guard case .array(let a, let f) = v, a.count > 1 else { return v }
            // First occurrences in order. Items are bucketed by a hash consistent with deep equality, so each is
            // compared only with the kept items that share its hash (comparing with every kept item was quadratic:
            // 100,000 distinct numbers took minutes).
            var out: [Value] = []
            var buckets: [Int: [Int]] = [:]
            buckets.reserveCapacity(a.count)
            for item in a {
                try ev.poll()
                var hasher = Hasher()
                deepHash(item, into: &hasher)
                let key = hasher.finalize()
                if let positions = buckets[key] {
                    if positions.contains(where: { deepEqual(out[$0], item) }) { continue }
                    buckets[key]!.append(out.count)
                } else {
                    buckets[key] = [out.count]
                }
                out.append(item)
            }
            return .array(out, f.intersection(.sequence))
        },
        builtin("zip", "<a+>", 1) { ev, args, _ throws(JSONataError) in
            let arrays = args.map { a -> [Value] in
                if case .array(let x, _)? = a { return x }
                return []
            }
            let n = arrays.map(\.count).min() ?? 0
            var out: [Value] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                try ev.poll()
                out.append(.array(arrays.map { $0[i] }, []))
            }
            return .array(out, [])
        },
        builtin("keys", "<x-:a<s>>", 1) { ev, args, _ throws(JSONataError) in
            // In first-seen order; the set makes the duplicate check constant time (a linear search of
            // the keys so far made $keys quadratic: 25,000 keys took 17 s).
            var keys: [String] = []
            var seen = Set<ObjectKey>()
            func collect(_ v: Value?) throws(JSONataError) {
                switch v {
                case .array(let a, _)?:
                    for e in a {
                        try ev.poll()
                        try collect(e)
                    }
                case .object(let o)?:
                    for k in o.keys {
                        try ev.poll()
                        if seen.insert(ObjectKey(k)).inserted { keys.append(k) }
                    }
                default: break
                }
            }
            try collect(arg(args, 0))
            return .array(keys.map { .string($0) }, .sequence)
        },
        builtin("lookup", "<x-s:x>", 2) { ev, args, _ throws(JSONataError) in
            guard let key = str(args, 1) else { return nil }
            return try Evaluator.lookupField(arg(args, 0), key, ev)
        },
        builtin("spread", "<x-:a<o>>", 1) { ev, args, _ throws(JSONataError) in
            func spread(_ v: Value?) throws(JSONataError) -> Value? {
                switch v {
                case .array(let a, _)?:
                    // What appending each item's spread to the result gives (an item's spread is never
                    // undefined), built in one array: appending copied the result each time (quadratic).
                    if a.isEmpty { return .emptySequence }
                    var items: [Value] = []
                    for e in a {
                        try ev.poll()
                        switch try spread(e) {
                        case .array(let x, _)?:
                            try ev.checkArraySize(items.count + x.count)
                            items.append(contentsOf: x)
                        case .undefined?, nil: break
                        case let other?: items.append(other)
                        }
                    }
                    return .array(items, [])
                case .object(let o)?:
                    var out: [Value] = []
                    let keys = o.keys
                    let values = o.values
                    out.reserveCapacity(keys.count)
                    for i in 0..<keys.count {
                        try ev.poll()
                        out.append(.object(ObjectRef(keys: [keys[i]], values: [values[i]])))
                    }
                    return .array(out, .sequence)
                default: return v
                }
            }
            return try spread(arg(args, 0))
        },
        builtin("merge", "<a<o>:o>", 1) { ev, args, _ throws(JSONataError) in
            guard let a = items(args, 0) else { return nil }
            let result = ObjectRef()
            for case .object(let o) in a {
                let keys = o.keys
                let values = o.values
                for i in 0..<keys.count {
                    try ev.poll()
                    result.set(keys[i], values[i])
                }
            }
            return .object(result)
        },
        builtin("type", "<x:s>", 1) { _, args, _ in
            guard let v = arg(args, 0) else { return nil }
            switch v {
            case .null: return .string("null")
            case .number: return .string("number")
            case .string: return .string("string")
            case .bool: return .string("boolean")
            case .array, .tuples: return .string("array")
            case .function: return .string("function")
            case .object: return .string("object")
            case .undefined: return nil
            }
        },
        builtin("error", "<s?:x>", 1) { _, args, _ throws(JSONataError) in
            throw JSONataError(code: "D3137", message: str(args, 0) ?? "$error() function evaluated")
        },
        builtin("assert", "<bs?:x>", 2) { _, args, _ throws(JSONataError) in
            if case .bool(true)? = arg(args, 0) { return nil }
            throw JSONataError(code: "D3141", message: str(args, 1) ?? "$assert() statement failed")
        },
        builtin("clone", "<(oa)-:o>", 1) { _, args, _ in arg(args, 0).map(deepClone) },
    ]

    static let higherOrderFunctions: [Builtin] = [
        builtin("map", "<af>", 2) { ev, args, ctx throws(JSONataError) in
            guard let a = items(args, 0), let fn = arg(args, 1) else { return nil }
            var out: [Value] = []
            let whole = arg(args, 0)
            for (i, item) in a.enumerated() {
                try ev.poll()
                if let r = try ev.apply(fn, hofArgs(fn, item, .number(Double(i)), whole), nil, ctx.env) { out.append(r) }
            }
            return .array(out, .sequence)
        },
        builtin("filter", "<af>", 2) { ev, args, ctx throws(JSONataError) in
            guard let a = items(args, 0), let fn = arg(args, 1) else { return nil }
            var out: [Value] = []
            let whole = arg(args, 0)
            for (i, item) in a.enumerated() {
                try ev.poll()
                let r = try ev.apply(fn, hofArgs(fn, item, .number(Double(i)), whole), nil, ctx.env)
                if boolean(r) == true { out.append(item) }
            }
            return .array(out, .sequence)
        },
        builtin("single", "<af?>", 2) { ev, args, ctx throws(JSONataError) in
            guard let a = items(args, 0) else { return nil }
            let fn = arg(args, 1)
            var found: Value? = nil
            var hasFound = false
            let whole = arg(args, 0)
            for (i, item) in a.enumerated() {
                try ev.poll()
                var positive = true
                if let fn {
                    positive = boolean(try ev.apply(fn, hofArgs(fn, item, .number(Double(i)), whole), nil, ctx.env)) == true
                }
                if positive {
                    if hasFound {
                        throw JSONataError(
                            code: "D3138", message: "The $single() function expected exactly 1 matching result.  Instead it matched more.")
                    }
                    found = item
                    hasFound = true
                }
            }
            if !hasFound {
                throw JSONataError(code: "D3139", message: "The $single() function expected exactly 1 matching result.  Instead it matched 0.")
            }
            return found
        },
        builtin("reduce", "<afj?:j>", 3) { ev, args, ctx throws(JSONataError) in
            guard let a = items(args, 0), let fn = arg(args, 1) else { return nil }
            let arity = if case .function(let f) = fn { f.arity } else { 0 }
            if arity < 2 {
                throw JSONataError(code: "D3050", message: "The second argument of reduce function must be a function with at least two arguments")
            }
            var result: Value?
            var index: Int
            if arg(args, 2) == nil && !a.isEmpty {
                result = a[0].defined
                index = 1
            } else {
                result = arg(args, 2)
                index = 0
            }
            while index < a.count {
                try ev.poll()
                var callArgs: [Value?] = [result, a[index].defined]
                if arity >= 3 { callArgs.append(.number(Double(index))) }
                if arity >= 4 { callArgs.append(arg(args, 0)) }
                result = try ev.apply(fn, callArgs, nil, ctx.env)
                index += 1
            }
            return result
        },
        builtin("sift", "<o-f?:o>", 2) { ev, args, ctx throws(JSONataError) in
            guard case .object(let o)? = arg(args, 0), let fn = arg(args, 1) else { return nil }
            let result = ObjectRef()
            for i in 0..<o.keys.count {
                try ev.poll()
                let r = try ev.apply(fn, hofArgs(fn, o.values[i], .string(o.keys[i]), arg(args, 0)), nil, ctx.env)
                if boolean(r) == true { result.set(o.keys[i], o.values[i]) }
            }
            return result.count == 0 ? nil : .object(result)
        },
        builtin("each", "<o-f:a>", 2) { ev, args, ctx throws(JSONataError) in
            guard case .object(let o)? = arg(args, 0), let fn = arg(args, 1) else { return nil }
            var out: [Value] = []
            for i in 0..<o.keys.count {
                try ev.poll()
                if let r = try ev.apply(fn, hofArgs(fn, o.values[i], .string(o.keys[i]), arg(args, 0)), nil, ctx.env) { out.append(r) }
            }
            return .array(out, .sequence)
        },
        builtin("sort", "<af?:a>", 2) { ev, args, ctx throws(JSONataError) in
            guard let v = arg(args, 0) else { return nil }
            guard case .array(let a, _) = v, a.count > 1 else { return v }
            if let fn = arg(args, 1) {
                let sorted = try mergeSort(a, ev) { (x, y) throws(JSONataError) in
                    boolean(try ev.apply(fn, [x.defined, y.defined], nil, ctx.env)) == true
                }
                return .array(sorted, [])
            }
            if a.allSatisfy(\.isNumber) {
                return .array(
                    try mergeSort(a, ev) { x, y in
                        if case .number(let p) = x, case .number(let q) = y { return p > q }
                        return false
                    }, [])
            }
            if a.allSatisfy(\.isString) {
                return .array(
                    try mergeSort(a, ev) { x, y in
                        if case .string(let p) = x, case .string(let q) = y { return compareStrings(p, q) > 0 }
                        return false
                    }, [])
            }
            throw JSONataError(
                code: "D3070",
                message:
                    "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"
            )
        },
    ]

    static let miscFunctions: [Builtin] = [
        builtin("eval", "<sx?:x>", 2) { ev, args, ctx throws(JSONataError) in
            guard let text = str(args, 0) else { return nil }
            var input = ctx.input
            if let focus = arg(args, 1) {
                input = focus
                if case .array(let a, let f) = focus, !f.contains(.sequence) { input = .array([.array(a, f)], [.sequence, .outerWrapper]) }
            }
            let ast: Node
            do throws(JSONataError) {
                ast = try ASTProcessor.process(try Parser.parse(text))
            } catch {
                throw JSONataError(
                    code: "D3120", message: "Syntax error in expression passed to function eval: \(error.message)", value: .string(error.message))
            }
            do throws(JSONataError) {
                return try ev.evaluate(ast, input, ctx.env)
            } catch {
                if error.code == "U1001" { throw error }
                throw JSONataError(
                    code: "D3121", message: "Dynamic error evaluating the expression passed to function eval: \(error.message)",
                    value: .string(error.message))
            }
        },
        builtin("millis", "<:n>", 0) { ev, _, _ in .number(ev.timestampMillis) },
    ]
}
