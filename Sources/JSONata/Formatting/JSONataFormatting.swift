import JSONValue

/// JSONata's number and date/time formatting functions: `$formatNumber`, `$formatBase`, `$formatInteger`,
/// `$parseInteger`, `$fromMillis` and `$toMillis`.
///
/// They follow the XPath/XQuery F&O 3.1 picture-string syntax (`fn:format-number`, `fn:format-integer`,
/// `fn:format-dateTime`) as the jsonata-js reference implementation interprets it, including its error codes.
/// Callers handle `undefined` arguments (every function returns `undefined` for an undefined first argument).
///
/// ```swift
/// try JSONataFormatting.formatNumber(12345.6, picture: "#,###.00", options: nil)       // "12,345.60"
/// try JSONataFormatting.fromMillis(1521801216617, picture: "[D1o] [MNn] [Y]", timezone: nil)  // "23rd March 2018"
/// ```
enum JSONataFormatting {
    /// `$formatNumber(number, picture [, options])`: XPath `fn:format-number`.
    ///
    /// - Parameters:
    ///   - options: an object overriding decimal-format properties (`decimal-separator`, `grouping-separator`,
    ///     `exponent-separator`, `minus-sign`, `infinity`, `NaN`, `percent`, `per-mille`, `zero-digit`, `digit`,
    ///     `pattern-separator`); other values are ignored.
    /// - Throws: D3080-D3093 for an invalid picture.
    static func formatNumber(_ value: Double, picture: String, options: JSON?) throws(JSONataError) -> String {
        let format = DecimalFormat(options: options)
        return try NumberPicture(picture, format: format).format(value)
    }

    /// `$formatBase(number [, radix])`: the number rounded to an integer, in radix 2...36 (default 10).
    ///
    /// - Throws: D3100 when the radix is out of range.
    static func formatBase(_ value: Double, radix: Int?) throws(JSONataError) -> String {
        try RadixFormatting.format(value, radix: radix ?? 10)
    }

    /// `$formatBase` with a radix as JSONata passes it (a number, rounded half to even first).
    static func formatBase(_ value: Double, radix: Double?) throws(JSONataError) -> String {
        guard let radix else { return try formatBase(value, radix: Int?.none) }
        let rounded = DecimalArithmetic.roundHalfEven(radix, places: 0)
        guard rounded.isFinite, abs(rounded) < 1e9 else { return try formatBase(value, radix: Int.max) }
        return try formatBase(value, radix: Int(rounded))
    }

    /// `$formatInteger(number, picture)`: XPath `fn:format-integer` (the number is floored first).
    ///
    /// - Throws: D3130 for an unsupported numbering sequence, D3131 for mixed digit families.
    static func formatInteger(_ value: Double, picture: String) throws(JSONataError) -> String {
        let format = try IntegerPicture(picture)
        guard value.isFinite else { return JSNumberFormat.format(value) }
        return try format.format(value.rounded(.down))
    }

    /// `$parseInteger(string, picture)`: the inverse of `formatInteger`; `nil` when the text holds no number.
    ///
    /// - Throws: D3130 for an unsupported numbering sequence, D3131 for mixed digit families.
    static func parseInteger(_ string: String, picture: String) throws(JSONataError) -> Double? {
        try IntegerPicture(picture).parse(Substring(string))
    }
}
