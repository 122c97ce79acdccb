import JSONValue

/// The kinds of credentials a connection can hold.
public enum CredentialType: String, Sendable, CaseIterable, Codable {
    case basic
    case apiKey = "api_key"
    case bearer
    case oauth2
    case jwt
    case custom
    case clientCertificate = "client_certificate"
}

/// Decrypted credentials, held in memory only for the time of a call. Never logged, never serialized to the API.
///
/// Field names by type: basic `username`, `password`; api_key `key` (placement from the definition, or
/// `in`/`name` here); bearer `token`; oauth2 `accessToken`, `refreshToken`, `tokenType`, `scope`;
/// jwt `token` (static) or the minted token; client_certificate `certificatePEM`, `privateKeyPEM`;
/// custom: any fields.
public struct Credentials: Sendable, Equatable {
    public var type: CredentialType
    public var fields: [String: String]
    public var expiresAt: Timestamp?
    /// Free JSON (custom credentials, an OAuth token response) — secret too.
    public var extra: JSONObject

    public init(type: CredentialType, fields: [String: String], expiresAt: Timestamp? = nil, extra: JSONObject = [:]) {
        self.type = type
        self.fields = fields
        self.expiresAt = expiresAt
        self.extra = extra
    }

    public subscript(field: String) -> String? { fields[field] }

    /// The shortest secret the redaction of answers looks for: a shorter value (`"p"`) would match ordinary text
    /// everywhere. The vault refuses shorter values for the fields that are sent to providers as secrets (a basic
    /// password, an API key, a bearer token, OAuth 2 secrets and tokens), so that none can be echoed back unredacted.
    public static let minimumSecretLength = 4
}

extension Credentials: CustomStringConvertible, CustomDebugStringConvertible {
    /// Redacted: only the type and field names, so an accidental interpolation never leaks a secret.
    public var description: String { "Credentials(\(type.rawValue), fields: \(fields.keys.sorted().joined(separator: ", ")))" }
    public var debugDescription: String { description }
}

/// Where the engine gets a connection's credentials: the seam between method execution and the vault.
public protocol CredentialProvider: Sendable {
    /// The credentials to use for a call now (refreshed first when they expire within the provider's margin),
    /// or nil when the connection has none.
    func credentials(for connection: Connection, definition: IntegrationDefinition) async throws -> Credentials?

    /// Called once after the provider answered 401 with `rejected`: refresh (single-flight) and return new
    /// credentials, or nil when they cannot be refreshed.
    func refreshAfterUnauthorized(connection: Connection, definition: IntegrationDefinition, rejected: Credentials) async throws -> Credentials?
}
