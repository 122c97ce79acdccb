import JSONValue

/// Decimal helpers matching JavaScript number behaviour: JSONata's `$round` (half to even, shifting the
/// decimal point textually) and `Number.prototype.toFixed` (exact decimal expansion).
enum DecimalArithmetic {
    /// 10^n as a double (n may be negative).
    static func power10(_ n: Int) -> Double {
        Double("1e\(n)") ?? 1
    }

    /// `value` × 10^places, computed on the shortest decimal digits so no binary error creeps in.
    static func shiftDecimal(_ value: Double, by places: Int) -> Double {
        guard value.isFinite, value != 0, places != 0 else { return value }
        let (digits, exponent) = JSNumberFormat.shortestDigits(abs(value))
        let shifted = Double("0.\(digits)e\(exponent + places)") ?? value * power10(places)
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
            let (digits, exponent) = value == 0 ? ("0", 1) : JSNumberFormat.shortestDigits(value)
            let fractionDigits = max(digits.count - exponent, 0)
            if fractionDigits <= places {
                var integer = exponent > 0 ? String(digits.prefix(exponent)) : "0"
                if exponent > digits.count { integer += String(repeating: "0", count: exponent - digits.count) }
                var fraction = exponent < 0 ? String(repeating: "0", count: -exponent) + digits : String(digits.dropFirst(max(exponent, 0)))
                fraction += String(repeating: "0", count: places - fraction.count)
                return places > 0 ? integer + "." + fraction : integer
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
