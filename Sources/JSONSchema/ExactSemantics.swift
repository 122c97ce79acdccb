import JSONValue

/// JSON Schema's notions of equality and divisibility, exact where `Double` arithmetic is not.
enum ExactSemantics {
    /// JSON equality: numbers by value (1.0 == 1), strings by code points, objects regardless of key order.
    static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.count == y.utf8.count && x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            let keys = x.keys
            let values = x.values
            for i in keys.indices {
                guard let other = y[keys[i]], equal(values[i], other) else { return false }
            }
            return true
        default: return false
        }
    }

    /// The first pair of equal items, if any.
    static func firstDuplicate(_ items: [JSON]) -> (Int, Int)? {
        if items.count <= 16 {
            for i in items.indices {
                for j in (i + 1)..<items.count where equal(items[i], items[j]) { return (i, j) }
            }
            return nil
        }
        var buckets: [Int: [Int]] = [:]
        for (j, item) in items.enumerated() {
            let h = item.hashValue
            if let seen = buckets[h] {
                for i in seen where equal(items[i], item) { return (i, j) }
            }
            buckets[h, default: []].append(j)
        }
        return nil
    }

    /// Whether `x` is an integer multiple of `m` (> 0), decided on the shortest decimal forms of both,
    /// so that 19.99 is a multiple of 0.01 although 19.99 / 0.01 is not integral in binary.
    static func isMultiple(_ x: Double, of m: Double) -> Bool {
        guard x.isFinite else { return false }
        if x == 0 { return true }
        if m.rounded(.towardZero) == m && x.rounded(.towardZero) == x {
            return x.truncatingRemainder(dividingBy: m) == 0  // fmod is exact
        }
        guard let (dx, ex) = decimal(abs(x)), let (dm, em) = decimal(m), dm != 0 else { return false }
        if ex >= em {
            // dx · 10^(ex-em) mod dm, by modular exponentiation.
            var remainder = dx % dm
            var base: UInt64 = 10 % dm
            var exponent = ex - em
            var power: UInt64 = 1 % dm
            while exponent > 0 {
                if exponent & 1 == 1 { power = mulmod(power, base, dm) }
                base = mulmod(base, base, dm)
                exponent >>= 1
            }
            remainder = mulmod(remainder, power, dm)
            return remainder == 0
        }
        var divisor = dm
        for _ in 0..<(em - ex) {
            let (product, overflow) = divisor.multipliedReportingOverflow(by: 10)
            if overflow { return false }  // the divisor exceeds dx, which is not 0
            divisor = product
        }
        return dx % divisor == 0
    }

    @inline(__always)
    static func mulmod(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return m.dividingFullWidth((product.high, product.low)).remainder
    }

    /// `value = digits × 10^exponent` from the shortest round-trip representation.
    static func decimal(_ value: Double) -> (UInt64, Int)? {
        let (digits, pointPosition) = JSNumberFormat.shortestDigits(value)
        guard let d = UInt64(digits) else { return nil }
        return (d, pointPosition - digits.count)
    }
}
