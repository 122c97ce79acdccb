extension JSON {
    /// How a value is written out.
    public struct SerializationOptions: Sendable, Equatable {
        /// Indent nested values with this many spaces per level; `nil` writes compact JSON.
        public var indent: Int?
        /// Write object members sorted by key (canonical form).
        public var sortedKeys: Bool

        public init(indent: Int? = nil, sortedKeys: Bool = false) {
            self.indent = indent
            self.sortedKeys = sortedKeys
        }

        public static let compact = SerializationOptions()
        public static let pretty = SerializationOptions(indent: 2)
        public static let canonical = SerializationOptions(sortedKeys: true)
    }

    /// The JSON text of this value. Numbers are written as JavaScript writes them
    /// (`1`, `0.1`, `1e+21`); non-finite numbers, which JSON cannot hold, are written as `null`.
    public func serialized(_ options: SerializationOptions = .compact) -> String {
        String(decoding: serializedBytes(options), as: UTF8.self)
    }

    /// Appends the JSON text of this value as UTF-8 to `buffer`.
    public func serialize(into buffer: inout [UInt8], options: SerializationOptions = .compact) {
        if options.indent == nil && !options.sortedKeys {
            JSONWriter.writeCompact(self, into: &buffer)
        } else if options.indent == nil {
            JSONWriter.writeCanonical(self, into: &buffer)
        } else {
            JSONWriter.write(self, into: &buffer, options: options, level: 0)
        }
    }

    /// The UTF-8 bytes of the JSON text.
    public func serializedBytes(_ options: SerializationOptions = .compact) -> [UInt8] {
        if options == .canonical { return JSONWriter.canonicalBytes(self) }
        var out = [UInt8]()
        out.reserveCapacity(128)
        serialize(into: &out, options: options)
        return out
    }
}

/// Writes JSON text as UTF-8 bytes: a compact fast path (the common case on the hot path) and a
/// general writer for indentation and sorted keys.
enum JSONWriter {
    /// Compact form, in member order: no per-object index arrays, literals appended from static storage.
    static func writeCompact(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: appendLiteral("null", to: &out)
        case .bool(let b): appendLiteral(b ? "true" : "false", to: &out)
        case .number(let n): writeNumber(n, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(0x5B)
            var first = true
            for element in a {
                if !first { out.append(0x2C) }
                first = false
                writeCompact(element, into: &out)
            }
            out.append(0x5D)
        case .object(let o):
            out.append(0x7B)
            let keys = o._keys
            let values = o._values
            for i in 0..<keys.count {
                if i > 0 { out.append(0x2C) }
                writeString(keys[i], into: &out)
                out.append(0x3A)
                writeCompact(values[i], into: &out)
            }
            out.append(0x7D)
        }
    }

    /// Compact form with object members sorted by key (by code point, i.e. by UTF-8 bytes): content hashes and
    /// stored records are written this way. Members already in order, the usual case for small objects written by a
    /// program, are not sorted; others are ordered through a stack buffer of indices.
    static func writeCanonical<Sink: JSONByteSink>(_ value: JSON, into out: inout Sink) {
        switch value {
        case .array(let a):
            out.append(0x5B)
            var first = true
            for element in a {
                if !first { out.append(0x2C) }
                first = false
                writeCanonical(element, into: &out)
            }
            out.append(0x5D)
        case .object(let o):
            let keys = o._keys
            let values = o._values
            let n = keys.count
            out.append(0x7B)
            var sorted = true
            var i = 1
            while i < n {
                if !precedes(keys[i - 1], keys[i]) {
                    sorted = false
                    break
                }
                i += 1
            }
            if sorted {
                for i in 0..<n {
                    if i > 0 { out.append(0x2C) }
                    writeString(keys[i], into: &out)
                    out.append(0x3A)
                    writeCanonical(values[i], into: &out)
                }
            } else {
                withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { order in
                    for i in 0..<n { order[i] = i }
                    if n <= 24 {
                        // Insertion sort: few members, no allocation.
                        for i in 1..<n {
                            let x = order[i]
                            var j = i
                            while j > 0 && precedes(keys[x], keys[order[j - 1]]) {
                                order[j] = order[j - 1]
                                j -= 1
                            }
                            order[j] = x
                        }
                    } else {
                        var order = order
                        order.sort { precedes(keys[$0], keys[$1]) }
                    }
                    for k in 0..<n {
                        if k > 0 { out.append(0x2C) }
                        writeString(keys[order[k]], into: &out)
                        out.append(0x3A)
                        writeCanonical(values[order[k]], into: &out)
                    }
                }
            }
            out.append(0x7D)
        case .null: appendLiteral("null", to: &out)
        case .bool(let b): appendLiteral(b ? "true" : "false", to: &out)
        case .number(let n): writeNumber(n, into: &out)
        case .string(let s): writeString(s, into: &out)
        }
    }

    /// The canonical bytes, written straight into the result's storage (no per-append capacity or uniqueness checks);
    /// a value larger than the first guess is written again into four times the room.
    static func canonicalBytes(_ value: JSON) -> [UInt8] {
        var capacity = 1024
        while true {
            var fitted = false
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var writer = BoundedByteWriter(base: buffer.baseAddress!, capacity: capacity)
                writeCanonical(value, into: &writer)
                fitted = !writer.overflowed
                count = fitted ? writer.count : 0
            }
            if fitted { return bytes }
            capacity *= 4
        }
    }

    /// Code point order of two strings (UTF-8 byte order is code point order).
    @inline(__always)
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                var i = 0
                while i < common {
                    if x[i] != y[i] { return x[i] < y[i] }
                    i += 1
                }
                return x.count < y.count
            }
        }
    }

    @inline(__always)
    static func appendLiteral<Sink: JSONByteSink>(_ literal: StaticString, to out: inout Sink) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    static func write(_ value: JSON, into out: inout [UInt8], options: JSON.SerializationOptions, level: Int) {
        switch value {
        case .null: appendLiteral("null", to: &out)
        case .bool(let b): appendLiteral(b ? "true" : "false", to: &out)
        case .number(let n): writeNumber(n, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty {
                appendLiteral("[]", to: &out)
                return
            }
            out.append(0x5B)
            for (k, element) in a.enumerated() {
                if k > 0 { out.append(0x2C) }
                newline(&out, options, level + 1)
                write(element, into: &out, options: options, level: level + 1)
            }
            newline(&out, options, level)
            out.append(0x5D)
        case .object(let o):
            if o.isEmpty {
                appendLiteral("{}", to: &out)
                return
            }
            out.append(0x7B)
            let order: [Int] =
                options.sortedKeys
                ? o.keys.indices.sorted { o.keys[$0].unicodeScalars.lexicographicallyPrecedes(o.keys[$1].unicodeScalars) }
                : Array(o.keys.indices)
            for (k, i) in order.enumerated() {
                if k > 0 { out.append(0x2C) }
                newline(&out, options, level + 1)
                writeString(o.keys[i], into: &out)
                out.append(0x3A)
                if options.indent != nil { out.append(0x20) }
                write(o.values[i], into: &out, options: options, level: level + 1)
            }
            newline(&out, options, level)
            out.append(0x7D)
        }
    }

    @inline(__always)
    static func newline(_ out: inout [UInt8], _ options: JSON.SerializationOptions, _ level: Int) {
        guard let indent = options.indent else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * level))
    }

    static func writeString<Sink: JSONByteSink>(_ s: String, into out: inout Sink) {
        if s.utf8.withContiguousStorageIfAvailable({ writeEscaped($0, into: &out) }) == nil {
            var s = s
            s.withUTF8 { writeEscaped($0, into: &out) }
        }
    }

    /// Appends `bytes` as a quoted JSON string, escaping quotes, backslashes and control characters.
    static func writeEscaped<Sink: JSONByteSink>(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout Sink) {
        out.append(0x22)
        var runStart = 0
        var i = 0
        let n = bytes.count
        // Eight bytes at a time up to the first byte that needs escaping (usually none).
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n && !JSONParser.hasQuoteBackslashOrControl(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
        }
        while i < n {
            let c = bytes[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C {
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            i += 1
            runStart = i
            switch c {
            case 0x22: appendLiteral("\\\"", to: &out)
            case 0x5C: appendLiteral("\\\\", to: &out)
            case 0x0A: appendLiteral("\\n", to: &out)
            case 0x0D: appendLiteral("\\r", to: &out)
            case 0x09: appendLiteral("\\t", to: &out)
            case 0x08: appendLiteral("\\b", to: &out)
            case 0x0C: appendLiteral("\\f", to: &out)
            default:
                let hex: StaticString = "0123456789abcdef"
                appendLiteral("\\u00", to: &out)
                out.append(hex.utf8Start[Int(c >> 4)])
                out.append(hex.utf8Start[Int(c & 0xF)])
            }
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<n])) }
        out.append(0x22)
    }

    static func writeNumber<Sink: JSONByteSink>(_ n: Double, into out: inout Sink) {
        guard n.isFinite else {
            appendLiteral("null", to: &out)
            return
        }
        if n == n.rounded(.towardZero) && abs(n) < 1e15 {
            // Integral fast path (covers -0 as "0", as JavaScript does).
            let i = Int64(n)
            if i == 0 {
                out.append(0x30)
                return
            }
            var v = i.magnitude
            var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var len = 0
            withUnsafeMutableBytes(of: &tmp) { buf in
                while v > 0 {
                    buf[15 - len] = UInt8(v % 10) + 0x30
                    v /= 10
                    len += 1
                }
                if i < 0 { out.append(0x2D) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf.bindMemory(to: UInt8.self)[(16 - len)...]))
            }
            return
        }
        if JSNumberFormat.appendFixedDescription(n, to: &out) { return }
        Array(JSNumberFormat.format(n).utf8).withUnsafeBufferPointer { out.append(contentsOf: $0) }
    }
}

/// Where the writer puts bytes: a growing array, or a fixed buffer.
protocol JSONByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteSink where Element == UInt8 {}

/// Writes into a fixed buffer; past its end it only notes that it overflowed.
struct BoundedByteWriter: JSONByteSink {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0
    var overflowed = false

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        guard count < capacity else {
            overflowed = true
            return
        }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard count + bytes.count <= capacity else {
            overflowed = true
            return
        }
        if let source = bytes.baseAddress { (base + count).update(from: source, count: bytes.count) }
        count += bytes.count
    }
}

/// Formats doubles as ECMAScript's Number.prototype.toString does (shortest round-trip digits).
public enum JSNumberFormat {
    /// `1` for 1.0, `0.1`, `1e+21`, `1.5e-7`, `123456789012345680000`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }
        let (digits, exponent) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        let k = digits.count
        let n = exponent  // value = 0.d1d2...dk × 10^n
        if k <= n && n <= 21 {
            return sign + digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let idx = digits.index(digits.startIndex, offsetBy: n)
            return sign + digits[..<idx] + "." + digits[idx...]
        }
        if -6 < n && n <= 0 {
            return sign + "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let expPart = "e" + (e >= 0 ? "+" : "-") + String(abs(e))
        if k == 1 { return sign + digits + expPart }
        return sign + String(digits.first!) + "." + digits.dropFirst() + expPart
    }

    /// Appends the JavaScript form of a non-integral `value` when Swift's shortest round-trip
    /// `description` is already in plain decimal notation (`66.1`, `-0.25`), which JavaScript
    /// writes identically; returns false, appending nothing, when exponent notation is involved.
    static func appendFixedDescription<Sink: JSONByteSink>(_ value: Double, to out: inout Sink) -> Bool {
        let text = value.description
        let written: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for b in bytes where b == UInt8(ascii: "e") { return false }
            // "1.0"-style integral text only occurs outside the integral fast path (|n| >= 1e15).
            if bytes.count >= 2 && bytes[bytes.count - 1] == UInt8(ascii: "0") && bytes[bytes.count - 2] == UInt8(ascii: ".") { return false }
            out.append(contentsOf: bytes)
            return true
        }
        return written ?? false
    }

    /// The shortest decimal digits that round-trip, and the exponent n with value = 0.digits × 10^n.
    public static func shortestDigits(_ value: Double) -> (digits: String, exponent: Int) {
        // Swift's description prints the shortest round-trip digits, as "123.45", "1e-07" or "1.2345e+20".
        let text = value.description
        var mantissa = Substring(text)
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp10 = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var fracPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var all = String(intPart) + fracPart
        var pointPos = intPart.count + exp10
        // Strip leading zeros (adjusting the point) and trailing zeros.
        while all.count > 1 && all.first == "0" {
            all.removeFirst()
            pointPos -= 1
        }
        while all.count > 1 && all.last == "0" { all.removeLast() }
        return (all, pointPos)
    }
}
