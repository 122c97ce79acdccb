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
        return try PictureCache.numberPicture(picture, format: format).format(value)
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

    /// `$fromMillis(millis [, picture [, timezone]])`: ISO 8601 in UTC with milliseconds
    /// (`2017-11-07T15:07:54.972Z`) when `picture` is nil, else an XPath `fn:format-dateTime` picture.
    ///
    /// - Parameter timezone: `±HHMM`, as `-0500`; UTC when nil.
    /// - Throws: D3130-D3135 for invalid pictures, D3137 for an instant outside JavaScript's date range.
    static func fromMillis(_ millis: Double, picture: String?, timezone: String?) throws(JSONataError) -> String {
        try DateTimeFormatter.format(millis, picture: picture, timezone: timezone)
    }

    /// `$toMillis(timestamp [, picture])`: milliseconds since the epoch.
    ///
    /// Without a picture the timestamp must be ISO 8601 (D3110 otherwise); with one it is read as the picture lays
    /// it out. `nil` (JSONata's `undefined`) when the text does not match the picture or is no valid date.
    /// - Parameter now: the evaluation's fixed `$now()` in milliseconds, which fills components the picture leaves
    ///   out on the left (a time-only picture takes today's date); the system clock when nil.
    /// - Throws: D3110, D3130-D3136.
    static func toMillis(_ timestamp: String, picture: String?, now: Double? = nil) throws(JSONataError) -> Double? {
        guard let picture else { return try ISO8601Timestamp.parse(timestamp) }
        return try DateTimeParser.parse(timestamp, picture: picture, now: now ?? WallClock.nowMillis())
    }
}
