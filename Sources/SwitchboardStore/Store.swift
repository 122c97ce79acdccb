import Logging
import SwitchboardCore

/// Where Switchboard keeps its data: the embedded SQLite file or a PostgreSQL server.
public enum StoreLocation: Sendable, Equatable {
    /// `DIR/switchboard.sqlite`, the directory created if needed.
    case sqlite(directory: String)
    case sqliteFile(path: String)
    case postgres(url: String)
}

/// The opened database with its repositories.
public struct Store: Sendable {
    public let database: any SQLDatabase
    public let definitions: any DefinitionRepository
    public let connections: any ConnectionRepository
    public let executions: any ExecutionRepository
    public let events: any EventRepository

    public init(database: any SQLDatabase, clock: any WallClock = SystemWallClock()) {
        self.database = database
        self.definitions = SQLDefinitionRepository(db: database, clock: clock)
        self.connections = SQLConnectionRepository(db: database)
        self.executions = SQLExecutionRepository(db: database)
        self.events = SQLEventRepository(db: database)
    }

    /// The PostgreSQL client's pool, which must run as a service, if this store uses PostgreSQL.
    public var postgres: PostgresDatabase? { database as? PostgresDatabase }

    /// Opens the database (not yet migrated: call `Migrator().migrate`). SQLite calls run on `sqliteThread`; on
    /// PostgreSQL the pool opens at most `postgresPoolSize` connections, and an operation waits at most
    /// `postgresConnectionWait` for one.
    public static func openDatabase(
        _ location: StoreLocation, logger: Logger, sqliteThread: WorkerThreads = SQLiteDatabase.storeThread,
        postgresPoolSize: Int = PostgresDatabase.defaultMaximumConnections,
        postgresConnectionWait: Duration = PostgresDatabase.defaultConnectionWait
    ) async throws -> any SQLDatabase {
        switch location {
        case .sqlite(let directory):
            try FileSystem.makeDirectory(directory)
            return try await SQLiteDatabase.open(path: directory + "/switchboard.sqlite", logger: logger, thread: sqliteThread)
        case .sqliteFile(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger, thread: sqliteThread)
        case .postgres(let url):
            return try PostgresDatabase(url: url, logger: logger, maximumConnections: postgresPoolSize, connectionWait: postgresConnectionWait)
        }
    }
}

enum FileSystem {
    static func makeDirectory(_ path: String) throws {
        var isDir: Bool = false
        if exists(path, isDirectory: &isDir) {
            if !isDir { throw DatabaseError(kind: .unavailable, message: "\(path) exists and is not a directory") }
            return
        }
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            var d = false
            if !exists(current, isDirectory: &d) {
                guard mkdir(current, 0o700) == 0 || errno == EEXIST else {
                    throw DatabaseError(kind: .unavailable, message: "cannot create the data directory \(path) (errno \(errno))")
                }
            }
        }
    }

    static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
