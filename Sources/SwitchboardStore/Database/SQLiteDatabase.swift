import JSONValue
import Logging
import SwitchboardCore
import VaporCSQLite

/// The embedded database: one SQLite file in WAL mode and one connection, used through SQLite's C API (the library
/// sqlite-nio vendors) on a thread of its own.
///
/// Statements are serialized by a lock, so a transaction sees no interleaved statement from elsewhere. Every
/// statement runs on the database thread, and so does a transaction's body: its statements are plain calls, with one
/// hop onto the thread when the transaction starts and one back when it ends (through sqlite-nio's API each statement
/// took three thread handoffs: to its thread pool, to an event loop, back to the task). Prepared statements are kept
/// by SQL text and reused.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let connection: SQLiteConnectionHandle
    private let lock = AsyncLock()
    private let thread: WorkerThreads

    /// The thread the store's SQLite calls run on (calls block only it). Databases that run other people's queries
    /// (the SQL adapter's) get threads of their own, so a slow query there never holds up the store.
    public static let storeThread = WorkerThreads(name: "sb-sqlite", threads: 1)

    /// Opens (creating if needed) the database at `path`, or an in-memory one for `":memory:"`; its calls run on
    /// `thread`.
    public static func open(path: String, logger: Logger, thread: WorkerThreads = storeThread) async throws -> SQLiteDatabase {
        let connection = try await withTaskExecutorPreference(thread) { try SQLiteConnectionHandle(path: path) }
        let db = SQLiteDatabase(connection: connection, thread: thread)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"] {
            _ = try await db.query(pragma, [])
        }
        return db
    }

    private init(connection: SQLiteConnectionHandle, thread: WorkerThreads) {
        self.connection = connection
        self.thread = thread
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await onThread {
            await lock.lock()
            defer { lock.unlock() }
            return try connection.run(sql, binds)
        }
    }

    /// Runs `work` on the database thread, then returns to the caller's executor: a task keeps running where it last
    /// resumed until it suspends, and what the caller does next must not hold the database thread.
    private func onThread<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do {
            result = .success(try await withTaskExecutorPreference(thread) { try await work() })
        } catch {
            result = .failure(error)
        }
        await Task.yield()
        return try result.get()
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await onThread {
            await lock.lock()
            defer { lock.unlock() }
            // BEGIN, COMMIT and ROLLBACK are plain calls, so a cancelled task still ends the transaction it began
            // (a connection left inside one would fail every later BEGIN).
            _ = try connection.run("BEGIN IMMEDIATE", [])
            let result: T
            do {
                result = try await body(SQLiteTransaction(connection: connection))
            } catch {
                _ = try? connection.run("ROLLBACK", [])
                throw error
            }
            do {
                _ = try connection.run("COMMIT", [])
            } catch {
                _ = try? connection.run("ROLLBACK", [])
                throw error
            }
            return result
        }
    }

    public func ping() async throws { _ = try await query("SELECT 1", []) }

    public func close() async throws {
        await withTaskExecutorPreference(thread) {
            await lock.lock()
            defer { lock.unlock() }
            connection.close()
        }
    }
}

/// Statements inside a transaction: the transaction holds the database lock, and its body runs on the database thread.
struct SQLiteTransaction: SQLExecutor {
    let connection: SQLiteConnectionHandle
    var dialect: SQLDialect { .sqlite }
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] { try connection.run(sql, binds) }
}

/// One sqlite3 connection and its prepared statements. Used by one caller at a time (the database lock).
final class SQLiteConnectionHandle: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text, with the tick of their last use (the least recently used goes first).
    private var statements: [String: (statement: OpaquePointer, used: Int)] = [:]
    private var tick = 0
    static let cachedStatements = 64

    private static let initialized: Bool = {
        sqlite_nio_sqlite3_initialize()
        return true
    }()

    init(path: String) throws {
        _ = Self.initialized
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK else {
            sqlite_nio_sqlite3_close_v2(handle)
            handle = nil
            throw DatabaseError(kind: .unavailable, message: "cannot open the SQLite database at \(path): \(Self.describe(code))")
        }
    }

    deinit { close() }

    func close() {
        for (_, s) in statements { sqlite_nio_sqlite3_finalize(s.statement) }
        statements.removeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one statement and returns its rows.
    func run(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        guard let handle else { throw DatabaseError(kind: .unavailable, message: "the SQLite database is closed") }
        let statement = try prepared(sql, handle)
        // A statement left unreset keeps its read transaction open: reset it however this ends.
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (i, value) in binds.enumerated() {
            let code = Self.bind(value, at: Int32(i + 1), of: statement)
            guard code == SQLITE_OK else { throw error(code) }
        }
        var rows: [SQLRow] = []
        var columns: [String]?
        while true {
            let code = sqlite_nio_sqlite3_step(statement)
            if code == SQLITE_DONE { return rows }
            guard code == SQLITE_ROW else { throw error(code) }
            let count = sqlite_nio_sqlite3_column_count(statement)
            let names = columns ?? (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
            columns = names
            rows.append(SQLRow(columns: names, values: (0..<count).map { Self.column($0, of: statement) }))
        }
    }

    private func prepared(_ sql: String, _ handle: OpaquePointer) throws -> OpaquePointer {
        tick += 1
        if let cached = statements[sql] {
            statements[sql] = (cached.statement, tick)
            return cached.statement
        }
        var statement: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code) }
        if statements.count >= Self.cachedStatements, let oldest = statements.min(by: { $0.value.used < $1.value.used }) {
            sqlite_nio_sqlite3_finalize(oldest.value.statement)
            statements[oldest.key] = nil
        }
        statements[sql] = (statement, tick)
        return statement
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: SQLValue, at i: Int32, of statement: OpaquePointer) -> Int32 {
        switch value {
        case .null: return sqlite_nio_sqlite3_bind_null(statement, i)
        case .int(let v): return sqlite_nio_sqlite3_bind_int64(statement, i, v)
        case .double(let v): return sqlite_nio_sqlite3_bind_double(statement, i, v)
        case .text(let s): return bindText(s, at: i, of: statement)
        case .blob(let bytes):
            return bytes.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, i, $0.baseAddress, UInt64($0.count), transient) }
        case .textArray(let strings): return bindText(JSON.array(strings.map(JSON.string)).serialized(), at: i, of: statement)
        }
    }

    private static func bindText(_ s: String, at i: Int32, of statement: OpaquePointer) -> Int32 {
        var s = s
        return s.withUTF8 { utf8 in
            // An empty buffer may have no address, and a null pointer would bind NULL instead of ''.
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite_nio_sqlite3_bind_text64(statement, i, "", 0, transient, UInt8(SQLITE_UTF8))
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite_nio_sqlite3_bind_text64(statement, i, $0, UInt64(utf8.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }

    private static func column(_ i: Int32, of statement: OpaquePointer) -> SQLValue {
        switch sqlite_nio_sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .int(sqlite_nio_sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .double(sqlite_nio_sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, i) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            guard count > 0, let bytes = sqlite_nio_sqlite3_column_blob(statement, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    /// The error for `code`: constraint violations by kind (callers act on them), others with SQLite's message.
    private func error(_ code: Int32) -> DatabaseError {
        // Extended result codes (macros C does not export to Swift): SQLITE_CONSTRAINT | (n << 8).
        switch code {
        case SQLITE_CONSTRAINT | (8 << 8), SQLITE_CONSTRAINT | (6 << 8):  // _UNIQUE, _PRIMARYKEY
            return DatabaseError(kind: .uniqueViolation, message: "unique constraint violated")
        case SQLITE_CONSTRAINT | (3 << 8):  // _FOREIGNKEY
            return DatabaseError(kind: .foreignKeyViolation, message: "foreign key constraint violated")
        default:
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? ""
            return DatabaseError(kind: .other, message: "SQLite: \(Self.describe(code)) \(message)")
        }
    }

    private static func describe(_ code: Int32) -> String {
        sqlite_nio_sqlite3_errstr(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
