import AsyncHTTPClient
import Crypto
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import Synchronization

/// The credential vault: sealed storage of every connection's credentials, OAuth 2 and JWT flows, the audit log,
/// and the `CredentialProvider` the engine takes credentials from.
///
/// Reads on the hot path are served from a short in-memory cache of decrypted documents (invalidated on every change
/// made through this vault) and audited through a buffered writer, so a call adds no synchronous database write.
public final class Vault: CredentialProvider, Sendable {
    public struct Configuration: Sendable {
        /// Access tokens expiring within this margin are refreshed before use.
        public var refreshMarginMilliseconds: Int64 = 60_000
        /// How long decrypted credentials stay in memory.
        public var cacheTTLMilliseconds: Int64 = 30_000
        /// How long an OAuth `state` stays valid.
        public var stateLifetimeMilliseconds: Int64 = 600_000
        /// The redirect URI used when `authorize` is given none (`https://host/v1/oauth/callback`).
        public var defaultRedirectURI: String?
        /// Timeout of token and revocation requests.
        public var httpTimeoutSeconds: Int64 = 30

        public init() {}
    }

    let db: any SQLDatabase
    let connections: any ConnectionRepository
    let definitions: any DefinitionRepository
    let clock: any WallClock
    let logger: Logger
    public let configuration: Configuration
    public let audit: AuditLog
    let tokens: TokenClient
    /// Where key files live, to pick up keys added while running (nil: keys come only from `init`).
    let keyDirectory: String?

    private let keyState: Mutex<(ring: KeyRing, primary: String?, primaryStale: Bool)>
    private let cache = Mutex<[String: CacheEntry]>([:])
    /// Counts invalidations: a row read while one happened may be older than the change and is not cached.
    private let invalidations = Atomic<UInt64>(0)
    private let minted = Mutex<[String: MintedToken]>([:])
    private let inflight = Mutex<[String: Task<CredentialDocument, any Error>]>([:])

    func inflightMap<T>(_ body: (inout [String: Task<CredentialDocument, any Error>]) -> T) -> T {
        inflight.withLock { m in body(&m) }
    }
    private let sink: Mutex<any VaultEventSink>
    /// Told after the vault changed a connection's row (its status), so copies cached elsewhere are dropped.
    private let connectionChanged = Mutex<(@Sendable (String) -> Void)?>(nil)
    /// Tells the other nodes (PostgreSQL) that a connection's credentials changed.
    private let changes = Mutex<ChangeFeed?>(nil)

    struct CacheEntry {
        var row: CredentialRow
        var document: CredentialDocument
        var loadedAt: Timestamp
    }

    struct MintedToken {
        var revision: Int64
        var token: String
        var expiresAt: Timestamp
    }

    public init(
        database: any SQLDatabase, connections: any ConnectionRepository, definitions: any DefinitionRepository, keys: KeyRing,
        clock: any WallClock = SystemWallClock(), logger: Logger, configuration: Configuration = Configuration(),
        httpClient: HTTPClient = .shared, events: any VaultEventSink = DiscardingEventSink(), keyDirectory: String? = nil
    ) {
        self.keyDirectory = keyDirectory
        self.db = database
        self.connections = connections
        self.definitions = definitions
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.audit = AuditLog(db: database, logger: logger)
        self.tokens = TokenClient(http: httpClient, timeout: .seconds(configuration.httpTimeoutSeconds))
        self.keyState = Mutex((keys, keys.order.last, false))
        self.sink = Mutex(events)
    }

    /// Binds the event sink (the engine's event bus).
    public func bind(events: any VaultEventSink) { sink.withLock { $0 = events } }

    /// Binds what to do after the vault changed a connection (moved it to CONNECTED or AUTH_ERROR): the engine drops
    /// its cached copy, so the next call sees the new status at once.
    public func bind(connectionChanged handler: @escaping @Sendable (String) -> Void) { connectionChanged.withLock { $0 = handler } }

    /// Binds the change feed: every credentials change is announced to the other nodes, whose vaults drop their
    /// decrypted copy (`apply(_:)`) instead of using it until `cacheTTLMilliseconds` passes.
    public func bind(changes feed: ChangeFeed) { changes.withLock { $0 = feed } }

    /// Forgets what another node's change made stale.
    public func apply(_ change: StoreChange) {
        switch change {
        case .credentials(let id): invalidate(id)
        case .everything:
            invalidations.add(1, ordering: .acquiringAndReleasing)
            cache.withLock { $0.removeAll() }
            minted.withLock { $0.removeAll() }
        case .connection, .definition: break
        }
    }

    /// Whether decrypted credentials of `connectionId` are cached.
    public func holdsCredentials(of connectionId: String) -> Bool { cache.withLock { $0[connectionId] != nil } }

    func emit(_ type: String, _ connectionId: String, _ payload: JSONObject = [:]) {
        let s = sink.withLock { $0 }
        s.emit(type: type, connectionId: connectionId, payload: .object(payload))
    }

    var ring: KeyRing { keyState.withLock { $0.ring } }

    /// The key new records are wrapped with.
    public var primaryKeyId: String? { keyState.withLock { $0.primary } }

    func primaryKey() throws -> MasterKey {
        let (ring, primary) = keyState.withLock { ($0.ring, $0.primary) }
        guard let primary, let key = ring[primary] else { throw VaultErrors.keyConfiguration("the vault has no master key") }
        return key
    }

    /// Checks the keys against the database (after migrations): every key id that stored records use must be loaded and
    /// must decrypt its known-plaintext check; keys seen for the first time are registered. Throws `VAULT_KEY_CONFIGURATION`
    /// naming the key id otherwise. Chooses the primary key: the newest registered key that is loaded.
    public func start() async throws {
        let ring = self.ring
        let entries = try await CredentialRecords.keys(db)
        for e in entries {
            if let k = ring[e.id], !Envelope.verifyCheck(e.check, master: k) {
                throw VaultErrors.keyConfiguration("master key \(e.id) does not pass its stored check: the key material is wrong")
            }
        }
        let usage = try await CredentialRecords.keyUsage(db)
        for (id, count) in usage.sorted(by: { $0.key < $1.key }) where count > 0 && ring[id] == nil {
            throw VaultErrors.keyConfiguration(
                "master key \(id) wraps \(count) stored record(s) but is not loaded: set \(KeyFiles.environmentVariable) to it "
                    + "or restore its key file; credentials cannot be read without it")
        }
        let known = Set(entries.map(\.id))
        var now = clock.now()
        for id in ring.order where !known.contains(id) {
            try await CredentialRecords.addKey(db, ring[id]!, now: now)
            now.millisecondsSinceEpoch += 1
        }
        let all = try await CredentialRecords.keys(db)
        let primary = all.last(where: { ring[$0.id] != nil })?.id
        keyState.withLock { $0.primary = primary }
        logger.info("credential vault ready", metadata: ["vault.key.primary": "\(primary ?? "none")", "vault.keys.loaded": "\(ring.order.count)"])
    }

    /// Adds a key to the ring (after `vault rotate` wrote it) and makes it primary if registered as newest.
    public func add(key: MasterKey) async throws {
        keyState.withLock { $0.ring.add(key) }
        try await start()
    }

    // MARK: - Reading

    func sealed(_ document: CredentialDocument, connectionId: String) throws -> (SealedRecord, String) {
        let master = try primaryKey()
        let bytes = document.serialized
        return (
            try Envelope.seal(bytes, connectionId: connectionId, field: CredentialRow.field, master: master),
            Envelope.fingerprint(bytes, master: master)
        )
    }

    func open(_ row: CredentialRow) throws -> CredentialDocument {
        if ring[row.sealed.keyId] == nil { reloadKeyFiles() }
        return try CredentialDocument(
            serialized: try Envelope.open(row.sealed, connectionId: row.connectionId, field: CredentialRow.field, keys: ring))
    }

    /// Picks up key files added since start (`vault rotate` run beside a live server) so re-wrapped records stay readable.
    /// Returns true if a key was added.
    @discardableResult
    func reloadKeyFiles() -> Bool {
        guard let dir = keyDirectory, let loaded = try? KeyFiles.load(directory: dir, environment: [:]) else { return false }
        return keyState.withLock { s in
            var added = false
            for id in loaded.order where s.ring[id] == nil {
                s.ring.add(loaded[id]!)
                added = true
            }
            if added { s.primaryStale = true }
            return added
        }
    }

    /// Before a write: picks up a key that `vault rotate` added while this process runs, and makes the newest
    /// registered key that is loaded the primary, so new records are not wrapped by the key being rotated away.
    func refreshPrimaryIfKeysChanged(_ executor: any SQLExecutor) async throws {
        reloadKeyFiles()
        guard keyState.withLock({ $0.primaryStale }) else { return }
        let ring = self.ring
        if let newest = try await CredentialRecords.keys(executor).last(where: { ring[$0.id] != nil }) {
            keyState.withLock {
                $0.primary = newest.id
                $0.primaryStale = false
            }
        }
    }

    /// The decrypted document, from the cache when fresh.
    func load(_ connectionId: String) async throws -> CacheEntry? {
        let now = clock.now()
        if let e = cache.withLock({ $0[connectionId] }),
            now.millisecondsSinceEpoch - e.loadedAt.millisecondsSinceEpoch < configuration.cacheTTLMilliseconds
        {
            return e
        }
        let generation = invalidations.load(ordering: .acquiring)
        guard let row = try await CredentialRecords.get(db, connectionId: connectionId) else {
            cache.withLock { $0[connectionId] = nil }
            return nil
        }
        let entry = CacheEntry(row: row, document: try open(row), loadedAt: now)
        remember(entry, readAt: generation)
        return entry
    }

    /// Caches `entry`, unless a newer revision is cached or (`readAt`: the invalidation count read before the row
    /// was) an invalidation happened while the row was being read.
    func remember(_ entry: CacheEntry, readAt generation: UInt64? = nil) {
        cache.withLock { c in
            if let generation, generation != invalidations.load(ordering: .acquiring) { return }
            if let old = c[entry.row.connectionId], old.row.revision > entry.row.revision { return }
            c[entry.row.connectionId] = entry
        }
    }

    func invalidate(_ connectionId: String) {
        invalidations.add(1, ordering: .acquiringAndReleasing)
        cache.withLock { $0[connectionId] = nil }
        minted.withLock { $0[connectionId] = nil }
    }

    /// The API view of a connection's credentials (type, fields set, expiry, fingerprint), or nil.
    public func info(connectionId: String) async throws -> JSON? {
        try await CredentialRecords.get(db, connectionId: connectionId)?.json
    }

    // MARK: - CredentialProvider

    public func credentials(for connection: Connection, definition: IntegrationDefinition) async throws -> Credentials? {
        guard let entry = try await load(connection.id) else { return nil }
        var document = entry.document
        audit.recordRead(connectionId: connection.id, actor: "engine", details: ["type": .string(document.type.rawValue)], now: clock.now())
        switch document.type {
        case .oauth2:
            if needsToken(document, definition: definition) {
                document = try await refresh(connection: connection, definition: definition, rejectedAccessToken: document.string("accessToken"))
            }
            return document.credentials(definition: definition)
        case .jwt where document.mintsJWT:
            return document.credentials(definition: definition, mintedToken: try await mint(entry.row, document))
        default:
            return document.credentials(definition: definition)
        }
    }

    public func refreshAfterUnauthorized(connection: Connection, definition: IntegrationDefinition, rejected: Credentials) async throws
        -> Credentials?
    {
        guard let entry = try await load(connection.id) else { return nil }
        recordAudit(connection.id, "credentials.read", actor: "engine", ["type": .string(entry.document.type.rawValue), "after": "401"])
        switch entry.document.type {
        case .oauth2:
            guard canObtainToken(entry.document, definition: definition) else { return nil }
            let document = try await refresh(connection: connection, definition: definition, rejectedAccessToken: rejected["accessToken"])
            return document.credentials(definition: definition)
        case .jwt where entry.document.mintsJWT:
            minted.withLock { m in if m[connection.id]?.token == rejected["token"] { m[connection.id] = nil } }
            return entry.document.credentials(definition: definition, mintedToken: try await mint(entry.row, entry.document))
        default:
            return nil
        }
    }

    func expiresSoon(_ document: CredentialDocument) -> Bool {
        guard let e = document.expiresAt else { return false }
        return e.millisecondsSinceEpoch - configuration.refreshMarginMilliseconds <= clock.now().millisecondsSinceEpoch
    }

    func canObtainToken(_ document: CredentialDocument, definition: IntegrationDefinition) -> Bool {
        guard let settings = definition.auth.oauth2 else { return false }
        if document.string("refreshToken") != nil { return true }
        switch settings.grantType {
        case .clientCredentials: return document.string("clientId") != nil
        case .jwtBearer: return document.string("assertionKey") != nil
        case .authorizationCode: return false
        }
    }

    func needsToken(_ document: CredentialDocument, definition: IntegrationDefinition) -> Bool {
        guard document.string("accessToken") == nil || expiresSoon(document) else { return false }
        return canObtainToken(document, definition: definition)
    }

    /// A minted JWT, cached until it is within the refresh margin of its expiry.
    func mint(_ row: CredentialRow, _ document: CredentialDocument) async throws -> String {
        let now = clock.now()
        if let m = minted.withLock({ $0[row.connectionId] }), m.revision == row.revision,
            m.expiresAt.millisecondsSinceEpoch - configuration.refreshMarginMilliseconds > now.millisecondsSinceEpoch
        {
            return m.token
        }
        let (token, expiresAt) = try await JWTSigning.sign(document: document, prefix: "", extraClaims: [:], now: now)
        minted.withLock { $0[row.connectionId] = MintedToken(revision: row.revision, token: token, expiresAt: expiresAt) }
        return token
    }

    func recordAudit(_ connectionId: String?, _ action: String, actor: String, _ details: JSONObject = [:]) {
        let now = clock.now()
        audit.record(AuditEntry(id: audit.makeId(now), at: now, connectionId: connectionId, action: action, actor: actor, details: details))
    }

    // MARK: - Changing

    /// Stores credentials read from a PUT body (422 listing problems), then moves a connection waiting for
    /// authentication (or in AUTH_ERROR) to CONNECTED when the credentials are usable; for oauth2 client credentials and
    /// JWT bearer grants a token is obtained first.
    public func put(connectionId: String, body: JSON, actor: String = "api") async throws -> (info: JSON, connection: Connection) {
        guard let connection = try await connections.get(id: connectionId) else {
            throw SwitchboardError.notFound("no connection with id '\(connectionId)'", code: "CONNECTION_NOT_FOUND")
        }
        let definition = try await definition(of: connection)
        let document = try CredentialDocument(json: body, now: clock.now(), apiKeyPlacement: definition.auth.apiKeyPlacement)
        let expected: CredentialType? =
            switch definition.auth.type {
            case .none, .custom: nil
            case .basic: .basic
            case .apiKey: .apiKey
            case .bearer: .bearer
            case .oauth2: .oauth2
            case .jwt: .jwt
            case .clientCertificate: .clientCertificate
            }
        if let expected, document.type != expected, document.type != .clientCertificate, document.type != .custom {
            throw SwitchboardError.validation(
                "the credentials do not fit the definition",
                problems: [
                    Problem(
                        path: "/type",
                        message: "definition '\(definition.key)' uses \(definition.auth.type.rawValue) auth, not \(document.type.rawValue)")
                ])
        }
        if document.type == .oauth2, definition.auth.oauth2 == nil {
            throw SwitchboardError.validation(
                "the definition has no oauth2 settings", problems: [Problem(path: "/type", message: "the definition has no auth.oauth2 settings")])
        }
        let row = try await write(document, connectionId: connectionId)
        recordAudit(
            connectionId, "credentials.set", actor: actor, ["type": .string(document.type.rawValue), "fields": .array(row.fields.map(JSON.string))])
        var current = try await connections.get(id: connectionId) ?? connection
        var usable = document.type != .oauth2 || document.string("accessToken") != nil
        if document.type == .oauth2, !usable, canObtainToken(document, definition: definition) {
            do {
                _ = try await refresh(connection: current, definition: definition, rejectedAccessToken: nil)
                usable = true
            } catch {
                logger.info("could not obtain a token for new credentials", metadata: ["connection.id": "\(connectionId)", "error": "\(error)"])
            }
            current = try await connections.get(id: connectionId) ?? current
        }
        if usable, current.status == .pendingAuthentication || current.status == .authError {
            current = try await setStatus(connectionId, .connected)
        }
        let info = try await CredentialRecords.get(db, connectionId: connectionId)?.json ?? row.json
        return (info, current)
    }

    /// Seals and writes `document`, replacing what was there (revision + 1).
    @discardableResult
    func write(_ document: CredentialDocument, connectionId: String, on executor: (any SQLExecutor)? = nil) async throws -> CredentialRow {
        let exec = executor ?? db
        try await refreshPrimaryIfKeysChanged(exec)
        let previous = try await CredentialRecords.get(exec, connectionId: connectionId)
        let (sealed, fingerprint) = try sealed(document, connectionId: connectionId)
        let now = clock.now()
        let row = CredentialRow(
            connectionId: connectionId, type: document.type, fields: document.fieldNames, expiresAt: document.expiresAt, fingerprint: fingerprint,
            sealed: sealed, revision: (previous?.revision ?? 0) + 1, createdAt: previous?.createdAt ?? now, updatedAt: now)
        try await CredentialRecords.upsert(exec, row)
        invalidate(connectionId)
        remember(CacheEntry(row: row, document: document, loadedAt: now))
        // On the write's own executor: inside a transaction the other nodes hear of it when it commits.
        await changes.withLock { $0 }?.publish(.credentials(connectionId), on: exec)
        return row
    }

    /// Deletes a connection's credentials, revoking OAuth tokens first (RFC 7009) when the definition has a revocation
    /// endpoint. Revocation failures are logged and audited, never fatal. Returns false if there were none.
    ///
    /// A connection whose definition needs auth cannot call without credentials: a `CONNECTED` or `AUTH_ERROR` one moves
    /// to `PENDING_AUTHENTICATION` in the transaction that deletes them, and `integration.credentials.deleted` is emitted.
    @discardableResult
    public func delete(connectionId: String, revoke: Bool = true, actor: String = "api") async throws -> Bool {
        try await delete(connectionId, revoke: revoke, actor: actor, connectionStays: true)
    }

    func delete(_ connectionId: String, revoke: Bool, actor: String, connectionStays: Bool) async throws -> Bool {
        if revoke { await self.revoke(connectionId: connectionId) }
        var needsAuth = false
        if connectionStays, let connection = try await connections.get(id: connectionId), let definition = try? await definition(of: connection) {
            needsAuth = definition.auth.type != .none
        }
        let now = clock.now()
        let feed = changes.withLock { $0 }
        let (deleted, moved) = try await db.transaction { [needsAuth] tx in
            guard try await CredentialRecords.delete(tx, connectionId: connectionId) else { return (false, false) }
            var moved = false
            if needsAuth {
                moved = try await SQLConnectionRepository.setStatus(
                    tx, id: connectionId, to: .pendingAuthentication, from: [.connected, .authError], lastError: nil, now: now)
            }
            // In the transaction: the other nodes hear of it when it commits.
            await feed?.publish(.credentials(connectionId), on: tx)
            return (true, moved)
        }
        invalidate(connectionId)
        if moved { connectionChanged.withLock { $0 }?(connectionId) }
        guard deleted else { return false }
        let status: JSONObject = moved ? ["connectionStatus": .string(ConnectionStatus.pendingAuthentication.rawValue)] : [:]
        recordAudit(connectionId, "credentials.deleted", actor: actor, status)
        if connectionStays { emit("integration.credentials.deleted", connectionId, status) }
        return true
    }

    /// Called before a connection is deleted: revokes and forgets its credentials and pending OAuth states.
    public func connectionWillBeDeleted(_ connectionId: String) async throws {
        guard Identifier.isWellFormed(connectionId, prefix: "conn_") else { return }
        _ = try await delete(connectionId, revoke: true, actor: "api", connectionStays: false)
        try await db.execute("DELETE FROM vault_oauth_states WHERE connection_id = ?", [.text(connectionId)])
    }

    func definition(of connection: Connection) async throws -> IntegrationDefinition {
        guard let d = try await definitions.version(key: connection.definitionKey, version: connection.definitionVersion) else {
            throw SwitchboardError.conflict("the connection's definition version no longer exists", code: "DEFINITION_NOT_FOUND")
        }
        return d
    }

    /// Moves a connection to `status` (optimistic concurrency, retried on a concurrent change).
    @discardableResult
    func setStatus(_ connectionId: String, _ status: ConnectionStatus, lastError: String? = nil) async throws -> Connection {
        for attempt in 0..<5 {
            guard var c = try await connections.get(id: connectionId) else {
                throw SwitchboardError.notFound("no connection with id '\(connectionId)'", code: "CONNECTION_NOT_FOUND")
            }
            if c.status == status && c.lastError == lastError { return c }
            let now = clock.now()
            c.status = status
            c.lastError = lastError
            c.updatedAt = now
            if status == .connected { c.lastConnectedAt = now }
            do {
                let updated = try await connections.update(c, expectedVersion: c.version)
                connectionChanged.withLock { $0 }?(connectionId)
                return updated
            } catch let e as SwitchboardError where e.code == "VERSION_CONFLICT" && attempt < 4 {
                continue
            }
        }
        throw SwitchboardError.conflict("the connection kept changing", code: "VERSION_CONFLICT")
    }

    /// AUTH_ERROR, an `integration.auth.failed` event and an audit entry; `reason` is an OAuth error code or ours.
    func authFailed(_ connectionId: String, reason: String, stage: String) async {
        invalidate(connectionId)
        recordAudit(connectionId, "oauth.failed", actor: "oauth", ["reason": .string(reason), "stage": .string(stage)])
        do {
            try await setStatus(connectionId, .authError, lastError: "\(stage) failed: \(reason)")
        } catch {
            logger.warning("could not mark the connection AUTH_ERROR", metadata: ["connection.id": "\(connectionId)", "error": "\(error)"])
        }
        emit("integration.auth.failed", connectionId, ["reason": .string(reason), "stage": .string(stage)])
    }
}
