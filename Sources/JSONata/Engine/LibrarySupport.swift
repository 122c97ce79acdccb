import ECMARegex
import JSONValue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shared semantics used by the operators and the function library: truthiness, string
/// conversion, equality, sequence appending, sorting and regex matching.
enum Library {
    /// A double as an `Int` without trapping: NaN becomes 0 and the range is clamped to ±2^53.
    @inline(__always)
    static func int(_ d: Double) -> Int {
        if d.isNaN { return 0 }
        return Int(Swift.max(-9_007_199_254_740_992, Swift.min(9_007_199_254_740_992, d)))
    }

    /// `$boolean` semantics; nil for undefined.
    static func boolean(_ v: Value?) -> Bool? {
        guard let v else { return nil }
        switch v {
        case .undefined: return nil
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0 && !n.isNaN
        case .string(let s): return !s.isEmpty
        case .array(let a, _):
            // The reference's `boolean(arg[0])`: undefined for an array holding one undefined item.
            if a.count == 1 { return boolean(a[0]) }
            return a.contains { boolean($0) == true }
        case .object(let o): return o.count > 0
        case .function: return false
        case .tuples(let t): return boolean(.array(t.compactMap { $0.context }, []))
        }
    }

    /// `$string` semantics (JSON with 15 significant digits for numbers; functions as "").
    /// With an evaluator, converting an array or object reaches its time limit check point.
    static func string(_ v: Value, pretty: Bool = false, _ ev: Evaluator? = nil) throws(JSONataError) -> String {
        switch v {
        case .string(let s): return s
        case .function: return ""
        case .number(let n):
            if !n.isFinite {
                throw JSONataError(code: "D3001", message: "Attempting to invoke string function on Infinity or NaN", value: .number(n))
            }
            if n == n.rounded(.towardZero) && abs(n) < 1e15 { return String(Int(n)) }
            return JSNumberFormat.format(toPrecision15(n))
        default:
            var value = v
            if case .array(let a, let f) = v, f.contains(.outerWrapper), let first = a.first { value = first }
            if let ev, ev.maxSize != nil {
                var size = 0
                try countText(value, ev, &size)
            }
            let json = try stringifiable(value, ev) ?? .null
            // Serializing is linear in what was just converted (with check points); check once more before it.
            if let ev, let limit = ev.timeLimit { try ev.checkTime(limit) }
            return json.serialized(pretty ? .pretty : .compact)
        }
    }

    static func stringifiable(_ v: Value, _ ev: Evaluator? = nil) throws(JSONataError) -> JSON? {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return n.isFinite ? .number(toPrecision15(n)) : .null
        case .string(let s): return .string(s)
        case .function: return .string("")
        case .undefined: return nil
        case .array(let a, _):
            var out = [JSON]()
            out.reserveCapacity(a.count)
            for e in a {
                try ev?.poll()
                out.append(try stringifiable(e, ev) ?? .null)
            }
            return .array(out)
        case .tuples(let t):
            var out = [JSON]()
            out.reserveCapacity(t.count)
            for e in t {
                try ev?.poll()
                out.append(try e.context.flatMap { c throws(JSONataError) in try stringifiable(c, ev) } ?? .null)
            }
            return .array(out)
        case .object(let o):
            var obj = JSONObject(minimumCapacity: o.count)
            let keys = o.keys
            let values = o.values
            for i in 0..<keys.count {
                try ev?.poll()
                if let j = try stringifiable(values[i], ev) { obj.append(key: keys[i], value: j) }
            }
            return .object(obj)
        }
    }

    /// Adds to `size` at least the length of the compact JSON text of `v` (as `stringifiable` converts it), and throws
    /// `U1002` as soon as it passes the size limit. It allocates nothing: run before the conversion, it stops a value
    /// built from shared parts, which can stand for far more text than it holds, before its JSON is built.
    static func countText(_ v: Value, _ ev: Evaluator, _ size: inout Int) throws(JSONataError) {
        @inline(__always) func count(_ bytes: Int, _ size: inout Int) throws(JSONataError) {
            size &+= bytes
            try ev.checkTextSize(size)
        }
        switch v {
        case .null, .bool, .undefined: try count(4, &size)
        case .number: try count(1, &size)
        case .string(let s): try count(s.utf8.count + 2, &size)
        case .function: try count(2, &size)
        case .array(let a, _):
            try count(a.count + 1, &size)
            for e in a {
                try ev.poll()
                try countText(e, ev, &size)
            }
        case .tuples(let t):
            try count(t.count + 1, &size)
            for e in t {
                try ev.poll()
                if let c = e.context { try countText(c, ev, &size) }
            }
        case .object(let o):
            try count(o.count + 1, &size)
            let keys = o.keys
            let values = o.values
            for i in 0..<keys.count {
                try ev.poll()
                try count(keys[i].utf8.count + 3, &size)
                try countText(values[i], ev, &size)
            }
        }
    }

    /// `Number(n.toPrecision(15))`.
    static func toPrecision15(_ n: Double) -> Double {
        if n == 0 || !n.isFinite { return n }
        let (digits, exponent) = JSNumberFormat.shortestDigits(abs(n))
        if digits.count <= 15 { return n }
        var d = Array(digits.utf8.prefix(16)).map { Int($0) - 48 }
        // round half up at digit 15 (decimal rounding of the shortest representation)
        var roundUp = d[15] >= 5
        d.removeLast()
        var exp = exponent
        var i = 14
        while roundUp && i >= 0 {
            d[i] += 1
            if d[i] == 10 {
                d[i] = 0
                i -= 1
            } else {
                roundUp = false
            }
        }
        if roundUp {
            d.insert(1, at: 0)
            exp += 1
        }
        let text = "0." + d.map(String.init).joined() + "e" + String(exp)
        let v = Double(text) ?? n
        return n < 0 ? -v : v
    }

    /// JavaScript string equality: the same code points. Swift's `==` on `String` is canonical
    /// equivalence ("\u{E9}" equals "e\u{301}"), which JavaScript's `===` is not; object member names
    /// compare this way too (see `ObjectKey`).
    @inline(__always)
    static func sameString(_ a: String, _ b: String) -> Bool {
        // The same code units are canonically equivalent too, so the standard library's `==` (with the UTF-8 length,
        // stored in a native string) rejects most strings quickly; only equal ones have their bytes compared.
        guard a.utf8.count == b.utf8.count, a == b else { return false }
        let same = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
        if let same, let same { return same }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// The reference's `isDeepEqual`.
    static func deepEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return sameString(x, y)
        case (.array(let x, _), .array(let y, _)):
            if x.count != y.count { return false }
            for i in 0..<x.count where !deepEqual(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            if x === y { return true }
            if x.count != y.count { return false }
            for i in 0..<x.keys.count {
                guard let other = y[x.keys[i]], deepEqual(x.values[i], other) else { return false }
            }
            return true
        case (.function(let x), .function(let y)): return x === y
        case (.undefined, .undefined): return true
        default: return false
        }
    }

    /// A hash consistent with `deepEqual`: values that are deep-equal hash alike (`1` and `1.0`, `0` and `-0`,
    /// objects with the same members in any order), so `$distinct` compares only the items that share a hash.
    static func deepHash(_ v: Value, into h: inout Hasher) {
        switch v {
        case .null: h.combine(0 as UInt8)
        case .bool(let b):
            h.combine(1 as UInt8)
            h.combine(b)
        case .number(let n):
            h.combine(2 as UInt8)
            h.combine(n == 0 ? 0 : n)
        case .string(let s):
            h.combine(3 as UInt8)
            var s = s
            s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .array(let a, _):
            h.combine(4 as UInt8)
            h.combine(a.count)
            for e in a { deepHash(e, into: &h) }
        case .object(let o):
            h.combine(5 as UInt8)
            h.combine(o.count)
            // Member order does not count: the members' own hashes are added up.
            let keys = o.keys
            let values = o.values
            var sum = 0
            for i in 0..<keys.count {
                var m = Hasher()
                deepHash(.string(keys[i]), into: &m)
                deepHash(values[i], into: &m)
                sum &+= m.finalize()
            }
            h.combine(sum)
        case .function(let f):
            h.combine(6 as UInt8)
            h.combine(ObjectIdentifier(f))
        case .tuples(let t):
            h.combine(7 as UInt8)
            h.combine(t.count)
        case .undefined:
            h.combine(8 as UInt8)
        }
    }

    /// JavaScript `===`: values for primitives, identity for objects and arrays.
    static func strictEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return sameString(x, y)
        case (.object(let x), .object(let y)): return x === y
        case (.function(let x), .function(let y)): return x === y
        case (.undefined, .undefined): return true
        default: return false
        }
    }

    /// Compares strings by UTF-16 code units, as JavaScript does.
    static func compareStrings(_ a: String, _ b: String) -> Int {
        if sameString(a, b) { return 0 }
        return a.utf16.lexicographicallyPrecedes(b.utf16) ? -1 : 1
    }

    /// The reference's `append`: concatenates, treating non-arrays as singletons; an undefined
    /// argument (an undefined array item too) is disregarded.
    static func append(_ a: Value?, _ b: Value?) -> Value? {
        guard let a = a?.defined else { return b?.defined }
        guard let b = b?.defined else { return a }
        var items: [Value]
        if case .array(let x, _) = a { items = x } else { items = [a] }
        if case .array(let y, _) = b { items.append(contentsOf: y) } else { items.append(b) }
        return .array(items, [])
    }

    /// A stable merge sort whose comparator says whether two items must swap.
    /// With an evaluator, each comparison is a time limit check point.
    static func mergeSort<T>(_ items: [T], _ ev: Evaluator? = nil, _ swaps: (T, T) throws(JSONataError) -> Bool) throws(JSONataError) -> [T] {
        if items.count <= 1 { return items }
        let middle = items.count / 2
        let left = try mergeSort(Array(items[0..<middle]), ev, swaps)
        let right = try mergeSort(Array(items[middle...]), ev, swaps)
        var out: [T] = []
        out.reserveCapacity(items.count)
        var i = 0
        var j = 0
        while i < left.count && j < right.count {
            try ev?.poll()
            if try swaps(left[i], right[j]) {
                out.append(right[j])
                j += 1
            } else {
                out.append(left[i])
                i += 1
            }
        }
        out.append(contentsOf: left[i...])
        out.append(contentsOf: right[j...])
        return out
    }

    /// A deep copy (the transform operator works on a clone).
    static func deepClone(_ v: Value) -> Value {
        switch v {
        case .array(let a, let f): return .array(a.map(deepClone), f)
        case .object(let o): return .object(ObjectRef(keys: o.keys, values: o.values.map(deepClone)))
        default: return v
        }
    }

    // MARK: - Regular expressions

    /// One regex match with JavaScript (UTF-16) offsets.
    struct RegexMatch {
        var match: String
        var start: Int
        var end: Int
        var groups: [Value]
        var nextFrom: String.Index
    }

    static func utf16Offset(_ s: String, _ i: String.Index) -> Int { s.utf16.distance(from: s.startIndex, to: i) }

    static func findMatch(_ r: RegexLiteral, _ s: String, from: String.Index) throws(JSONataError) -> RegexMatch? {
        let m: ECMARegexMatch?
        do {
            m = try r.regex.firstMatch(in: s, from: from)
        } catch {
            throw JSONataError(code: "D1004", message: "Regular expression failed: \(error)", token: r.pattern)
        }
        guard let m else { return nil }
        // A group that took no part in the match is undefined in the JavaScript match array, and jsonata-js's
        // `evaluateRegex` copies it as it is (`result.groups.push(match[i])`).
        let groups: [Value] = m.captures.map { c in
            c.map { .string(String(s.unicodeScalars[$0])) } ?? .undefined
        }
        return RegexMatch(
            match: String(s.unicodeScalars[m.range]), start: utf16Offset(s, m.range.lowerBound), end: utf16Offset(s, m.range.upperBound),
            groups: groups,
            nextFrom: m.range.upperBound)
    }

    /// All successive matches (the reference's matcher `next` chain), limited to `limit`.
    /// With an evaluator, each match is a time limit check point and the matches are held to the size limit (as the
    /// array of match objects `$match` makes of them).
    static func matches(_ r: RegexLiteral, _ s: String, limit: Int?, _ ev: Evaluator? = nil) throws(JSONataError) -> [RegexMatch] {
        var out: [RegexMatch] = []
        guard var m = try findMatch(r, s, from: s.startIndex) else { return out }
        while true {
            if let limit, out.count >= limit { break }
            try ev?.poll()
            try ev?.checkArraySize(out.count + 1)
            out.append(m)
            if m.nextFrom >= s.endIndex { break }
            guard let next = try findMatch(r, s, from: m.nextFrom) else { break }
            if next.match.isEmpty {
                throw JSONataError(code: "D1004", message: "Regular expression matches zero length string", value: .string(r.pattern))
            }
            m = next
        }
        return out
    }

    /// Successive matches of a matcher: a regex literal, or a user function returning
    /// `{match, start, end, groups, next}` objects.
    static func matcherResults(_ ev: Evaluator, _ matcher: Value?, _ s: String, limit: Int?, _ env: Frame) throws(JSONataError) -> [RegexMatch] {
        guard case .function(let f)? = matcher else { return [] }
        if case .regex(let r) = f.kind { return try matches(r, s, limit: limit, ev) }
        var out: [RegexMatch] = []
        var current = try ev.apply(matcher, [.string(s)], nil, env)
        while case .object(let o)? = current {
            if let limit, out.count >= limit { break }
            let text = if case .string(let t)? = o["match"] { t } else { "" }
            let start = if case .number(let n)? = o["start"] { int(n) } else { 0 }
            let end = if case .number(let n)? = o["end"] { int(n) } else { start + text.utf16.count }
            let groups = if case .array(let g, _)? = o["groups"] { g } else { [Value]() }
            out.append(RegexMatch(match: text, start: start, end: end, groups: groups, nextFrom: s.endIndex))
            guard let next = o["next"], next.isFunction else { break }
            current = try ev.apply(next, [], nil, env)
        }
        return out
    }

    static func matchObject(_ m: RegexMatch) -> Value {
        let o = ObjectRef()
        o.set("match", .string(m.match))
        o.set("start", .number(Double(m.start)))
        o.set("end", .number(Double(m.end)))
        o.set("groups", .array(m.groups, []))
        return .object(o)
    }

    /// Calling a regex as a function returns the first match object (with `next`).
    static func regexMatchObject(_ r: RegexLiteral, _ s: String, from: Int) throws(JSONataError) -> Value? {
        let all = try matches(r, s, limit: nil)
        guard !all.isEmpty else { return nil }
        return matchObject(all[0])
    }
}
