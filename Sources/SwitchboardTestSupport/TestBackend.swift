import Foundation
import Logging
import SwitchboardCore
import SwitchboardStore

/// The database engines every store feature is tested on.
///
/// SQLite always; PostgreSQL when `SWITCHBOARD_TEST_POSTGRES_URL` names an admin URL of a running server
/// (scripts/test starts one). Under CI (`CI` set) a missing PostgreSQL is an error, not a skip.
public enum TestBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    public var testDescription: String { rawValue }

    public static var postgresAdminURL: String? {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The engines to run on here.
    public static var available: [TestBackend] {
        if postgresAdminURL != nil || ProcessInfo.processInfo.environment["CI"] != nil { return [.sqlite, .postgres] }
        return [.sqlite]
    }

    /// A fresh, empty location for one test: a new SQLite directory or a new PostgreSQL database.
    public func freshLocation() async throws -> StoreLocation {
        switch self {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "switchboard-test-" + UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return .sqlite(directory: dir)
        case .postgres:
            guard let admin = Self.postgresAdminURL else {
                throw TestSetupError("CI is set but SWITCHBOARD_TEST_POSTGRES_URL is not: run the tests through scripts/test")
            }
            let name = "sbtest_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            let db = try SwitchboardStore.PostgresDatabase(url: admin, logger: Logger(label: "test-admin"), maximumConnections: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await db.run() }
                try await db.execute("CREATE DATABASE \(name)")
                group.cancelAll()
            }
            return .postgres(url: SwitchboardStore.PostgresDatabase.url(admin, database: String(name)))
        }
    }

    /// Runs `body` with a fresh location, then removes it (the SQLite directory, or the PostgreSQL database): left
    /// behind, a test run's databases filled gigabytes of scripts/test's cluster after a few runs.
    public func withFreshLocation<T: Sendable>(_ body: (StoreLocation) async throws -> T) async throws -> T {
        let location = try await freshLocation()
        let result: Result<T, any Error>
        do { result = .success(try await body(location)) } catch { result = .failure(error) }
        await Self.remove(location)
        return try result.get()
    }

    /// Deletes a location made by `freshLocation()`; failures are ignored (it is only cleanup).
    public static func remove(_ location: StoreLocation) async {
        switch location {
        case .sqlite(let directory):
            try? FileManager.default.removeItem(atPath: directory)
        case .sqliteFile(let path):
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        case .postgres(let url):
            guard let admin = postgresAdminURL, let name = databaseName(url), name.hasPrefix("sbtest_") else { return }
            guard let db = try? SwitchboardStore.PostgresDatabase(url: admin, logger: Logger(label: "test-admin"), maximumConnections: 1) else {
                return
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await db.run() }
                // FORCE: a server process a test killed may have left connections behind.
                _ = try? await db.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                group.cancelAll()
            }
        }
    }

    /// The database named by a PostgreSQL URL (its path), if any.
    static func databaseName(_ url: String) -> String? {
        let withoutQuery = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let schemeEnd = withoutQuery.range(of: "://")?.upperBound, let slash = withoutQuery[schemeEnd...].firstIndex(of: "/") else {
            return nil
        }
        let name = withoutQuery[withoutQuery.index(after: slash)...]
        return name.isEmpty ? nil : String(name)
    }

    /// Opens a fresh, migrated database, runs `body`, closes it and removes it.
    public func withDatabase<T: Sendable>(
        _ body: @Sendable (any SQLDatabase, StoreLocation) async throws -> T
    ) async throws -> T {
        try await withFreshLocation { location in try await Self.withDatabase(at: location, body) }
    }

    /// Opens the database at `location` (migrating it), runs `body`, and closes it.
    public static func withDatabase<T: Sendable>(
        at location: StoreLocation, _ body: @Sendable (any SQLDatabase, StoreLocation) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "test")
        let db = try await Store.openDatabase(location, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            if let pg = db as? SwitchboardStore.PostgresDatabase { group.addTask { await pg.run(); return nil } }
            do {
                try await Migrator().migrate(db, logger: logger)
                let result = try await body(db, location)
                try await db.close()
                group.cancelAll()
                return result
            } catch {
                try? await db.close()
                group.cancelAll()
                throw error
            }
        }
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Swift Testing's argument description, without importing Testing into a library target.
public protocol CustomTestStringConvertible { var testDescription: String { get } }
