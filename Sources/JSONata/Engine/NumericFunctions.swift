import JSONValue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Library {
    static let numericFunctions: [Builtin] = [
        builtin("number", "<(nsb)-:n>", 1) { _, args, _ throws(JSONataError) in
            guard let v = arg(args, 0) else { return nil }
            switch v {
            case .number: return v
            case .bool(let b): return .number(b ? 1 : 0)
            case .string(let s):
                if let n = parseNumber(s) { return .number(n) }
            default: break
            }
            throw JSONataError(code: "D3030", message: "Unable to cast value to a number", value: v.toJSON())
        },
        builtin("abs", "<n-:n>", 1) { _, args, _ in num(args, 0).map { .number(abs($0)) } },
        builtin("floor", "<n-:n>", 1) { _, args, _ in num(args, 0).map { .number(($0).rounded(.down)) } },
        builtin("ceil", "<n-:n>", 1) { _, args, _ in num(args, 0).map { .number(($0).rounded(.up)) } },
        builtin("round", "<n-n?:n>", 2) { _, args, _ in
            guard let n = num(args, 0) else { return nil }
            return .number(Library.round(n, Swift.max(-400, Swift.min(400, Library.int(num(args, 1) ?? 0)))))
        },
        builtin("sqrt", "<n-:n>", 1) { _, args, _ throws(JSONataError) in
            guard let n = num(args, 0) else { return nil }
            if n < 0 {
                throw JSONataError(code: "D3060", message: "The sqrt function cannot be applied to a negative number: \(n)", value: .number(n))
            }
            return .number(n.squareRoot())
        },
        builtin("power", "<n-n:n>", 2) { _, args, _ throws(JSONataError) in
            guard let b = num(args, 0) else { return nil }
            let e = num(args, 1) ?? 0
            let r = pow(b, e)
            if !r.isFinite {
                throw JSONataError(
                    code: "D3061", message: "The power function has resulted in a value that cannot be represented as a JSON number",
                    value: .number(b))
            }
            return .number(r)
        },
        builtin("random", "<:n>", 0) { _, _, _ in .number(Double.random(in: 0..<1)) },
        builtin("sum", "<a<n>:n>", 1) { ev, args, _ throws(JSONataError) in
            guard let a = items(args, 0) else { return nil }
            var total = 0.0
            for case .number(let n) in a {
                try ev.poll()
                total += n
            }
            return .number(total)
        },
        builtin("max", "<a<n>:n>", 1) { ev, args, _ throws(JSONataError) in
            guard let a = items(args, 0), !a.isEmpty else { return nil }
            var m = -Double.infinity
            for case .number(let n) in a {
                try ev.poll()
                m = Swift.max(m, n)
            }
            return .number(m)
        },
        builtin("min", "<a<n>:n>", 1) { ev, args, _ throws(JSONataError) in
            guard let a = items(args, 0), !a.isEmpty else { return nil }
            var m = Double.infinity
            for case .number(let n) in a {
                try ev.poll()
                m = Swift.min(m, n)
            }
            return .number(m)
        },
        builtin("average", "<a<n>:n>", 1) { ev, args, _ throws(JSONataError) in
            guard let a = items(args, 0), !a.isEmpty else { return nil }
            var total = 0.0
            for case .number(let n) in a {
                try ev.poll()
                total += n
            }
            return .number(total / Double(a.count))
        },
        builtin("count", "<a:n>", 1) { _, args, _ in .number(Double(items(args, 0)?.count ?? 0)) },
    ]

    /// `$number` string parsing: JSON-style decimals, plus 0x/0o/0b integers.
    static func parseNumber(_ s: String) -> Double? {
        let u = Array(s.utf8)
        if u.count > 2 && u[0] == 0x30 {
            let radix: Int? =
                switch u[1] {
                case 0x78, 0x58: 16
                case 0x6F, 0x4F: 8
                case 0x62, 0x42: 2
                default: nil
                }
            if let radix {
                return Int(String(decoding: u[2...], as: UTF8.self), radix: radix).map(Double.init)
            }
        }
        // ^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$
        var i = 0
        func digits() -> Bool {
            let start = i
            while i < u.count && u[i] >= 0x30 && u[i] <= 0x39 { i += 1 }
            return i > start
        }
        if i < u.count && u[i] == 0x2D { i += 1 }
        guard digits() else { return nil }
        if i < u.count && u[i] == 0x2E {
            i += 1
            guard digits() else { return nil }
        }
        if i < u.count && (u[i] == 0x45 || u[i] == 0x65) {
            i += 1
            if i < u.count && (u[i] == 0x2B || u[i] == 0x2D) { i += 1 }
            guard digits() else { return nil }
        }
        guard i == u.count, let d = Double(s), d.isFinite else { return nil }
        return d
    }

    /// Round half to even at `precision` decimal places, shifting in decimal as the reference does.
    static func round(_ value: Double, _ precision: Int) -> Double {
        var arg = value
        if precision != 0 { arg = shift(arg, precision) }
        var result = (arg + 0.5).rounded(.down)
        let diff = result - arg
        if abs(diff) == 0.5 && abs(result.truncatingRemainder(dividingBy: 2)) == 1 { result -= 1 }
        if precision != 0 { result = shift(result, -precision) }
        if result == 0 { result = 0 }
        return result
    }

    /// `+(mantissa + 'e' + (exponent + places))` on the JavaScript string form.
    static func shift(_ v: Double, _ places: Int) -> Double {
        let text = JSNumberFormat.format(v)
        var mantissa = Substring(text)
        var exp = 0
        if let e = text.firstIndex(of: "e") {
            mantissa = text[..<e]
            exp = Int(text[text.index(after: e)...].replacingPlus()) ?? 0
        }
        return Double("\(mantissa)e\(exp + places)") ?? v
    }
}

extension Substring {
    fileprivate func replacingPlus() -> Substring { first == "+" ? dropFirst() : self }
}
