import JSONValue

/// The key of a cached response: connection, method, the canonical JSON of the parameters (keys sorted), so
/// `{"a":1,"b":2}` and `{"b":2,"a":1}` share an entry; what identifies the credentials the response was fetched
/// with, so a response is never served to a call made with other credentials; and what else the request was built
/// from (the connection's configuration, the definition version), so an answer fetched before a change of either
/// (another tenant's base URL, a method's new path) is not served after it.
public struct ResponseCacheKey: Sendable, Hashable, CustomStringConvertible {
    /// `connection \u{1F} method \u{1F} canonical params`, then `\u{1F} credentials` and `\u{1F} scope` when set.
    public let rawValue: String

    /// - Parameters:
    ///   - credentials: an opaque digest of the credentials the call uses (never the secret itself); empty when the
    ///     connection has none.
    ///   - scope: what else the answer depends on besides the parameters and credentials (empty when nothing).
    public init(connectionID: String, method: String, params: JSON, credentials: String = "", scope: String = "") {
        var key = "\(connectionID)\u{1F}\(method)\u{1F}\(params.serialized(.canonical))"
        if !credentials.isEmpty || !scope.isEmpty { key += "\u{1F}\(credentials)" }
        if !scope.isEmpty { key += "\u{1F}\(scope)" }
        rawValue = key
    }

    public var description: String { rawValue.replacingUnitSeparators() }
}

extension String {
    fileprivate func replacingUnitSeparators() -> String {
        String(unicodeScalars.map { $0 == "\u{1F}" ? "|" : Character($0) })
    }
}
