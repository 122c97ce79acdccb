import JSONValue

/// The key of a cached response: connection, method and the canonical JSON of the parameters
/// (keys sorted), so `{"a":1,"b":2}` and `{"b":2,"a":1}` share an entry.
public struct ResponseCacheKey: Sendable, Hashable, CustomStringConvertible {
    /// `connection \u{1F} method \u{1F} canonical params`.
    public let rawValue: String

    public init(connectionID: String, method: String, params: JSON) {
        rawValue = "\(connectionID)\u{1F}\(method)\u{1F}\(params.serialized(.canonical))"
    }

    public var description: String { rawValue.replacingUnitSeparators() }
}

extension String {
    fileprivate func replacingUnitSeparators() -> String {
        String(unicodeScalars.map { $0 == "\u{1F}" ? "|" : Character($0) })
    }
}
