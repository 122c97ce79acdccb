/// Which limiter a call uses: a scope and the identifiers that make up its key.
///
/// ```swift
/// RateLimitKey(scope: .connectionMethod, connectionID: "conn_1", method: "contacts.list", definitionID: "hubspot")
/// // key "conn_1/contacts.list"; with scope .definition: "hubspot"
/// ```
public struct RateLimitKey: Sendable, Hashable, CustomStringConvertible {
    public var scope: RateLimitConfiguration.Scope
    /// The identifier within the scope.
    public var key: String

    public init(scope: RateLimitConfiguration.Scope, key: String) {
        self.scope = scope
        self.key = key
    }

    /// The key for a call of `method` on `connectionID` of `definitionID`, in `scope`.
    public init(scope: RateLimitConfiguration.Scope, connectionID: String, method: String, definitionID: String) {
        self.scope = scope
        switch scope {
        case .connectionMethod: key = "\(connectionID)/\(method)"
        case .connection: key = connectionID
        case .definition: key = definitionID
        }
    }

    /// `scope:key`, e.g. `connection_method:conn_1/contacts.list`; also a natural primary key for SQL.
    public var description: String { "\(scope.rawValue):\(key)" }
}
