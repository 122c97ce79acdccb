import JSONValue

/// Short renderings of instance values for error messages.
enum Preview {
    static let limit = 60

    /// Compact JSON, cut to `limit` characters.
    static func of(_ value: JSON) -> String {
        let text = value.serialized()
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    /// A string as a JSON string literal, cut to `limit` characters.
    static func quoted(_ string: String) -> String { of(.string(string)) }

    static func number(_ n: Double) -> String { JSNumberFormat.format(n) }
}
