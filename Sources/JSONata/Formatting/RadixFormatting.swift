import JSONValue

/// `$formatBase`: an integer in a radix between 2 and 36, as JavaScript's `Number.prototype.toString(radix)`.
enum RadixFormatting {
    /// Rounds `value` (half to even) and writes it in `radix` with lower-case digits.
    ///
    /// - Throws: D3100 when the (rounded) radix is outside 2...36.
    static func format(_ value: Double, radix: Int) throws(JSONataError) -> String {
        guard (2...36).contains(radix) else {
            throw JSONataError(code: "D3100", message: "The radix of the formatBase function must be between 2 and 36. It was given \(radix)")
        }
        let rounded = DecimalArithmetic.roundHalfEven(value, places: 0)
        if radix == 10 || !rounded.isFinite { return JSNumberFormat.format(rounded) }
        if abs(rounded) < 9_007_199_254_740_992 { return String(Int64(rounded), radix: radix) }
        // From 2^53 up, as V8 writes it: the digits a double cannot hold (while the quotient is still 2^53 or more)
        // are written as zeros, then the rest peeled off with exact floating-point remainders. Exact digits
        // ((1e21).toString(36) is "5v1j4f4ds7c000", not "5v1j4f4ds7c4ks") would differ from the reference.
        let r = Double(radix)
        var magnitude = abs(rounded)
        var scalars: [Unicode.Scalar] = []
        while magnitude / r >= 9_007_199_254_740_992 {
            magnitude = magnitude / r
            scalars.append("0")
        }
        repeat {
            let digit = Int(magnitude.truncatingRemainder(dividingBy: r))
            scalars.append(Unicode.Scalar(UInt8(digit < 10 ? 0x30 + digit : 0x57 + digit)))
            magnitude = (magnitude - Double(digit)) / r
        } while magnitude > 0
        return (rounded < 0 ? "-" : "") + String(String.UnicodeScalarView(scalars.reversed()))
    }
}
