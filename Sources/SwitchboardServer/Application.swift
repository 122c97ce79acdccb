import Hummingbird
import JSONValue
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardEngine
import SwitchboardStore

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
    public let schemas: any SchemaChecker
    public let logger: Logger

    public init(store: Store, schemas: any SchemaChecker, clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.store = store
        self.schemas = schemas
        self.logger = logger
        self.registry = RegistryService(definitions: store.definitions, codec: DefinitionCodec(schemas: schemas))
        self.connections = ConnectionService(connections: store.connections, definitions: store.definitions, schemas: schemas, clock: clock)
    }
}

/// The schema checker Switchboard validates with.
public func makeSchemaChecker() -> any SchemaChecker { JSONSchemaChecker() }

/// Builds the router with every controller; returns the route table the router serves.
public func buildRouter(services: AppServices, configuration: ServerConfiguration) -> (Router<BasicRequestContext>, RouteTable) {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware(logger: services.logger))
    let reader = RequestReader(maxBodySize: configuration.maxBodySize)
    var table = RouteTable()
    HealthController(database: services.store.database, openAPI: OpenAPIDocument()).register(on: router, table: &table)
    DefinitionsController(registry: services.registry, reader: reader).register(on: router, table: &table)
    ConnectionsController(service: services.connections, reader: reader).register(on: router, table: &table)
    return (router, table)
}

/// Builds the application: opens the store, migrates it before the server starts, registers the routes.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    let logger: Logger = {
        var l = logger ?? Logger(label: "switchboard")
        l.logLevel = configuration.logLevel
        return l
    }()
    let database = try await Store.openDatabase(configuration.storeLocation, logger: logger)
    let schemas = makeSchemaChecker()
    let store = Store(database: database, schemas: schemas)
    let services = AppServices(store: store, schemas: schemas, logger: logger)
    let (router, _) = buildRouter(services: services, configuration: configuration)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "switchboard"),
        logger: logger
    )
    if let postgres = store.postgres { app.addServices(postgres.client) }
    app.addServices(DatabaseCloser(database: database))
    app.beforeServerStarts {
        try await Migrator().migrate(database, logger: logger)
        switch configuration.storeLocation {
        case .postgres: logger.info("using PostgreSQL")
        case .sqlite(let dir): logger.info("using the embedded SQLite database", metadata: ["data.dir": "\(dir)"])
        case .sqliteFile(let path): logger.info("using SQLite", metadata: ["path": "\(path)"])
        }
    }
    return app
}

/// Closes the database when the service group shuts down.
struct DatabaseCloser: Service {
    let database: any SQLDatabase
    func run() async throws {
        try? await gracefulShutdown()
        try? await database.close()
    }
}
