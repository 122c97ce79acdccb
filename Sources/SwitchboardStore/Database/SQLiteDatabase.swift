import JSONValue
import Logging
import NIOCore
import SQLiteNIO

/// The embedded database: one SQLite file in WAL mode. Statements are serialized through one connection,
/// so a transaction sees no interleaved statement from elsewhere.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let connection: SQLiteConnection
    private let lock = AsyncLock()

    /// Opens (creating if needed) the database at `path`, or an in-memory one for `":memory:"`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        } catch {
            throw DatabaseError(kind: .unavailable, message: "cannot open the SQLite database at \(path): \(error)")
        }
        let db = SQLiteDatabase(connection: connection)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"] {
            _ = try await db.query(pragma, [])
        }
        return db
    }

    private init(connection: SQLiteConnection) { self.connection = connection }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await lock.withLock { try await self.run(sql, binds) }
    }

    fileprivate func run(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let data = binds.map(Self.sqliteData)
        let collected = RowCollector()
        do {
            try await connection.query(sql, data) { row in collected.append(row) }
        } catch let error as SQLiteError {
            throw Self.map(error)
        }
        return collected.rows
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        await lock.lock()
        defer { lock.unlock() }
        // BEGIN, COMMIT and ROLLBACK run even when the calling task is cancelled: a cancelled task must never leave
        // the one connection inside a transaction (every later BEGIN would fail).
        _ = try await uncancelled { try await self.run("BEGIN IMMEDIATE", []) }
        let tx = SQLiteTransaction(database: self)
        let result: T
        do {
            result = try await body(tx)
        } catch {
            _ = try? await uncancelled { try await self.run("ROLLBACK", []) }
            throw error
        }
        do {
            _ = try await uncancelled { try await self.run("COMMIT", []) }
        } catch {
            _ = try? await uncancelled { try await self.run("ROLLBACK", []) }
            throw error
        }
        return result
    }

    /// Runs `work` in a task of its own, so the caller's cancellation does not reach it.
    func uncancelled<R: Sendable>(_ work: @escaping @Sendable () async throws -> R) async throws -> R {
        try await Task { try await work() }.value
    }

    public func ping() async throws { _ = try await query("SELECT 1", []) }

    public func close() async throws { try await connection.close() }

    static func sqliteData(_ v: SQLValue) -> SQLiteData {
        switch v {
        case .null: .null
        case .int(let i): .integer(Int(i))
        case .double(let d): .float(d)
        case .text(let s): .text(s)
        case .blob(let b): .blob(ByteBuffer(bytes: b))
        case .textArray(let a): .text(JSON.array(a.map(JSON.string)).serialized())
        }
    }

    static func value(_ d: SQLiteData) -> SQLValue {
        switch d {
        case .null: .null
        case .integer(let i): .int(Int64(i))
        case .float(let f): .double(f)
        case .text(let s): .text(s)
        case .blob(let b): .blob(Array(b.readableBytesView))
        }
    }

    static func map(_ error: SQLiteError) -> DatabaseError {
        let text = error.message
        if text.contains("UNIQUE constraint failed") { return DatabaseError(kind: .uniqueViolation, message: "unique constraint violated") }
        if text.contains("FOREIGN KEY constraint failed") { return DatabaseError(kind: .foreignKeyViolation, message: "foreign key constraint violated") }
        return DatabaseError(kind: .other, message: "SQLite: \(error.reason) \(text)")
    }
}

/// Statements inside a transaction: the caller already holds the database lock.
struct SQLiteTransaction: SQLExecutor {
    let database: SQLiteDatabase
    var dialect: SQLDialect { .sqlite }
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] { try await database.runInTransaction(sql, binds) }
}

extension SQLiteDatabase {
    fileprivate func runInTransaction(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] { try await run(sql, binds) }
}

/// Collects rows from sqlite-nio's row callback (called on its thread pool, serially).
private final class RowCollector: @unchecked Sendable {
    var rows: [SQLRow] = []
    func append(_ row: SQLiteRow) {
        let cols = row.columns
        rows.append(SQLRow(columns: cols.map(\.name), values: cols.map { SQLiteDatabase.value($0.data) }))
    }
}
