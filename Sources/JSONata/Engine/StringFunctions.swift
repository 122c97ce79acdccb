import JSONValue

extension Library {
    static let stringFunctions: [Builtin] = [
        builtin("string", "<x-b?:s>", 1) { ev, args, _ throws(JSONataError) in
            guard let v = arg(args, 0) else { return nil }
            let pretty = boolean(arg(args, 1)) ?? false
            return .string(try string(v, pretty: pretty, ev))
        },
        builtin("substring", "<s-nn?:s>", 3) { _, args, _ in
            guard let s = str(args, 0) else { return nil }
            return .string(substring(s, num(args, 1) ?? 0, num(args, 2)))
        },
        builtin("substringBefore", "<s-s:s>", 2) { _, args, _ in
            guard let s = str(args, 0) else { return nil }
            guard let chars = str(args, 1) else { return .string(s) }
            if let r = s.range(of: chars) { return .string(String(s[..<r.lowerBound])) }
            return .string(s)
        },
        builtin("substringAfter", "<s-s:s>", 2) { _, args, _ in
            guard let s = str(args, 0) else { return nil }
            guard let chars = str(args, 1) else { return .string(s) }
            if let r = s.range(of: chars) { return .string(String(s[r.upperBound...])) }
            return .string(s)
        },
        builtin("lowercase", "<s-:s>", 1) { _, args, _ in str(args, 0).map { .string($0.lowercased()) } },
        builtin("uppercase", "<s-:s>", 1) { _, args, _ in str(args, 0).map { .string($0.uppercased()) } },
        builtin("length", "<s-:n>", 1) { _, args, _ in str(args, 0).map { .number(Double($0.unicodeScalars.count)) } },
        builtin("trim", "<s-:s>", 1) { _, args, _ in str(args, 0).map { .string(trim($0)) } },
        builtin("pad", "<s-ns?:s>", 3) { ev, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            let width = num(args, 1) ?? 0
            var padChar = str(args, 2) ?? " "
            if padChar.isEmpty { padChar = " " }
            // The width is capped (the reference has no cap) so a huge one cannot allocate gigabytes.
            let padLength = Swift.min(Library.int(abs(width)), 10_000_000) - s.unicodeScalars.count
            if padLength <= 0 { return .string(s) }
            let padScalars = Array(padChar.unicodeScalars)
            // Held to the size limit before it is built: at least the pad string's smallest code point, padLength times.
            let smallest = padScalars.lazy.map { UTF8.width($0) }.min() ?? 1
            try ev.checkStringSize(s.utf8.count + padLength * smallest)
            let padding: String
            if padScalars.count == 1 {
                padding = String(repeating: padChar, count: padLength)
            } else {
                // The pad string repeated and cut to padLength code points, built only that long
                // (repeating it padLength times first took gigabytes for a long pad string).
                var view = String.UnicodeScalarView()
                var k = 0
                for _ in 0..<padLength {
                    try ev.poll()
                    view.append(padScalars[k])
                    k += 1
                    if k == padScalars.count { k = 0 }
                }
                padding = String(view)
            }
            return .string(width > 0 ? s + padding : padding + s)
        },
        builtin("contains", "<s-(sf):b>", 2) { ev, args, ctx throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            switch arg(args, 1) {
            case .string(let t)?: return .bool(t.isEmpty || s.contains(t))
            case .function(let f)?:
                if case .regex(let r) = f.kind { return .bool(try findMatch(r, s, from: s.startIndex) != nil) }
                return .bool(!(try matcherResults(ev, arg(args, 1), s, limit: 1, ctx.env)).isEmpty)
            default: return nil
            }
        },
        builtin("split", "<s-(sf)n?:a<s>>", 3) { ev, args, ctx throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            let limit = num(args, 2)
            if let limit, limit < 0 {
                throw JSONataError(
                    code: "D3020", message: "Third argument of split function must evaluate to a positive number", value: .number(limit))
            }
            var parts: [String] = []
            switch arg(args, 1) {
            case .string(let sep)?:
                if sep.isEmpty {
                    parts = s.unicodeScalars.map { String($0) }
                } else {
                    parts = s.components(separatedByString: sep)
                }
            case .function?:
                let ms = try matcherResults(ev, arg(args, 1), s, limit: limit.map { Library.int($0) }, ctx.env)
                let u = Array(s.utf16)
                var start = 0
                for m in ms {
                    parts.append(String(decoding: u[start..<max(start, m.start)], as: UTF16.self))
                    start = m.end
                }
                if limit == nil || ms.count < Library.int(limit!) {
                    parts.append(String(decoding: u[min(start, u.count)...], as: UTF16.self))
                }
            default: return nil
            }
            if let limit { parts = Array(parts.prefix(Library.int(limit))) }
            return .array(parts.map { .string($0) }, [])
        },
        builtin("join", "<a<s>s?:s>", 2) { ev, args, _ throws(JSONataError) in
            guard let a = items(args, 0) else { return nil }
            let sep = str(args, 1) ?? ""
            // Held to the size limit before it is built (joining the same long string many times).
            var size = sep.utf8.count * Swift.max(a.count - 1, 0)
            for case .string(let s) in a {
                try ev.poll()
                size += s.utf8.count
            }
            try ev.checkStringSize(size)
            var out = ""
            out.reserveCapacity(size)
            var first = true
            for case .string(let s) in a {
                try ev.poll()
                if !first { out += sep }
                out += s
                first = false
            }
            return .string(out)
        },
        builtin("match", "<s-f<s:o>n?:a<o>>", 3) { ev, args, ctx throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            let limit = num(args, 2)
            if let limit, limit < 0 {
                throw JSONataError(
                    code: "D3040", message: "Third argument of match function must evaluate to a positive number", value: .number(limit))
            }
            let ms = try matcherResults(ev, arg(args, 1), s, limit: limit.map { Library.int($0) }, ctx.env)
            return .array(
                ms.map { m in
                    let o = ObjectRef()
                    o.set("match", .string(m.match))
                    o.set("index", .number(Double(m.start)))
                    o.set("groups", .array(m.groups, []))
                    return .object(o)
                }, .sequence)
        },
        builtin("replace", "<s-(sf)(sf)n?:s>", 4) { ev, args, ctx throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            let limit = num(args, 3)
            if case .string(let p)? = arg(args, 1), p.isEmpty {
                throw JSONataError(code: "D3010", message: "Second argument of replace function cannot be an empty string", value: .string(p))
            }
            if let limit, limit < 0 {
                throw JSONataError(
                    code: "D3011", message: "Fourth argument of replace function must evaluate to a positive number", value: .number(limit))
            }
            let max = limit.map { Library.int($0) }
            if max == 0 { return .string(s) }
            switch arg(args, 1) {
            case .string(let p)?:
                let replacement = str(args, 2) ?? ""
                var out = ""
                var rest = s[...]
                var count = 0
                while max == nil || count < max!, let r = rest.range(of: p) {
                    try ev.poll()
                    out += rest[..<r.lowerBound]
                    out += replacement
                    // A replacement longer than the pattern grows the string: held to the size limit as it grows.
                    try ev.checkStringSize(out.utf8.count)
                    rest = rest[r.upperBound...]
                    count += 1
                }
                out += rest
                return .string(out)
            case .function?:
                let ms = try matcherResults(ev, arg(args, 1), s, limit: max, ctx.env)
                if ms.isEmpty { return .string(s) }
                var out = ""
                var position = 0
                let u = Array(s.utf16)
                for m in ms {
                    out += String(decoding: u[position..<m.start], as: UTF16.self)
                    switch arg(args, 2) {
                    case .string(let rep)?:
                        out += substitute(rep, m)
                    case .function?:
                        let res = try ev.apply(arg(args, 2), [matchObject(m)], nil, ctx.env)
                        guard case .string(let t)? = res else {
                            throw JSONataError(
                                code: "D3012", message: "Attempted to replace a matched string with a non-string value", value: res?.toJSON())
                        }
                        out += t
                    default: break
                    }
                    try ev.checkStringSize(out.utf8.count)
                    position = m.end
                }
                out += String(decoding: u[position...], as: UTF16.self)
                return .string(out)
            default: return .string(s)
            }
        },
        builtin("base64encode", "<s-:s>", 1) { ev, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            try ev.checkStringSize((s.utf8.count + 2) / 3 * 4)
            return .string(Base64.encode(Array(s.utf8)))
        },
        builtin("base64decode", "<s-:s>", 1) { _, args, _ in
            str(args, 0).map { .string(String(decoding: Base64.decode($0), as: UTF8.self)) }
        },
        builtin("encodeUrlComponent", "<s-:s>", 1) { _, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            return .string(try URLCoding.encode(s, keep: URLCoding.componentSafe))
        },
        builtin("encodeUrl", "<s-:s>", 1) { _, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            return .string(try URLCoding.encode(s, keep: URLCoding.uriSafe))
        },
        builtin("decodeUrlComponent", "<s-:s>", 1) { _, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            return .string(try URLCoding.decode(s, reserved: []))
        },
        builtin("decodeUrl", "<s-:s>", 1) { _, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            return .string(try URLCoding.decode(s, reserved: Set(";/?:@&=+$,#".utf8)))
        },
    ]

    /// `$substring` over code points, with the reference's negative-start handling.
    static func substring(_ s: String, _ startArg: Double, _ lengthArg: Double?) -> String {
        let scalars = Array(s.unicodeScalars)
        let n = scalars.count
        var start = Library.int(startArg.rounded(.towardZero))
        if n + start < 0 { start = 0 }
        func slice(_ a: Int, _ b: Int) -> String {
            var lo = a < 0 ? max(n + a, 0) : min(a, n)
            let hi = b < 0 ? max(n + b, 0) : min(b, n)
            if lo > hi { lo = hi }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars[lo..<hi])
            return String(out)
        }
        if let lengthArg {
            if lengthArg <= 0 { return "" }
            let length = Library.int(lengthArg.rounded(.towardZero))
            let end = start >= 0 ? start + length : n + start + length
            return slice(start, end)
        }
        return slice(start, n)
    }

    static func trim(_ s: String) -> String {
        if let trimmed = s.utf8.withContiguousStorageIfAvailable({ trim(s, $0) }) { return trimmed }
        var copy = s
        return copy.withUTF8 { trim(s, $0) }
    }

    /// `trim` over the UTF-8 of `s`: runs of space, tab, CR and LF become one space, with none at
    /// either end. Only a string with inner runs (or non-space whitespace) is rebuilt byte by byte.
    private static func trim(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var lo = 0
        var hi = bytes.count
        while lo < hi && isSpace(bytes[lo]) { lo += 1 }
        while hi > lo && isSpace(bytes[hi - 1]) { hi -= 1 }
        // Inside the ends, is every whitespace byte a single space?
        var clean = true
        var previousSpace = false
        var k = lo
        while k < hi {
            let b = bytes[k]
            if b == 0x20 {
                if previousSpace {
                    clean = false
                    break
                }
                previousSpace = true
            } else if b == 0x09 || b == 0x0A || b == 0x0D {
                clean = false
                break
            } else {
                previousSpace = false
            }
            k += 1
        }
        if clean {
            if lo == 0 && hi == bytes.count { return s }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(hi - lo)
        var inSpace = false
        for b in UnsafeBufferPointer(rebasing: bytes[lo..<hi]) {
            if isSpace(b) {
                if !inSpace {
                    out.append(0x20)
                    inSpace = true
                }
            } else {
                out.append(b)
                inSpace = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func trimScalars(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var inSpace = false
        for c in s.unicodeScalars {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                if !inSpace {
                    out.append(" ")
                    inSpace = true
                }
            } else {
                out.append(c)
                inSpace = false
            }
        }
        if out.first == " " { out.removeFirst() }
        if out.last == " " { out.removeLast() }
        return String(out)
    }

    /// Expands `$n` references in a replacement string.
    static func substitute(_ replacement: String, _ m: RegexMatch) -> String {
        let r = Array(replacement.utf16)
        var out: [UInt16] = []
        var position = 0
        let groupCount = m.groups.count
        while position < r.count {
            let c = r[position]
            if c != 0x24 {
                out.append(c)
                position += 1
                continue
            }
            position += 1
            if position >= r.count {
                out.append(0x24)
                break
            }
            let d = r[position]
            if d == 0x24 {
                out.append(0x24)
                position += 1
            } else if d == 0x30 {
                out.append(contentsOf: m.match.utf16)
                position += 1
            } else {
                let maxDigits = groupCount == 0 ? 1 : String(groupCount).count
                var digits = 0
                var index = 0
                while digits < maxDigits && position + digits < r.count && r[position + digits] >= 0x30 && r[position + digits] <= 0x39 {
                    index = index * 10 + Int(r[position + digits] - 0x30)
                    digits += 1
                }
                if maxDigits > 1 && index > groupCount && digits > 1 {
                    index /= 10
                    digits -= 1
                }
                if digits == 0 {
                    out.append(0x24)
                } else {
                    if groupCount > 0 && index >= 1 && index <= groupCount, case .string(let g) = m.groups[index - 1] {
                        out.append(contentsOf: g.utf16)
                    }
                    position += digits
                }
            }
        }
        return String(decoding: out, as: UTF16.self)
    }
}

extension String {
    /// Splits on every occurrence of `separator` (JavaScript `split` with a string).
    func components(separatedByString separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let r = rest.range(of: separator) {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

extension Substring {
    /// The first occurrence of `needle` (exact, by Unicode scalars).
    func range(of needle: String) -> Range<Substring.Index>? {
        let n = needle.unicodeScalars
        guard let first = n.first else { return startIndex..<startIndex }
        let hay = self.unicodeScalars
        var i = hay.startIndex
        while i < hay.endIndex {
            if hay[i] == first {
                var j = i
                var k = n.startIndex
                while k < n.endIndex && j < hay.endIndex && hay[j] == n[k] {
                    j = hay.index(after: j)
                    k = n.index(after: k)
                }
                if k == n.endIndex { return i..<j }
            }
            i = hay.index(after: i)
        }
        return nil
    }
}

extension String {
    func range(of needle: String) -> Range<String.Index>? { self[...].range(of: needle) }

    func contains(_ needle: String) -> Bool { range(of: needle) != nil }
}
