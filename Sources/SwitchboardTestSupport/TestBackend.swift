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

    /// Opens a fresh, migrated database, runs `body`, and closes it.
    public func withDatabase<T: Sendable>(
        _ body: @Sendable (any SQLDatabase, StoreLocation) async throws -> T
    ) async throws -> T {
        let location = try await freshLocation()
        return try await Self.withDatabase(at: location, body)
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
