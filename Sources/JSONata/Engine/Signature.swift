/// A function signature such as `<s-n?:s>`, validated and applied as the reference does:
/// arguments are typed to symbols and matched against one pattern element per parameter.
struct Signature: Sendable {
    struct Param: Sendable {
        /// Allowed type symbols (`s n b l o a f m`), as a bit mask of `Signature.bit`.
        var allowed: UInt16
        var type: String
        var optional = false
        var oneOrMore = false
        var context = false
        var contextAllowed: UInt16 = 0
        var isArray = false
        var subtype: String?
    }

    var definition: String
    var params: [Param] = []
    var hasOneOrMore = false

    init(_ signature: String) throws(JSONataError) {
        definition = signature
        let chars = Array(signature)
        var position = 1
        var param: Param? = nil
        func findClosing(_ start: Int, _ open: Character, _ close: Character) -> Int {
            var depth = 1
            var p = start
            while p < chars.count {
                p += 1
                if p >= chars.count { break }
                if chars[p] == close {
                    depth -= 1
                    if depth == 0 { break }
                } else if chars[p] == open {
                    depth += 1
                }
            }
            return p
        }
        func set(_ s: String) -> UInt16 { s.reduce(0) { $0 | Signature.bit($1) } }
        while position < chars.count {
            let symbol = chars[position]
            if symbol == ":" { break }
            switch symbol {
            case "s", "n", "b", "l", "o":
                params.append(Param(allowed: Signature.bit(symbol) | Signature.bit("m"), type: String(symbol)))
            case "a":
                var p = Param(allowed: set("asnblfom"), type: "a")
                p.isArray = true
                params.append(p)
            case "f":
                params.append(Param(allowed: Signature.bit("f"), type: "f"))
            case "j":
                params.append(Param(allowed: set("asnblom"), type: "j"))
            case "x":
                params.append(Param(allowed: set("asnblfom"), type: "x"))
            case "-":
                if !params.isEmpty {
                    params[params.count - 1].context = true
                    params[params.count - 1].contextAllowed = params[params.count - 1].allowed
                    params[params.count - 1].optional = true
                }
            case "?":
                if !params.isEmpty { params[params.count - 1].optional = true }
            case "+":
                if !params.isEmpty { params[params.count - 1].oneOrMore = true }
            case "(":
                let end = findClosing(position, "(", ")")
                let choice = String(chars[(position + 1)..<min(end, chars.count)])
                if choice.contains("<") {
                    throw JSONataError(
                        code: "S0402", message: "Choice groups containing parameterized types are not supported", position: position,
                        value: .string(choice))
                }
                params.append(Param(allowed: set(choice + "m"), type: "(\(choice))"))
                position = end
            case "<":
                if let last = params.last, last.type == "a" || last.type == "f" {
                    let end = findClosing(position, "<", ">")
                    params[params.count - 1].subtype = String(chars[(position + 1)..<min(end, chars.count)])
                    position = end
                } else {
                    throw JSONataError(
                        code: "S0401", message: "Type parameters can only be applied to functions and arrays", position: position,
                        value: .string(params.last?.type ?? ""))
                }
            default: break
            }
            _ = param
            param = nil
            position += 1
        }
        hasOneOrMore = params.contains { $0.oneOrMore }
    }

    static func bit(_ c: Character) -> UInt16 {
        switch c {
        case "s": 1
        case "n": 2
        case "b": 4
        case "l": 8
        case "o": 16
        case "a": 32
        case "f": 64
        case "m": 128
        default: 0
        }
    }

    static func symbol(_ v: Value?) -> Character {
        guard let v else { return "m" }
        switch v {
        case .undefined: return "m"  // the reference's getSymbol: typeof undefined is 'm' (missing)
        case .string: return "s"
        case .number: return "n"
        case .bool: return "b"
        case .null: return "l"
        case .array, .tuples: return "a"
        case .object: return "o"
        case .function: return "f"
        }
    }

    /// Matches `symbols` against the parameters; returns for each parameter the count of symbols it took.
    func match(_ symbols: [Character]) -> [Int]? {
        var counts = [Int](repeating: 0, count: params.count)
        func go(_ p: Int, _ i: Int) -> Bool {
            if p == params.count { return i == symbols.count }
            let param = params[p]
            var maxTake = 0
            while i + maxTake < symbols.count && param.allowed & Signature.bit(symbols[i + maxTake]) != 0 {
                maxTake += 1
                if !param.oneOrMore { break }
            }
            let minTake = (param.optional) ? 0 : 1
            if maxTake < minTake { return false }
            var take = maxTake
            while take >= minTake {
                counts[p] = take
                if go(p + 1, i + take) { return true }
                take -= 1
            }
            return false
        }
        return go(0, 0) ? counts : nil
    }

    /// Validates `args` and returns them fixed up: the context substituted for a missing `-`
    /// argument, single values wrapped as arrays for `a` parameters.
    func validate(_ args: [Value?], context: Value?) throws(JSONataError) -> [Value?] {
        var out = args
        try conform(&out, context: context)
        return out
    }

    /// `validate` in place: the common case (arguments matching a prefix of the parameters one to
    /// one) appends to `args` without copying it when it has room.
    func conform(_ args: inout [Value?], context: Value?) throws(JSONataError) {
        if args.count <= params.count && !hasOneOrMore {
            // fast path: arguments match a prefix of the parameters one to one; the rest are optional
            var ok = true
            for i in 0..<params.count {
                let p = params[i]
                if i < args.count {
                    let symbol = Signature.symbol(args[i])
                    if p.allowed & Signature.bit(symbol) == 0 || (p.isArray && p.subtype != nil) {
                        ok = false
                        break
                    }
                } else if !p.optional || (p.context && p.contextAllowed & Signature.bit(Signature.symbol(context)) == 0) {
                    ok = false
                    break
                }
            }
            if ok {
                let given = args.count
                for i in 0..<params.count {
                    let p = params[i]
                    if i < given {
                        if p.isArray, let a = args[i], !a.isArray { args[i] = .array([a], []) }
                    } else {
                        args.append(p.context ? context : nil)
                    }
                }
                return
            }
        }
        args = try validateGeneral(args, context: context)
    }

    /// The general matcher, with the reference's error for the first argument that fails.
    func validateGeneral(_ args: [Value?], context: Value?) throws(JSONataError) -> [Value?] {
        let symbols = args.map(Signature.symbol)
        guard let counts = match(symbols) else {
            // find the first argument that fails, as the reference does
            var goodTo = 0
            for p in 0..<params.count {
                let partial = Signature(params: Array(params[0...p]))
                if let c = partial.prefixMatch(symbols) {
                    goodTo = c
                } else {
                    break
                }
            }
            throw JSONataError(
                code: "T0410", message: "Argument \(goodTo + 1) of function does not match function signature",
                value: goodTo < args.count ? args[goodTo]?.toJSON() : nil)
        }
        var out: [Value?] = []
        out.reserveCapacity(params.count)
        var argIndex = 0
        for (p, param) in params.enumerated() {
            let n = counts[p]
            if n == 0 {
                if param.context {
                    if param.contextAllowed & Signature.bit(Signature.symbol(context)) != 0 {
                        out.append(context)
                    } else {
                        throw JSONataError(
                            code: "T0411", message: "Context value is not a compatible type with argument \(argIndex + 1) of function",
                            value: context?.toJSON())
                    }
                } else {
                    if argIndex < args.count { out.append(args[argIndex]) } else { out.append(nil) }
                    argIndex += 1
                }
                continue
            }
            for _ in 0..<n {
                var arg = args[argIndex]
                let single = symbols[argIndex]
                if param.type == "a" {
                    if single == "m" {
                        arg = nil
                    } else {
                        if let sub = param.subtype {
                            var ok = true
                            if single != "a" && String(single) != sub {
                                ok = false
                            } else if single == "a", let items = arg?.arrayItems, let first = items.first {
                                let itemType = Signature.symbol(first)
                                if String(itemType) != String(sub.first!) {
                                    ok = false
                                } else {
                                    ok = items.allSatisfy { Signature.symbol($0) == itemType }
                                }
                            }
                            if !ok {
                                throw JSONataError(
                                    code: "T0412", message: "Argument \(argIndex + 1) of function must be an array of \(Signature.typeName(sub))",
                                    value: arg?.toJSON())
                            }
                        }
                        if single != "a", let a = arg { arg = .array([a], []) }
                    }
                }
                out.append(arg)
                argIndex += 1
            }
        }
        return out
    }

    private init(params: [Param]) {
        definition = ""
        self.params = params
    }

    /// Length of the longest prefix of `symbols` these params can match (regex `^...` semantics), or nil.
    private func prefixMatch(_ symbols: [Character]) -> Int? {
        for end in stride(from: symbols.count, through: 0, by: -1) {
            if match(Array(symbols[0..<end])) != nil { return end }
        }
        return nil
    }

    static func typeName(_ s: String) -> String {
        switch s.first {
        case "s": "strings"
        case "n": "numbers"
        case "b": "booleans"
        case "o": "objects"
        case "f": "functions"
        case "a": "arrays"
        default: s
        }
    }
}
