import JSONValue

/// Decimal helpers matching JavaScript number behaviour: JSONata's `$round` (half to even, shifting the
/// decimal point textually) and `Number.prototype.toFixed` (exact decimal expansion).
enum DecimalArithmetic {
    /// 10^n as a double (n may be negative).
    static func power10(_ n: Int) -> Double {
        Double("1e\(n)") ?? 1
    }

    /// The shortest round-trip decimal digits of a positive finite value (ASCII), with value = 0.digits × 10^exponent.
    ///
    /// The same digits as `JSNumberFormat.shortestDigits`, read from the bytes of `description` for speed.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], exponent: Int) {
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var pointPosition: Int?
        var exponent10 = 0
        var exponentSign = 1
        var inExponent = false
        for byte in value.description.utf8 {
            if inExponent {
                if byte == UInt8(ascii: "-") {
                    exponentSign = -1
                } else if byte >= 0x30 && byte <= 0x39 {
                    exponent10 = exponent10 * 10 + Int(byte - 0x30)
                }
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                inExponent = true
            } else if byte == UInt8(ascii: ".") {
                pointPosition = digits.count
            } else if byte >= 0x30 && byte <= 0x39 {
                digits.append(byte)
            }
        }
        var point = (pointPosition ?? digits.count) + exponentSign * exponent10
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == 0x30 { leading += 1 }
        if leading > 0 {
            digits.removeFirst(leading)
            point -= leading
        }
        while digits.count > 1 && digits.last == 0x30 { digits.removeLast() }
        return (digits, point)
    }

    /// `value` × 10^places, computed on the shortest decimal digits so no binary error creeps in.
    static func shiftDecimal(_ value: Double, by places: Int) -> Double {
        guard value.isFinite, value != 0, places != 0 else { return value }
        let (digits, exponent) = shortestDigits(abs(value))
        let text = "0." + String(decoding: digits, as: UTF8.self) + "e" + String(exponent + places)
        let shifted = Double(text) ?? value * power10(places)
        return value < 0 ? -shifted : shifted
    }

    /// JavaScript's `Math.round`: the nearest integer, ties toward +∞.
    static func jsRound(_ x: Double) -> Double {
        guard x.isFinite else { return x }
        let f = x.rounded(.down)
        return x - f >= 0.5 ? f + 1 : f
    }

    /// JSONata's `$round(value, places)`: round half to even at `places` decimal places.
    static func roundHalfEven(_ value: Double, places: Int) -> Double {
        guard value.isFinite else { return value }
        let shifted = places != 0 ? shiftDecimal(value, by: places) : value
        var result = jsRound(shifted)
        if abs(result - shifted) == 0.5 && abs(result.truncatingRemainder(dividingBy: 2)) == 1 {
            result -= 1
        }
        if places != 0 { result = shiftDecimal(result, by: -places) }
        return result == 0 ? 0 : result
    }

    /// JavaScript's `Number.prototype.toFixed(places)` for a non-negative finite value.
    static func toFixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return JSNumberFormat.format(value) }
        if value >= 1e21 { return JSNumberFormat.format(value) }
        // When an ulp is finer than the last place, the shortest round-trip digits are the nearest such decimal.
        if value == 0 || value.ulp < power10(-places) {
            let (digits, exponent) = value == 0 ? ([UInt8(ascii: "0")], 1) : shortestDigits(value)
            let fractionDigits = max(digits.count - exponent, 0)
            if fractionDigits <= places {
                let zero = UInt8(ascii: "0")
                var out: [UInt8] = []
                out.reserveCapacity(max(exponent, 1) + places + 1)
                if exponent > 0 {
                    out += digits.prefix(exponent)
                    if exponent > digits.count { out += repeatElement(zero, count: exponent - digits.count) }
                } else {
                    out.append(zero)
                }
                if places > 0 {
                    out.append(UInt8(ascii: "."))
                    var written = 0
                    if exponent < 0 {
                        out += repeatElement(zero, count: -exponent)
                        written = -exponent
                    }
                    let fraction = digits.dropFirst(max(exponent, 0))
                    out += fraction
                    written += fraction.count
                    out += repeatElement(zero, count: places - written)
                }
                return String(decoding: out, as: UTF8.self)
            }
        }
        // value = significand × 2^exponent exactly; expand to decimal digits with `scale` digits after the point.
        var digits: [UInt8] = []  // little-endian base-10
        var scale = 0
        if value != 0 {
            let exponent = Int(value.exponent) - Double.significandBitCount
            var significand = UInt64(value.significandBitPattern)
            if value.isNormal { significand |= UInt64(1) << UInt64(Double.significandBitCount) }
            let exp2 = value.isNormal ? exponent : -1074
            while significand > 0 {
                digits.append(UInt8(significand % 10))
                significand /= 10
            }
            if exp2 >= 0 {
                for _ in 0..<exp2 { multiply(&digits, by: 2) }
            } else {
                for _ in 0..<(-exp2) { multiply(&digits, by: 5) }
                scale = -exp2
            }
        }
        // Round half up at `places` fractional digits.
        if scale > places {
            let drop = scale - places
            let roundUp = drop <= digits.count && digits[drop - 1] >= 5
            digits = drop < digits.count ? Array(digits[drop...]) : []
            if roundUp { add(&digits, 1) }
            scale = places
        }
        while scale < places {
            digits.insert(0, at: 0)
            scale += 1
        }
        while digits.count <= scale { digits.append(0) }
        while digits.count > scale + 1 && digits.last == 0 { digits.removeLast() }
        var text = ""
        for (i, d) in digits.enumerated().reversed() {
            text.append(Character(Unicode.Scalar(0x30 + d)))
            if i == scale && scale > 0 { text.append(".") }
        }
        return text
    }

    private static func multiply(_ digits: inout [UInt8], by factor: UInt8) {
        var carry = 0
        for i in digits.indices {
            let v = Int(digits[i]) * Int(factor) + carry
            digits[i] = UInt8(v % 10)
            carry = v / 10
        }
        while carry > 0 {
            digits.append(UInt8(carry % 10))
            carry /= 10
        }
    }

    private static func add(_ digits: inout [UInt8], _ amount: UInt8) {
        var carry = Int(amount)
        var i = 0
        while carry > 0 {
            if i == digits.count { digits.append(0) }
            let v = Int(digits[i]) + carry
            digits[i] = UInt8(v % 10)
            carry = v / 10
            i += 1
        }
    }
}
