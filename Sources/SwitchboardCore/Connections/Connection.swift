import JSONValue

/// The lifecycle of a connection, as in the seed documents.
public enum ConnectionStatus: String, Sendable, CaseIterable, Codable {
    case pendingConfiguration = "PENDING_CONFIGURATION"
    case pendingAuthentication = "PENDING_AUTHENTICATION"
    case connected = "CONNECTED"
    case disconnected = "DISCONNECTED"
    case authError = "AUTH_ERROR"
    case configError = "CONFIG_ERROR"
}

/// A customer's instance of an integration definition: its config, status and bookkeeping.
public struct Connection: Sendable, Equatable {
    public var id: String
    public var name: String
    public var definitionKey: String
    public var definitionVersion: SemanticVersion
    public var status: ConnectionStatus
    public var config: JSONObject
    public var metadata: JSONObject
    public var lastError: String?
    public var lastUsedAt: Timestamp?
    public var lastConnectedAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Incremented on every change; used for optimistic concurrency (`If-Match` / `version`).
    public var version: Int

    public init(
        id: String, name: String, definitionKey: String, definitionVersion: SemanticVersion, status: ConnectionStatus,
        config: JSONObject, metadata: JSONObject, lastError: String? = nil, lastUsedAt: Timestamp? = nil,
        lastConnectedAt: Timestamp? = nil, createdAt: Timestamp, updatedAt: Timestamp, version: Int = 1
    ) {
        self.id = id
        self.name = name
        self.definitionKey = definitionKey
        self.definitionVersion = definitionVersion
        self.status = status
        self.config = config
        self.metadata = metadata
        self.lastError = lastError
        self.lastUsedAt = lastUsedAt
        self.lastConnectedAt = lastConnectedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The API form.
    public var json: JSON {
        [
            "id": .string(id),
            "name": .string(name),
            "definitionKey": .string(definitionKey),
            "definitionVersion": .string(definitionVersion.description),
            "status": .string(status.rawValue),
            "config": .object(config),
            "metadata": .object(metadata),
            "lastError": lastError.map(JSON.string) ?? .null,
            "lastUsedAt": lastUsedAt.map { .string($0.iso8601) } ?? .null,
            "lastConnectedAt": lastConnectedAt.map { .string($0.iso8601) } ?? .null,
            "createdAt": .string(createdAt.iso8601),
            "updatedAt": .string(updatedAt.iso8601),
            "version": .number(Double(version)),
        ]
    }
}
