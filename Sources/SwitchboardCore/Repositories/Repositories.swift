import JSONValue

/// Filters for listing definitions.
public struct DefinitionQuery: Sendable, Equatable {
    public var search: String?
    public var category: String?
    public var status: DefinitionStatus?
    public var type: IntegrationType?
    public var popular: Bool?
    public var limit: Int
    public var cursor: Cursor?

    public init(search: String? = nil, category: String? = nil, status: DefinitionStatus? = nil, type: IntegrationType? = nil, popular: Bool? = nil, limit: Int = 50, cursor: Cursor? = nil) {
        self.search = search
        self.category = category
        self.status = status
        self.type = type
        self.popular = popular
        self.limit = limit
        self.cursor = cursor
    }
}

/// Stores integration definitions and their versions.
public protocol DefinitionRepository: Sendable {
    /// Inserts a new version; `CONFLICT` (409) if this key and version exist.
    func create(_ definition: IntegrationDefinition) async throws -> IntegrationDefinition
    /// Replaces a DRAFT version; `DEFINITION_NOT_EDITABLE` (409) otherwise.
    func replaceDraft(_ definition: IntegrationDefinition) async throws -> IntegrationDefinition
    func version(key: String, version: SemanticVersion) async throws -> IntegrationDefinition?
    /// All versions of a key, newest first.
    func versions(key: String) async throws -> [IntegrationDefinition]
    /// The latest published version, else the latest draft, else the latest of any status.
    func current(key: String) async throws -> IntegrationDefinition?
    /// One entry per key (its current version), filtered and paginated by key.
    func list(_ query: DefinitionQuery) async throws -> Page<IntegrationDefinition>
    /// Applies a status transition; `INVALID_TRANSITION` (409) if not allowed.
    func transition(key: String, version: SemanticVersion, _ transition: DefinitionStatus.Transition) async throws -> IntegrationDefinition
    /// Deletes a DRAFT version with no connections.
    func deleteDraft(key: String, version: SemanticVersion) async throws
}

/// Filters for listing connections.
public struct ConnectionQuery: Sendable, Equatable {
    public var definitionKey: String?
    public var status: ConnectionStatus?
    public var limit: Int
    public var cursor: Cursor?

    public init(definitionKey: String? = nil, status: ConnectionStatus? = nil, limit: Int = 50, cursor: Cursor? = nil) {
        self.definitionKey = definitionKey
        self.status = status
        self.limit = limit
        self.cursor = cursor
    }
}

/// Stores connections.
public protocol ConnectionRepository: Sendable {
    func create(_ connection: Connection) async throws -> Connection
    func get(id: String) async throws -> Connection?
    func list(_ query: ConnectionQuery) async throws -> Page<Connection>
    /// Writes `connection` if the stored version equals `expectedVersion`, incrementing the version;
    /// `VERSION_CONFLICT` (409) otherwise. Returns the stored connection.
    func update(_ connection: Connection, expectedVersion: Int) async throws -> Connection
    /// Deletes; false if there was none.
    func delete(id: String) async throws -> Bool
    /// Records use without bumping the version (bookkeeping, not a user change).
    func touch(id: String, lastUsedAt: Timestamp) async throws
}
