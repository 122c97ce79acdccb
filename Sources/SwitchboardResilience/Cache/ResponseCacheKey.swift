import JSONValue

/// The key of a cached response: connection, method, the canonical JSON of the parameters (keys sorted), so
/// `{"a":1,"b":2}` and `{"b":2,"a":1}` share an entry, and what identifies the credentials the response was fetched
/// with, so a response is never served to a call made with other credentials.
public struct ResponseCacheKey: Sendable, Hashable, CustomStringConvertible {
    /// `connection \u{1F} method \u{1F} canonical params`, then `\u{1F} credentials` when there are credentials.
    public let rawValue: String

    /// - Parameters:
    ///   - credentials: an opaque digest of the credentials the call uses (never the secret itself); empty when the
    ///     connection has none.
    public init(connectionID: String, method: String, params: JSON, credentials: String = "") {
        let base = "\(connectionID)\u{1F}\(method)\u{1F}\(params.serialized(.canonical))"
        rawValue = credentials.isEmpty ? base : "\(base)\u{1F}\(credentials)"
    }

    public var description: String { rawValue.replacingUnitSeparators() }
}

extension String {
    fileprivate func replacingUnitSeparators() -> String {
        String(unicodeScalars.map { $0 == "\u{1F}" ? "|" : Character($0) })
    }
}
