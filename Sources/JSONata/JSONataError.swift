import JSONValue

/// An error raised while compiling or evaluating a JSONata expression.
///
/// `code` is the reference implementation's error code (`S0201`, `T2001`, `D3001`, `U1001`, ...),
/// so users can look it up; `message` is for people.
public struct JSONataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reference error code, such as "T2001".
    public var code: String
    /// A human-readable explanation.
    public var message: String
    /// Character offset in the expression where the problem was found, when known.
    public var position: Int?
    /// The token involved, when there is one.
    public var token: String?
    /// The offending value, when there is one.
    public var value: JSON?

    public init(code: String, message: String, position: Int? = nil, token: String? = nil, value: JSON? = nil) {
        self.code = code
        self.message = message
        self.position = position
        self.token = token
        self.value = value
    }

    public var description: String {
        if let position { return "\(code): \(message) (at \(position))" }
        return "\(code): \(message)"
    }
}
