import Hummingbird
import JSONValue
import Logging
import ServiceLifecycle
import SwitchboardAdapters
import SwitchboardCore
import SwitchboardEngine
import SwitchboardResilience
import SwitchboardStore
import SwitchboardSync
import SwitchboardVault

/// How the server runs: from flags, environment variables (`SWITCHBOARD_*`) and defaults.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Where the embedded SQLite database lives (used unless `databaseURL` is set).
    public var dataDirectory: String
    /// `postgres://...` selects PostgreSQL.
    public var databaseURL: String?
    public var logLevel: Logger.Level
    /// Largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// Sync workers this node runs (0: this node runs no syncs, e.g. an API-only node).
    public var syncWorkers: Int = 1
    /// How long a sync run's claim lasts without a heartbeat; a run whose node died resumes elsewhere after it.
    public var syncLeaseSeconds: Int = 30
    /// Send plain `http://` upstream requests over the lean HTTP/1.1 client rather than AsyncHTTPClient.
    public var plainHTTPClient = true
    /// How long the engine keeps a connection or definition read from the database. Changes made on this node, and on
    /// PostgreSQL those announced by the other nodes, invalidate it sooner; this bounds staleness if one is missed.
    public var executionCacheTTL: Duration = .seconds(5)
    /// How long the vault keeps decrypted credentials in memory (invalidated the same way).
    public var credentialCacheTTL: Duration = .seconds(30)
    /// On PostgreSQL, how long a request waits for a connection from the pool (the server unreachable, or every
    /// connection busy) before it fails with 503 `DATABASE_UNAVAILABLE`. Statements themselves are not limited.
    public var databaseConnectionWait: Duration = PostgresDatabase.defaultConnectionWait
    /// On PostgreSQL, the most connections this node opens (the server's `max_connections` bounds the sum over every
    /// node, with a few to spare for the CLI and administration).
    public var databasePoolSize: Int = PostgresDatabase.defaultMaximumConnections

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./.switchboard", databaseURL: String? = nil,
        logLevel: Logger.Level = .info, maxBodySize: Int = 1 << 20
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.logLevel = logLevel
        self.maxBodySize = maxBodySize
    }

    public var storeLocation: StoreLocation {
        if let url = databaseURL, !url.isEmpty { return .postgres(url: url) }
        return .sqlite(directory: dataDirectory)
    }
}

/// Everything the controllers need, built once per application.
public struct AppServices: Sendable {
    public let store: Store
    public let registry: RegistryService
    public let connections: ConnectionService
    public let schemas: JSONSchemaChecker
    public let logger: Logger
    public let cache: ExecutionCache
    public let eventBus: EventBus
    public let recorder: ExecutionRecorder
    public let transport: HTTPTransport
    public let sqlAdapter: SQLAdapter
    public let executor: MethodExecutor
    /// Syncs: runs as durable jobs, records, workers and the scheduler.
    public let sync: SyncEngine
    /// Sync workers started by `lifecycleServices`.
    public let syncWorkers: Int
    /// Opened once the database is migrated: sync workers and the scheduler wait for it.
    public let syncStart = StartGate()
    public let resilience: ResilienceRuntime
    /// The credential vault (the engine's credential provider unless `credentials` is given).
    public let vault: Vault
    /// Cache invalidations to and from the other nodes (PostgreSQL).
    public let changes: ChangeFeed

    public init(
        store: Store, schemas: JSONSchemaChecker, clock: any WallClock = SystemWallClock(), credentials: (any CredentialProvider)? = nil,
        vault: Vault? = nil, resilience: ResilienceRuntime? = nil, syncConfiguration: SyncEngine.Configuration = .init(), syncWorkers: Int = 1,
        transport: HTTPTransport.Configuration = .init(), sql: SQLAdapter.Configuration = .init(), cacheTTL: Duration = .seconds(5),
        logger: Logger
    ) {
        self.syncWorkers = syncWorkers
        let vault =
            vault
            ?? Vault(
                database: store.database, connections: store.connections, definitions: store.definitions, keys: .ephemeral(), clock: clock,
                logger: logger)
        self.vault = vault
        let credentials = credentials ?? vault
        self.store = store
        self.schemas = schemas
        self.logger = logger
        let cache = ExecutionCache(ttl: cacheTTL)
        self.cache = cache
        // Several nodes on PostgreSQL: what one changes, the others' caches drop (see ChangeFeed).
        let changes = ChangeFeed(database: store.database, logger: logger)
        self.changes = changes
        if changes.isShared {
            cache.bind(peers: { changes.publishLater($0) })
            vault.bind(changes: changes)
            changes.subscribe { [cache, vault] change in
                cache.apply(change)
                vault.apply(change)
            }
        }
        self.transport = HTTPTransport(configuration: transport)
        self.sqlAdapter = SQLAdapter(logger: logger, configuration: sql)
        var adapters = AdapterRegistry()
        adapters.register(RESTAdapter(transport: self.transport), for: .restAPI)
        adapters.register(GraphQLAdapter(transport: self.transport), for: .graphql)
        adapters.register(SOAPAdapter(transport: self.transport), for: .soap)
        adapters.register(sqlAdapter, for: .database)
        self.connections = ConnectionService(
            connections: store.connections, definitions: store.definitions, schemas: schemas, clock: clock, cache: cache, adapters: adapters)
        // A value the store refuses is dropped (counted in the log) rather than retried with its batch for ever.
        self.eventBus = EventBus(
            writer: BatchWriter(name: "events", configuration: .init(isPermanent: DatabaseError.isPermanent), logger: logger) {
                try await store.events.insert($0)
            }, clock: clock)
        vault.bind(events: EventBusVaultSink(bus: eventBus))
        vault.bind(connectionChanged: { [cache] id in cache.invalidate(connectionId: id) })
        self.recorder = ExecutionRecorder(
            executions: store.executions, connections: store.connections, logger: logger,
            configuration: .init(isPermanent: DatabaseError.isPermanent))
        self.registry = RegistryService(
            definitions: store.definitions, codec: DefinitionCodec(schemas: schemas), cache: cache, validators: [SyncDefinition.problems(in:)],
            adapters: adapters)
        // Rate limits are shared by every node on PostgreSQL; the embedded SQLite default is one node, in-process.
        let resilience = resilience ?? ResilienceRuntime(rateLimits: store.postgres.map { PostgresRateLimitStore(db: $0) } ?? RateLimiterRegistry())
        self.resilience = resilience
        self.executor = MethodExecutor(
            connections: store.connections, definitions: store.definitions, adapters: adapters, credentials: credentials, schemas: schemas,
            cache: cache, recorder: recorder, events: eventBus, resilience: resilience, clock: clock, logger: logger)
        self.sync = SyncEngine(
            database: store.database, source: executor,
            catalog: RepositorySyncCatalog(connections: store.connections, definitions: store.definitions),
            events: eventBus, clock: clock, logger: logger, configuration: syncConfiguration)
    }

    /// How long the shutdown sequence waits for the logs' last writes.
    static let shutdownWriteLimit: Duration = .seconds(10)

    /// The long-running parts: the batch writers, and one shutdown sequence that flushes them, closes the pooled
    /// clients and then the database, in that order.
    public var lifecycleServices: [any Service] {
        var out: [any Service] = [recorder.writer]
        if let events = eventBus.writer { out.append(events) }
        if changes.isShared { out.append(ChangeListener(feed: changes)) }
        out.append(
            ShutdownHook { [recorder, eventBus, transport, sqlAdapter, store, vault] in
                // The logs' last writes, side by side; a database that does not answer gets `shutdownWriteLimit`, then
                // what is left is dropped (the executions log and the events log count it in the log), so shutdown
                // does not wait for it: PostgreSQL's pool keeps a write waiting up to a minute when the server is down.
                let limit = Self.shutdownWriteLimit
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await recorder.writer.close(within: limit) }
                    if let events = eventBus.writer { group.addTask { await events.close(within: limit) } }
                    group.addTask { await cancelling(after: limit) { await vault.audit.flush() } }
                }
                try? await transport.shutdown()
                await sqlAdapter.shutdown()
                try? await store.database.close()
            })
        // Last, so graceful shutdown stops them first: workers commit or drop the batch in progress and hand their run
        // back to the queue before the database closes.
        let node = SyncWorker.nodeName()
        out += (0..<syncWorkers).map { SyncWorker(engine: sync, owner: "\(node)/w\($0)", gate: syncStart) as any Service }
        out.append(SyncScheduler(engine: sync, gate: syncStart))
        return out
    }
}

/// Runs `action` when the service group shuts down (gracefully, or by cancellation). The action runs in a task
/// of its own, so a cancelled service group still flushes and closes everything instead of failing half way.
public struct ShutdownHook: Service {
    let action: @Sendable () async -> Void
    public init(_ action: @escaping @Sendable () async -> Void) { self.action = action }
    public func run() async throws {
        try? await gracefulShutdown()
        let action = self.action
        await Task.detached { await action() }.value
    }
}

/// Listens for the other nodes' changes until shutdown (PostgreSQL).
struct ChangeListener: Service {
    let feed: ChangeFeed
    func run() async throws {
        await cancelWhenGracefulShutdown { await feed.listen() }
    }
}

/// The schema checker Switchboard validates with.
public func makeSchemaChecker() -> JSONSchemaChecker { JSONSchemaChecker() }

/// Builds the router with every controller; returns the route table the router serves.
public func buildRouter(services: AppServices, configuration: ServerConfiguration) -> (Router<BasicRequestContext>, RouteTable) {
    // HEAD is answered wherever GET is (RFC 9110 §9.1), by the GET handler with the body left out.
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    let reader = RequestReader(maxBodySize: configuration.maxBodySize)
    var table = RouteTable()
    let execution = ExecutionController(
        executor: services.executor, executions: services.store.executions, events: services.store.events, eventBus: services.eventBus,
        connections: services.connections, reader: reader)
    // First, so that no middleware wraps it (Hummingbird applies a middleware to the routes added after it): the execute
    // route answers its errors itself.
    execution.registerExecute(on: router, table: &table, logger: services.logger)
    router.add(middleware: ErrorMiddleware(logger: services.logger))
    HealthController(database: services.store.database, changes: services.changes, openAPI: OpenAPIDocument()).register(on: router, table: &table)
    DefinitionsController(registry: services.registry, reader: reader).register(on: router, table: &table)
    ConnectionsController(service: services.connections, reader: reader, beforeDelete: services.vault.connectionWillBeDeleted).register(
        on: router, table: &table)
    VaultController(vault: services.vault, connections: services.store.connections, reader: reader).register(on: router, table: &table)
    SyncController(engine: services.sync, connections: services.store.connections).register(on: router, table: &table)
    RecordFilesController(services: services, reader: reader).register(on: router, table: &table)
    HealthMetricsController(connections: services.connections, resilience: services.resilience).register(on: router, table: &table)
    execution.register(on: router, table: &table)
    TransformController(services: services, reader: reader).register(on: router, table: &table)
    // Last: it then only sees the requests no route matched (see MethodNotAllowedMiddleware).
    router.add(middleware: MethodNotAllowedMiddleware(routes: table))
    return (router, table)
}

/// Builds the application: opens the store, migrates it before the server starts, registers the routes.
/// - Parameters:
///   - resilience: the resilience runtime to use (tests pass one with a manual clock); by default one is made.
public func buildApplication(
    _ configuration: ServerConfiguration, logger: Logger? = nil, resilience: ResilienceRuntime? = nil
) async throws -> some ApplicationProtocol {
    let logger: Logger = {
        var l = logger ?? Logger(label: "switchboard")
        l.logLevel = configuration.logLevel
        return l
    }()
    let database = try await Store.openDatabase(
        configuration.storeLocation, logger: logger, postgresPoolSize: configuration.databasePoolSize,
        postgresConnectionWait: configuration.databaseConnectionWait)
    let schemas = makeSchemaChecker()
    let store = Store(database: database)
    let vaultKeys = try KeyFiles.forServer(
        dataDirectory: configuration.dataDirectory, createIfMissing: configuration.databaseURL.map(\.isEmpty) ?? true, now: SystemWallClock().now(),
        logger: logger)
    var vaultConfiguration = Vault.Configuration()
    let ttl = configuration.credentialCacheTTL.components
    vaultConfiguration.cacheTTLMilliseconds = ttl.seconds * 1000 + ttl.attoseconds / 1_000_000_000_000_000
    vaultConfiguration.defaultRedirectURI = "http://\(configuration.host):\(configuration.port)/v1/oauth/callback"
    let vault = Vault(
        database: database, connections: store.connections, definitions: store.definitions, keys: vaultKeys, logger: logger,
        configuration: vaultConfiguration,
        keyDirectory: KeyFiles.directory(dataDirectory: configuration.dataDirectory))
    let services = AppServices(
        store: store, schemas: schemas, vault: vault, resilience: resilience,
        syncConfiguration: SyncEngine.Configuration(leaseMs: Int64(configuration.syncLeaseSeconds) * 1000), syncWorkers: configuration.syncWorkers,
        transport: HTTPTransport.Configuration(plainHTTPClient: configuration.plainHTTPClient),
        // SQL connections may not reach the store's own database or anything in the data directory.
        sql: SQLAdapter.Configuration(store: configuration.storeLocation, dataDirectory: configuration.dataDirectory),
        cacheTTL: configuration.executionCacheTTL, logger: logger)
    let (router, _) = buildRouter(services: services, configuration: configuration)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "switchboard"),
        logger: logger
    )
    if let postgres = store.postgres { app.addServices(postgres.client) }
    app.addServices(services.lifecycleServices)
    app.addServices(VaultAuditFlusher(vault: vault))
    app.beforeServerStarts {
        if case .postgres = configuration.storeLocation {
            // PostgreSQL may come up after Switchboard (a container started beside it): keep trying for a minute.
            try await retryingWhileUnavailable(for: .seconds(60), logger: logger) { try await Migrator().migrate(database, logger: logger) }
        } else {
            try await Migrator().migrate(database, logger: logger)
        }
        try await vault.start()
        // Passwords that SQL connections kept in databaseUrl before they had to be credentials.
        try await DatabaseURLPasswords.moveToVault(connections: store.connections, vault: vault, logger: logger)
        services.syncStart.open()
        switch configuration.storeLocation {
        case .postgres: logger.info("using PostgreSQL")
        case .sqlite(let dir): logger.info("using the embedded SQLite database", metadata: ["data.dir": "\(dir)"])
        case .sqliteFile(let path): logger.info("using SQLite", metadata: ["path": "\(path)"])
        }
    }
    return app
}

/// Runs `body`, and again while it fails with the database unavailable, until `patience` has passed: waits of
/// `firstDelay`, doubling up to 5 s, in between, each logged as a warning. Other errors end it at once.
func retryingWhileUnavailable(
    for patience: Duration, firstDelay: Duration = .milliseconds(500), logger: Logger, _ body: () async throws -> Void
) async throws {
    let deadline = ContinuousClock.now + patience
    var failures = 0
    while true {
        do {
            return try await body()
        } catch let error as DatabaseError where error.kind == .unavailable {
            let delay = OutageLog.retryDelay(failures: failures, interval: firstDelay, cap: .seconds(5))
            guard ContinuousClock.now + delay < deadline else {
                throw DatabaseError(kind: .unavailable, message: "\(error.message); gave up after trying for \(patience)")
            }
            logger.warning("the database cannot be reached yet; trying again", metadata: ["error": "\(error.message)", "retry.in": "\(delay)"])
            try await Task.sleep(for: delay)
            failures += 1
        }
    }
}
