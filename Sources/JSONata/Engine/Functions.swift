import JSONValue

extension Library {
    /// The function library, by name (without `$`).
    static let functions: [String: FunctionRef] = {
        var table: [String: FunctionRef] = [:]
        for b in stringFunctions + numericFunctions + collectionFunctions + higherOrderFunctions + miscFunctions + formattingFunctions {
            table[b.name] = FunctionRef(.native(b))
        }
        return table
    }()

    static func builtin(_ name: String, _ signature: String, _ arity: Int, _ impl: @escaping Builtin.Implementation) -> Builtin {
        // Signatures in the table are fixed and valid.
        let sig = try? Signature(signature)
        return Builtin(name: name, signature: sig, arity: arity, implementation: impl)
    }

    // MARK: argument helpers

    static func str(_ args: [Value?], _ i: Int) -> String? {
        if i < args.count, case .string(let s)? = args[i] { return s }
        return nil
    }

    static func num(_ args: [Value?], _ i: Int) -> Double? {
        if i < args.count, case .number(let n)? = args[i] { return n }
        return nil
    }

    static func arg(_ args: [Value?], _ i: Int) -> Value? { i < args.count ? args[i] : nil }

    static func items(_ args: [Value?], _ i: Int) -> [Value]? {
        guard let v = arg(args, i) else { return nil }
        if case .array(let a, _) = v { return a }
        return [v]
    }

    /// The arguments of a higher-order function's callback; an undefined array item is passed as undefined.
    static func hofArgs(_ fn: Value, _ a: Value?, _ b: Value?, _ c: Value?) -> [Value?] {
        let a = a?.defined
        guard case .function(let f) = fn else { return [a] }
        var out: [Value?] = [a]
        if f.arity >= 2 { out.append(b) }
        if f.arity >= 3 { out.append(c) }
        return out
    }

    static func isNumericArray(_ a: [Value]) -> Bool { a.allSatisfy { $0.isNumber } }
}
