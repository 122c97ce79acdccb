import JSONValue
import SwitchboardAdapters
import SwitchboardCore

/// Creating and changing connections: config validated against the definition's configSchema, defaults applied,
/// status set from the definition's auth needs, optimistic concurrency on every change.
public struct ConnectionService: Sendable {
    public let connections: any ConnectionRepository
    public let definitions: any DefinitionRepository
    public let schemas: any SchemaChecker
    public let clock: any WallClock
    /// Forgotten on every change so executions see it at once.
    public let cache: ExecutionCache?
    /// The adapters, which check a config their calls would refuse (`Adapter.validate(config:of:)`).
    public let adapters: AdapterRegistry?

    public init(
        connections: any ConnectionRepository, definitions: any DefinitionRepository, schemas: any SchemaChecker, clock: any WallClock,
        cache: ExecutionCache? = nil, adapters: AdapterRegistry? = nil
    ) {
        self.connections = connections
        self.definitions = definitions
        self.schemas = schemas
        self.clock = clock
        self.cache = cache
        self.adapters = adapters
    }

    /// Stores a changed connection (optimistic concurrency) and forgets the cached copy.
    public func save(_ connection: Connection, expectedVersion: Int) async throws -> Connection {
        defer { cache?.invalidate(connectionId: connection.id) }
        return try await connections.update(connection, expectedVersion: expectedVersion)
    }

    /// What a client sends to create a connection.
    public struct NewConnection: Sendable {
        public var definitionKey: String
        public var definitionVersion: SemanticVersion?
        public var name: String
        public var config: JSONObject
        public var metadata: JSONObject

        /// Reads `{definitionKey, definitionVersion?, name, config?, metadata?}`, listing every problem.
        public init(json: JSON) throws(SwitchboardError) {
            var r = FieldReader(json, path: "")
            let key = r.string("definitionKey", required: true, maxLength: 64)
            let versionText = r.string("definitionVersion", maxLength: 100)
            var version: SemanticVersion?
            if let versionText {
                version = SemanticVersion(versionText)
                if version == nil { r.report("definitionVersion", "'\(versionText)' is not a semantic version") }
            }
            let name = r.string("name", required: true, maxLength: 200)
            let config = r.object("config") ?? [:]
            let metadata = r.object("metadata") ?? [:]
            r.rejectUnknown()
            guard r.problems.isEmpty, let key, let name else { throw .validation("the connection has \(r.problems.count) problem(s)", problems: r.problems) }
            self.definitionKey = key
            self.definitionVersion = version
            self.name = name
            self.config = config
            self.metadata = metadata
        }
    }

    public func create(_ request: NewConnection) async throws -> Connection {
        let definition: IntegrationDefinition
        if let v = request.definitionVersion {
            guard let d = try await definitions.version(key: request.definitionKey, version: v) else {
                throw SwitchboardError.validation(
                    "unknown definition version",
                    problems: [Problem(path: "/definitionVersion", message: "definition '\(request.definitionKey)' has no version \(v)")])
            }
            guard d.status != .archived else {
                throw SwitchboardError.conflict("version \(v) of '\(request.definitionKey)' is ARCHIVED", code: "DEFINITION_ARCHIVED")
            }
            definition = d
        } else {
            let all = try await definitions.versions(key: request.definitionKey)
            guard !all.isEmpty else {
                throw SwitchboardError.validation(
                    "unknown definition", problems: [Problem(path: "/definitionKey", message: "no definition with key '\(request.definitionKey)'")])
            }
            guard let published = all.first(where: { $0.status == .published }) else {
                throw SwitchboardError.conflict(
                    "definition '\(request.definitionKey)' has no PUBLISHED version; publish one or name a version", code: "DEFINITION_NOT_PUBLISHED")
            }
            definition = published
        }
        let config = try validatedConfig(request.config, for: definition)
        try validateMetadata(request.metadata, for: definition)
        let now = clock.now()
        let needsAuth = definition.auth.type != .none
        let connection = Connection(
            id: Identifier.make(prefix: "conn_", now: now), name: request.name, definitionKey: definition.key,
            definitionVersion: definition.version, status: needsAuth ? .pendingAuthentication : .connected,
            config: config, metadata: request.metadata, lastConnectedAt: needsAuth ? nil : now, createdAt: now, updatedAt: now)
        return try await connections.create(connection)
    }

    /// The definition's defaults overlaid with `config`, validated against its configSchema, then by the adapter of
    /// the definition's type (a SQL connection naming Switchboard's own database is refused). A config holding a secret
    /// (a password in a SQL connection's `databaseUrl`) is refused first, 422 `SECRET_IN_CONFIG`, and the secret is not
    /// quoted back.
    public func validatedConfig(_ config: JSONObject, for definition: IntegrationDefinition) throws(SwitchboardError) -> JSONObject {
        var merged = definition.defaultConfig
        for (k, v) in config { merged[k] = v }
        let refusal = adapters?.problems(inConfig: merged, of: definition)
        // Before the schema's problems, whose messages may quote the value holding the secret.
        if let refusal, refusal.kind == .secretInConfig {
            let message = refusal.problems.first?.message ?? "the config holds a secret"
            throw SwitchboardError(code: "SECRET_IN_CONFIG", message: message, details: refusal.problems.map(\.json), status: 422)
        }
        if let schema = definition.configSchema {
            let problems = schemas.validate(.object(merged), against: schema)
            if !problems.isEmpty {
                throw .validation(
                    "the config does not match the definition's configSchema",
                    problems: problems.map { Problem(path: "/config" + $0.path, message: $0.message) })
            }
        }
        if let refusal {
            throw .validation("the config names a target the connection may not reach", problems: refusal.problems)
        }
        return merged
    }

    /// Checks what the metadata configures: `metadata.resilience`, with the parser calls use (see
    /// `ResilienceRuntime.problems(inConnectionLayer:of:)`), so that a setting calls would refuse is refused here (422).
    public func validateMetadata(_ metadata: JSONObject, for definition: IntegrationDefinition) throws(SwitchboardError) {
        let problems = ResilienceRuntime.problems(inConnectionLayer: metadata["resilience"], of: definition)
        if !problems.isEmpty {
            throw .validation("the connection's resilience settings have \(problems.count) problem(s)", problems: problems)
        }
    }

    public func get(id: String) async throws -> Connection {
        guard Identifier.isWellFormed(id, prefix: "conn_"), let c = try await connections.get(id: id) else {
            throw SwitchboardError.notFound("no connection with id '\(id)'", code: "CONNECTION_NOT_FOUND")
        }
        return c
    }

    /// Applies `{name?, config?, metadata?, version?}`. `expectedVersion` comes from If-Match or the body's `version`;
    /// a stale one changes nothing.
    public func patch(id: String, changes: JSON, ifMatch: Int?) async throws -> Connection {
        var r = FieldReader(changes, path: "")
        let name = r.string("name", maxLength: 200)
        if let name, name.isEmpty { r.report("name", "must not be empty") }
        let config = r.object("config")
        let metadata = r.object("metadata")
        let bodyVersion = r.integer("version", range: 1...Int(Int32.max))
        r.rejectUnknown()
        guard r.problems.isEmpty else { throw SwitchboardError.validation("the change has \(r.problems.count) problem(s)", problems: r.problems) }

        var c = try await get(id: id)
        if let ifMatch, ifMatch != c.version {
            throw SwitchboardError.preconditionFailed("If-Match is version \(ifMatch) but the connection is at version \(c.version)")
        }
        if let bodyVersion, bodyVersion != c.version {
            throw SwitchboardError.conflict("version \(bodyVersion) is stale: the connection is at version \(c.version)", code: "VERSION_CONFLICT")
        }
        let expected = ifMatch ?? bodyVersion ?? c.version
        if let name { c.name = name }
        if metadata != nil || config != nil {
            guard let definition = try await definitions.version(key: c.definitionKey, version: c.definitionVersion) else {
                throw SwitchboardError.conflict("the connection's definition version no longer exists", code: "DEFINITION_NOT_FOUND")
            }
            if let metadata {
                try validateMetadata(metadata, for: definition)
                c.metadata = metadata
            }
            if let config {
                // A PATCH of config replaces the user-supplied config; defaults fill what it leaves out.
                c.config = try validatedConfig(config, for: definition)
                if c.status == .configError || c.status == .pendingConfiguration {
                    c.status = definition.auth.type == .none ? .connected : .pendingAuthentication
                    c.lastError = nil
                }
            }
        }
        c.updatedAt = clock.now()
        return try await save(c, expectedVersion: expected)
    }

    public func delete(id: String) async throws {
        defer { cache?.invalidate(connectionId: id) }
        guard Identifier.isWellFormed(id, prefix: "conn_"), try await connections.delete(id: id) else {
            throw SwitchboardError.notFound("no connection with id '\(id)'", code: "CONNECTION_NOT_FOUND")
        }
    }
}
