import Logging
import SwitchboardCore

/// One versioned schema change, with the statements for each engine.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sqlite: [String]
    public var postgres: [String]

    public init(version: Int, name: String, sqlite: [String], postgres: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// The same statements on both engines.
    public init(version: Int, name: String, both: [String]) {
        self.init(version: version, name: name, sqlite: both, postgres: both)
    }
}

/// Applies migrations in order, each in its own transaction, recording them in `schema_migrations`.
/// Running it again applies nothing. On PostgreSQL an advisory lock keeps nodes starting together from racing.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = SchemaMigrations.all) { self.migrations = migrations }

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    public func migrate(_ db: any SQLDatabase, logger: Logger) async throws -> [Int] {
        try await db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let did = try await db.transaction { tx -> Bool in
                if tx.dialect == .postgres { try await tx.execute("SELECT pg_advisory_xact_lock(7413001)") }
                if try await tx.first("SELECT version FROM schema_migrations WHERE version = ?", [.int(Int64(migration.version))]) != nil {
                    return false
                }
                for statement in tx.dialect == .sqlite ? migration.sqlite : migration.postgres {
                    try await tx.execute(statement)
                }
                try await tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(Int64(migration.version)), .text(migration.name), .timestamp(SystemWallClock().now())])
                return true
            }
            if did {
                applied.append(migration.version)
                logger.info("applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            }
        }
        return applied
    }
}
