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
        var out = [UInt8]()
        out.reserveCapacity(128)
        JSONWriter.write(self, into: &out, options: options, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON text of this value as UTF-8 to `buffer`.
    public func serialize(into buffer: inout [UInt8], options: SerializationOptions = .compact) {
        JSONWriter.write(self, into: &buffer, options: options, level: 0)
    }

    /// The UTF-8 bytes of the JSON text.
    public func serializedBytes(_ options: SerializationOptions = .compact) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128)
        JSONWriter.write(self, into: &out, options: options, level: 0)
        return out
    }
}

enum JSONWriter {
    static func write(_ value: JSON, into out: inout [UInt8], options: JSON.SerializationOptions, level: Int) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let n): writeNumber(n, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty {
                out.append(contentsOf: [0x5B, 0x5D])
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
                out.append(contentsOf: [0x7B, 0x7D])
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

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for (i, c) in bytes.enumerated() where c < 0x20 || c == 0x22 || c == 0x5C {
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
                runStart = i + 1
                switch c {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case 0x08: out.append(contentsOf: [0x5C, 0x62])
                case 0x0C: out.append(contentsOf: [0x5C, 0x66])
                default:
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                }
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(0x22)
    }

    static func writeNumber(_ n: Double, into out: inout [UInt8]) {
        guard n.isFinite else {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
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
                out.append(contentsOf: buf[(16 - len)...])
            }
            return
        }
        out.append(contentsOf: JSNumberFormat.format(n).utf8)
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
