import JSONValue
import Logging
import SwitchboardCore
import Synchronization
import VaporCSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded database: one SQLite file and one connection, used through SQLite's C API (the library sqlite-nio
/// vendors) on a thread of its own.
///
/// Two uses, opened differently: Switchboard's own store (`open`: created if missing, in WAL mode) and a database
/// that belongs to someone else, which the SQL adapter's methods query (`openExisting`: never created, its
/// persistent settings left as they are, and its statements guarded).
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

    /// Opens Switchboard's own database at `path` (creating it if needed, and switching it to WAL mode), or an
    /// in-memory one for `":memory:"`; its calls run on `thread`.
    public static func open(path: String, logger: Logger, thread: WorkerThreads = storeThread) async throws -> SQLiteDatabase {
        let connection = try await withTaskExecutorPreference(thread) { try SQLiteConnectionHandle(path: path, access: .store) }
        let db = SQLiteDatabase(connection: connection, thread: thread)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"] {
            _ = try await db.query(pragma, [])
        }
        return db
    }

    /// Opens the existing database file at `path` that is not Switchboard's own (a customer's, queried by methods).
    ///
    /// - The file must exist and be a SQLite database: a missing path is an error, never a new empty file.
    /// - Nothing persistent is changed on opening (the journal mode stays what it is); the connection enforces
    ///   foreign keys and waits up to 5 s for another process's lock.
    /// - `readOnly`: the file is opened read-only and a statement that is not read-only (`sqlite3_stmt_readonly`:
    ///   INSERT, CREATE, a PRAGMA that writes...) is refused before it runs.
    /// - Either way a call runs exactly one statement (text after the first statement, other than whitespace,
    ///   semicolons and comments, is refused), and ATTACH, DETACH and transaction control (BEGIN, COMMIT, ROLLBACK,
    ///   SAVEPOINT, RELEASE) are refused: the connection is shared by all calls, which must not change it for the
    ///   next one. `transaction(_:)` is refused for the same reason. VACUUM is refused too: it rewrites the whole
    ///   file, and VACUUM INTO writes a new file wherever it names on the server (both attach a database inside, which
    ///   failed at step time as "authorization denied").
    /// - A call whose task is cancelled interrupts its statement (`sqlite3_interrupt`), which then fails with
    ///   `DatabaseError.Kind.cancelled`; the connection is free for the next call at once.
    ///
    /// Refusals throw `DatabaseError` with kind `refused`.
    public static func openExisting(path: String, readOnly: Bool, logger: Logger, thread: WorkerThreads) async throws -> SQLiteDatabase {
        if path.hasPrefix("file:") || path == ":memory:" || path.isEmpty {
            throw DatabaseError(kind: .unavailable, message: "'\(path)' is not a path to a SQLite database file")
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DatabaseError(kind: .unavailable, message: "there is no SQLite database at \(path): the file does not exist")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DatabaseError(kind: .unavailable, message: "there is no SQLite database at \(path): it is not a file")
        }
        let connection = try await withTaskExecutorPreference(thread) {
            try SQLiteConnectionHandle(path: path, access: .existing(readOnly: readOnly))
        }
        let db = SQLiteDatabase(connection: connection, thread: thread)
        do {
            // Foreign keys enforced, as on the store and as before: a setting of this connection, not of the file.
            _ = try await db.query("PRAGMA foreign_keys=ON", [])
            // Reads the schema: a file that is not a database fails here rather than on the first call.
            _ = try await db.query("SELECT count(*) FROM sqlite_master", [])
        } catch let error as DatabaseError {
            try? await db.close()
            throw DatabaseError(kind: .unavailable, message: "cannot read the SQLite database at \(path): \(error.message)")
        }
        return db
    }

    private init(connection: SQLiteConnectionHandle, thread: WorkerThreads) {
        self.connection = connection
        self.thread = thread
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await run(sql, binds).rows
    }

    public func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult {
        try await run(sql, binds, budget: nil)
    }

    /// Runs a statement like `run(_:_:)`, its rows counted against `budget`: the first row that takes them over it
    /// ends the statement (no further step, its read transaction released) with `DatabaseError.Kind.resultTooLarge`.
    public func run(_ sql: String, _ binds: [SQLValue], budget: SQLResultBudget?) async throws -> SQLStatementResult {
        guard connection.isGuarded else {
            return try await onThread {
                await lock.lock()
                defer { lock.unlock() }
                return try connection.run(sql, binds, budget: budget)
            }
        }
        let call = connection.makeCallIdentifier()
        return try await withTaskCancellationHandler {
            try await onThread {
                await lock.lock()
                defer { lock.unlock() }
                return try connection.run(sql, binds, call: call, budget: budget)
            }
        } onCancel: {
            connection.interrupt(call)
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
        if connection.isGuarded {
            throw DatabaseError(kind: .refused, message: "transactions are not available on a database opened with openExisting")
        }
        return try await onThread {
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
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] { try connection.run(sql, binds).rows }
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult { try connection.run(sql, binds) }
}

/// One sqlite3 connection and its prepared statements. Used by one caller at a time (the database lock), except
/// `interrupt`, which any thread may call.
final class SQLiteConnectionHandle: @unchecked Sendable {
    /// Whose database this is, which decides how it is opened and what its statements may do.
    enum Access {
        /// Switchboard's own: created if missing; any statement.
        case store
        /// Someone else's: must exist; one statement per call; no ATTACH, DETACH or transaction control; with
        /// `readOnly`, opened read-only and only statements that read.
        case existing(readOnly: Bool)
    }

    private var handle: OpaquePointer?
    /// Prepared statements by SQL text, with the tick of their last use (the least recently used goes first).
    private var statements: [String: (statement: OpaquePointer, used: Int)] = [:]
    private var tick = 0
    static let cachedStatements = 64
    /// Whether statements are checked (opened as `.existing`).
    let isGuarded: Bool
    private let isReadOnly: Bool
    /// The call whose statement is running now (0: none), so that `interrupt` stops only the call it was asked to.
    /// Also guards `handle` against `close()` while `interrupt` uses it.
    private let running = Mutex<UInt64>(0)
    private let lastCall = Atomic<UInt64>(0)

    private static let initialized: Bool = {
        sqlite_nio_sqlite3_initialize()
        return true
    }()

    init(path: String, access: Access) throws {
        _ = Self.initialized
        let flags: Int32
        switch access {
        case .store:
            isGuarded = false
            isReadOnly = false
            flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        case .existing(let readOnly):
            isGuarded = true
            isReadOnly = readOnly
            // No SQLITE_OPEN_CREATE: a missing file is an error. No SQLITE_OPEN_URI (the path is a plain path).
            flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE
        }
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite_nio_sqlite3_close_v2(handle)
            handle = nil
            throw DatabaseError(kind: .unavailable, message: "cannot open the SQLite database at \(path): \(Self.describe(code))")
        }
        if isGuarded {
            sqlite_nio_sqlite3_busy_timeout(handle, 5000)
            // ATTACH would let a call reach (and, even on a read-only method, write) any other file, and an attachment
            // would outlive the call on the shared connection; a transaction left open would keep its locks.
            _ = sqlite_nio_sqlite3_limit(handle, SQLITE_LIMIT_ATTACHED, 0)
            sqlite_nio_sqlite3_set_authorizer(
                handle,
                { _, action, _, _, _, _ in
                    switch action {
                    case SQLITE_ATTACH, SQLITE_DETACH, SQLITE_TRANSACTION, SQLITE_SAVEPOINT: SQLITE_DENY
                    default: SQLITE_OK
                    }
                }, nil)
        }
    }

    deinit { close() }

    func close() {
        for (_, s) in statements { sqlite_nio_sqlite3_finalize(s.statement) }
        statements.removeAll()
        running.withLock { _ in
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            handle = nil
        }
    }

    /// A new identifier for `run(_:_:call:)` and `interrupt(_:)`.
    func makeCallIdentifier() -> UInt64 { lastCall.add(1, ordering: .relaxed).newValue }

    /// Interrupts the statement of `call` if it is the one running (`sqlite3_interrupt`); otherwise does nothing.
    func interrupt(_ call: UInt64) {
        running.withLock { current in
            if current == call, let handle { sqlite_nio_sqlite3_interrupt(handle) }
        }
    }

    /// Runs one statement and returns its rows and row count. With a `call` identifier, `interrupt(call)` stops it,
    /// and a call whose task is already cancelled does not start. With a `budget`, the first row that exceeds it ends
    /// the statement (`DatabaseError.Kind.resultTooLarge`).
    func run(_ sql: String, _ binds: [SQLValue], call: UInt64 = 0, budget: SQLResultBudget? = nil) throws -> SQLStatementResult {
        guard let handle else { throw DatabaseError(kind: .unavailable, message: "the SQLite database is closed") }
        let statement = try prepared(sql, handle)
        if call != 0 {
            // Marked running before the check: a cancellation after the check finds it and interrupts it.
            running.withLock { $0 = call }
        }
        defer {
            if call != 0 { running.withLock { $0 = 0 } }
        }
        if call != 0 && Task.isCancelled { throw DatabaseError(kind: .cancelled, message: "the statement was cancelled") }
        // A statement left unreset keeps its read transaction open: reset it however this ends.
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (i, value) in binds.enumerated() {
            let code = Self.bind(value, at: Int32(i + 1), of: statement)
            guard code == SQLITE_OK else { throw error(code) }
        }
        var budget = budget
        let changesBefore = sqlite_nio_sqlite3_total_changes64(handle)
        var rows: [SQLRow] = []
        var columns: [String]?
        while true {
            let code = sqlite_nio_sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw error(code) }
            let count = sqlite_nio_sqlite3_column_count(statement)
            let names = columns ?? (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
            columns = names
            rows.append(SQLRow(columns: names, values: (0..<count).map { Self.column($0, of: statement) }))
            try budget?.spend(on: rows[rows.count - 1])
        }
        // sqlite3_changes is the count of the last INSERT, UPDATE or DELETE, whichever statement that was: it is this
        // statement's only if this one changed rows (the total moved). A statement with columns (a query, a write with
        // RETURNING) counts the rows it returned.
        if sqlite_nio_sqlite3_column_count(statement) == 0 && sqlite_nio_sqlite3_total_changes64(handle) != changesBefore {
            return SQLStatementResult(rows: rows, rowCount: Int(sqlite_nio_sqlite3_changes64(handle)))
        }
        return SQLStatementResult(rows: rows, rowCount: rows.count)
    }

    private func prepared(_ sql: String, _ handle: OpaquePointer) throws -> OpaquePointer {
        tick += 1
        if let cached = statements[sql] {
            statements[sql] = (cached.statement, tick)
            return cached.statement
        }
        var statement: OpaquePointer?
        var rest = ""
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite_nio_sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            if isGuarded, let tail { rest = String(cString: tail) }
            return code
        }
        guard code == SQLITE_OK, let statement else {
            if isGuarded && code == SQLITE_OK { throw DatabaseError(kind: .refused, message: "the query holds no statement") }
            throw error(code)
        }
        if isGuarded {
            if let refusal = refusal(statement, sql: sql, rest: rest) {
                sqlite_nio_sqlite3_finalize(statement)
                throw DatabaseError(kind: .refused, message: refusal)
            }
        }
        if statements.count >= Self.cachedStatements, let oldest = statements.min(by: { $0.value.used < $1.value.used }) {
            sqlite_nio_sqlite3_finalize(oldest.value.statement)
            statements[oldest.key] = nil
        }
        statements[sql] = (statement, tick)
        return statement
    }

    /// Why a guarded connection refuses `statement` (prepared from `sql`, followed by `rest`, the text after it), or nil.
    private func refusal(_ statement: OpaquePointer, sql: String, rest: String) -> String? {
        if !SQLText.isBlank(rest) { return "the query holds more than one statement: run one statement per call" }
        // SQLite's authorizer is not asked about VACUUM itself, only about the ATTACH it runs inside, when it runs.
        if SQLText.firstWord(sql) == "VACUUM" {
            return "VACUUM is not allowed: it rewrites the whole database file, and VACUUM INTO writes a file on the server"
        }
        if isReadOnly && sqlite_nio_sqlite3_stmt_readonly(statement) == 0 {
            return "the statement writes (or may write), and the call is read-only"
        }
        return nil
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

    /// The error for `code`: constraint violations by kind (callers act on them), a guarded connection's authorizer
    /// denying something (when preparing or, for a statement that prepares another inside, when running) as kind
    /// `refused`, others with SQLite's message.
    private func error(_ code: Int32) -> DatabaseError {
        if code & 0xFF == SQLITE_INTERRUPT { return DatabaseError(kind: .cancelled, message: "the statement was interrupted") }
        if isGuarded && code & 0xFF == SQLITE_AUTH {
            return DatabaseError(
                kind: .refused, message: "ATTACH, DETACH and transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) are not allowed")
        }
        // Extended result codes (macros C does not export to Swift): SQLITE_CONSTRAINT | (n << 8).
        switch code {
        case SQLITE_CONSTRAINT | (8 << 8), SQLITE_CONSTRAINT | (6 << 8):  // _UNIQUE, _PRIMARYKEY
            return DatabaseError(kind: .uniqueViolation, message: "unique constraint violated")
        case SQLITE_CONSTRAINT | (3 << 8):  // _FOREIGNKEY
            return DatabaseError(kind: .foreignKeyViolation, message: "foreign key constraint violated")
        default:
            // The message names the detail ("no such table: t") or, often, is the code's own text again.
            let generic = Self.describe(code)
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? ""
            let text = message.isEmpty || message == generic ? generic : "\(generic): \(message)"
            return DatabaseError(kind: .other, message: "SQLite: \(text)")
        }
    }

    private static func describe(_ code: Int32) -> String {
        sqlite_nio_sqlite3_errstr(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
