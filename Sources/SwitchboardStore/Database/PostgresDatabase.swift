#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSONValue
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SwitchboardCore
import Synchronization
import _ConnectionPoolModule

/// PostgreSQL through postgres-nio's pooled `PostgresClient`; the engine for several nodes and real load.
///
/// The client is a service: `run()` must be running (the server adds it to its service group; tools and
/// tests use `withDatabase`).
public final class PostgresDatabase: SQLDatabase {
    public let dialect = SQLDialect.postgres
    public let client: PostgresClient
    let logger: Logger
    /// The server and credentials of the URL, for a connection outside the pool (`cancelStatement`).
    let target: PostgresTarget
    /// How long an operation waits for a connection from the pool before it fails with `unavailable` (see
    /// `withPooledConnection`).
    public let connectionWait: Duration

    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database?sslmode=...`.
    ///   - username: the role to log in as instead of the URL's, when given and not empty.
    ///   - password: the password to give instead of the URL's, when given.
    ///   - maximumConnections: the most connections the pool opens to the server.
    ///   - connectionWait: how long an operation waits for a connection from the pool (the server unreachable, or
    ///     every connection busy) before it fails with `unavailable`; once it has one, it runs as long as it takes.
    public init(
        url: String, username: String? = nil, password: String? = nil, logger: Logger,
        maximumConnections: Int = PostgresDatabase.defaultMaximumConnections,
        connectionWait: Duration = PostgresDatabase.defaultConnectionWait
    ) throws {
        target = try PostgresTarget(url: url, username: username, password: password)
        self.connectionWait = connectionWait
        var c = target.clientConfiguration
        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = maximumConnections
        c.options = options
        client = PostgresClient(configuration: c, eventLoopGroup: Self.eventLoops, backgroundLogger: logger)
        self.logger = logger
    }

    /// The connections' event loops, apart from the shared ones that serve HTTP (in the server also the global
    /// executor): a database round trip then never waits behind an HTTP request or response being processed.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount / 2))

    /// `maximumConnections` unless one is given: `SWITCHBOARD_DATABASE_POOL_SIZE` from the environment (1 to 1000),
    /// else 20. Every node (and every CLI command) has a pool of its own, and the server's `max_connections` bounds
    /// their sum.
    public static var defaultMaximumConnections: Int {
        if let text = getenv("SWITCHBOARD_DATABASE_POOL_SIZE").map({ String(cString: $0) }), let n = Int(text), (1...1000).contains(n) {
            return n
        }
        return 20
    }

    /// `connectionWait` unless one is given: `SWITCHBOARD_DATABASE_WAIT_MS` from the environment (1 ms to one day),
    /// else 10 s. postgres-nio's pool alone keeps a request waiting while it retries a server it cannot reach until its
    /// circuit breaker trips, about a minute; an API call should fail sooner than that. (The test suite, which opens
    /// hundreds of pools at once and so meets PostgreSQL's `max_connections`, sets a longer wait.)
    public static var defaultConnectionWait: Duration {
        if let text = getenv("SWITCHBOARD_DATABASE_WAIT_MS").map({ String(cString: $0) }), let ms = Int(text), (1...86_400_000).contains(ms) {
            return .milliseconds(ms)
        }
        return .seconds(10)
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=disable|require`.
    static func configuration(from url: String) throws -> PostgresClient.Configuration { try PostgresTarget(url: url).clientConfiguration }

    /// Runs the connection pool until shutdown; start it before the first query.
    public func run() async { await client.run() }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let q = try Self.makeQuery(sql, binds)
        do {
            return try await withPooledConnection { [logger] connection in
                try await Self.collect(try await connection.query(q, logger: logger))
            }
        } catch {
            throw Self.transactionFailure(error)
        }
    }

    public func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult {
        do {
            return try await withPooledConnection { [logger] connection in
                try await PostgresConnectionExecutor(connection: connection, logger: logger).run(sql, binds)
            }
        } catch {
            throw Self.transactionFailure(error)
        }
    }

    /// Runs one statement of someone else's (a method's) on one connection, cancelled by the server after `timeout`
    /// (`statement_timeout`: it then fails with `DatabaseError.Kind.cancelled`).
    ///
    /// `readOnly`: in a READ ONLY transaction, where a write fails with kind `refused`, rolled back once the statement
    /// is done (a read-only call keeps nothing, not even a setting it made). Otherwise in autocommit, as it would run
    /// alone (VACUUM cannot run in a transaction block), with the timeout set on the session for the statement.
    /// PostgreSQL's extended protocol takes one statement: text holding a second one fails with kind `refused` too,
    /// before anything runs.
    ///
    /// The connection goes back to the pool as it came: whatever the statement did to its session (a `SET` or
    /// `set_config(..., false)`, a session advisory lock, a temporary table, a prepared statement, a `LISTEN`) is
    /// undone by `DISCARD ALL` (see `resetSession`); a connection that cannot be reset is closed instead of reused.
    ///
    /// The rows are JSON, each value as `PostgresMethodCell` reads it (a type it does not read in PostgreSQL's own text
    /// form), never the binary bytes.
    ///
    /// `budget`: the rows are counted as they arrive; at the first row that exceeds it the call fails with kind
    /// `resultTooLarge`. A read-only statement is then cancelled on the server (`cancelStatement`) instead of running
    /// on to its end or its timeout, and the call returns once its transaction is rolled back. A read-write one runs on
    /// to its end (or its timeout), its remaining rows discarded unread: cancelled, what it changed would be kept or
    /// not depending on whether the cancel came before its end (a write's `RETURNING` rows are sent once it is done).
    ///
    /// `sql` numbers its placeholders itself (`$1`, `$2`...): nothing in it is rewritten, so a `?` is PostgreSQL's
    /// operator (jsonb `?`, `?|`, `?&`).
    public func runStatement(
        numbered sql: String, _ parameters: [SQLMethodParameter], readOnly: Bool, timeout: Duration, budget: SQLResultBudget
    ) async throws -> SQLMethodResult {
        let milliseconds = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        do {
            return try await withPooledConnection { [logger] connection in
                let executor = PostgresConnectionExecutor(connection: connection, logger: logger)
                func attempt(_ binding: SQLMethodParameter.Binding) async throws -> SQLMethodResult {
                    let query = Self.makeMethodQuery(sql, parameters, binding)
                    if readOnly {
                        // The cancel (or the statement's end) is awaited by the ROLLBACK, which runs after the statement.
                        try await executor.execute("START TRANSACTION READ ONLY")
                        // SET LOCAL statement_timeout, with the pid that can cancel the statement in the same round trip.
                        let pid = try await executor.query(
                            "SELECT set_config('statement_timeout', '\(milliseconds)', true), pg_backend_pid() AS pid", []
                        ).first?.int("pid")
                        return try await runCancellingOverBudget(executor, query, budget: budget, pid: pid)
                    }
                    try await executor.execute("SET statement_timeout = \(milliseconds)")
                    return try await executor.runMethod(query, budget: budget)
                }
                let result: Result<SQLMethodResult, any Error>
                do {
                    result = .success(try await attempt(.inferred))
                } catch {
                    // PostgreSQL refused the statement when it parsed it, before anything ran, for a parameter's type
                    // (see `retryBinding`): once more, the parameters bound another way.
                    if let binding = Self.retryBinding(after: error, parameters) {
                        do {
                            if readOnly { try await executor.execute("ROLLBACK") }
                            result = .success(try await attempt(binding))
                        } catch {
                            result = .failure(error)
                        }
                    } else {
                        result = .failure(error)
                    }
                }
                await Self.resetSession(connection, rollingBack: readOnly, logger: logger)
                return try result.get()
            }
        } catch {
            throw Self.transactionFailure(error)
        }
    }

    /// How to bind the parameters again after PostgreSQL refused the statement, when parsing it, for a parameter's
    /// type: 42P18 (`indeterminate_datatype`, an untyped parameter whose place says nothing: `SELECT :x`) or 42725
    /// (`ambiguous_function`): the untyped ones as `text`; 42883 (`undefined_function`, no function or operator takes
    /// a bigint there: `repeat(text, integer)`): the numbers untyped, as their decimal text. Nil for any other error.
    static func retryBinding(after error: any Error, _ parameters: [SQLMethodParameter]) -> SQLMethodParameter.Binding? {
        switch (error as? DatabaseError)?.sqlState {
        case "42P18", "42725": parameters.contains(where: \.isUntyped) ? .untypedAsText : nil
        case "42883": parameters.contains(where: \.isNumber) ? .numbersUntyped : nil
        default: nil
        }
    }

    /// `sql` (placeholders `$1`, `$2`...) with `parameters` bound as `SQLMethodParameter` and `binding` describe.
    static func makeMethodQuery(_ sql: String, _ parameters: [SQLMethodParameter], _ binding: SQLMethodParameter.Binding) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters {
            switch parameter {
            case .null: bindings.appendNull()
            case .bool(let b): bindings.append(b)
            case .int(let i) where binding == .numbersUntyped: bindings.append(UntypedText(text: String(i), psqlType: .null))
            case .int(let i): bindings.append(i)
            case .double(let d) where binding == .numbersUntyped: bindings.append(UntypedText(text: String(d), psqlType: .null))
            case .double(let d): bindings.append(d)
            case .untyped(let text): bindings.append(UntypedText(text: text, psqlType: binding == .untypedAsText ? .text : .null))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// Makes a connection that ran a method's statement what the pool handed out: the read-only transaction rolled
    /// back, then `DISCARD ALL` (settings reset, advisory locks released, temporary tables dropped, prepared statements
    /// deallocated, `UNLISTEN *`). `DISCARD ALL` cannot run inside a transaction block, so its success also shows that
    /// no transaction is left open. A connection where either fails is closed: the pool then drops it rather than
    /// lending it, dirty, to the next call. (postgres-nio's pooled queries use the unnamed statement only: nothing of
    /// its own is lost.)
    static func resetSession(_ connection: PostgresConnection, rollingBack: Bool, logger: Logger) async {
        let executor = PostgresConnectionExecutor(connection: connection, logger: logger)
        do {
            if rollingBack { try await executor.execute("ROLLBACK") }
            try await executor.execute("DISCARD ALL")
        } catch {
            let kind = String(reflecting: type(of: error))
            logger.info("closing a PostgreSQL connection a method's statement left unusable", metadata: ["error": "\(kind)"])
            try? await connection.close()
        }
    }

    /// `executor.runMethod(query, budget:)`; when the rows go over the budget, the statement still running on backend
    /// `pid` is cancelled before the error is thrown.
    func runCancellingOverBudget(
        _ executor: PostgresConnectionExecutor, _ query: PostgresQuery, budget: SQLResultBudget, pid: Int64?
    ) async throws -> SQLMethodResult {
        do {
            return try await executor.runMethod(query, budget: budget)
        } catch let error as DatabaseError where error.kind == .resultTooLarge {
            if let pid { await cancelStatement(onBackend: pid) }
            throw error
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await withPooledConnection { [logger] connection in
                try await connection.withTransaction(logger: logger) { connection in
                    try await body(PostgresConnectionExecutor(connection: connection, logger: logger))
                }
            }
        } catch {
            throw Self.transactionFailure(error)
        }
    }

    /// Runs `body` with a connection leased from the pool, as `client.withConnection` does, but waits at most
    /// `connectionWait` for it: when the pool has handed out none by then (the server cannot be reached, or every
    /// connection is busy) the lease is given up and the call fails with `unavailable`. Only the wait is limited; a
    /// statement, once it has its connection, runs as long as it takes. A cancelled caller gets the cancellation, not
    /// `unavailable`.
    func withPooledConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let lease = LeaseState()
        let wait = connectionWait
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { [client] in
                    try await client.withConnection { connection in
                        // Leased after the wait was given up: the caller has its error already.
                        guard lease.begin() else { throw CancellationError() }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: wait)
                    if !Task.isCancelled && lease.giveUp() {
                        throw DatabaseError(
                            kind: .unavailable,
                            message: "PostgreSQL gave no connection within \(wait) (the server cannot be reached, or every connection is busy)")
                    }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()  // not reached: the body either returns a value or throws
            }
        }
    }

    /// What a failed `withTransaction` (or `withConnection`, `query`) throws: the body's own error as it is,
    /// PostgreSQL's mapped, the pool's failure to open a connection (its circuit breaker tripped: the server has
    /// been unreachable for a while) as `unavailable`, a 503 rather than an internal error, and a wait for a connection
    /// that the caller's cancellation ended as a `CancellationError`.
    static func transactionFailure(_ error: any Error) -> any Error {
        if let e = error as? PSQLError { return map(e) }
        if let e = error as? ConnectionPoolError {
            // The caller was cancelled while it waited for a connection: that is not the database's failure.
            if e == .requestCancelled { return CancellationError() }
            return DatabaseError(kind: .unavailable, message: "PostgreSQL is unavailable (the connection pool: \(e))")
        }
        guard let t = error as? PostgresTransactionError else { return error }
        if let closureError = t.closureError { return closureError }
        if let e = t.beginError as? PSQLError ?? t.commitError as? PSQLError { return map(e) }
        return DatabaseError(kind: .other, message: "PostgreSQL transaction failed")
    }

    public func ping() async throws { _ = try await query("SELECT 1", []) }

    public func close() async throws {}

    /// Rewrites `?` placeholders to `$1...` and binds the values.
    static func makeQuery(_ sql: String, _ binds: [SQLValue]) throws -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + binds.count * 2)
        var n = 0
        var inString = false
        for c in sql {
            if c == "'" { inString.toggle() }
            if c == "?" && !inString {
                n += 1
                text += "$\(n)"
            } else {
                text.append(c)
            }
        }
        var bindings = PostgresBindings(capacity: binds.count)
        for b in binds {
            switch b {
            case .null: bindings.appendNull()
            case .int(let i): bindings.append(i)
            case .double(let d): bindings.append(d)
            case .text(let s): bindings.append(s)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .textArray(let strings): bindings.append(strings)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [SQLRow] {
        var out: [SQLRow] = []
        var names: [String]?
        for try await row in rows { out.append(try self.row(row, names: &names)) }
        return out
    }

    /// `row` as a `SQLRow`; `names` are the column names, read from the first row.
    static func row(_ row: PostgresRow, names: inout [String]?) throws -> SQLRow {
        var values: [SQLValue] = []
        var cols: [String] = []
        for cell in row {
            if names == nil { cols.append(cell.columnName) }
            values.append(try value(cell))
        }
        if names == nil { names = cols }
        return SQLRow(columns: names!, values: values)
    }

    /// The rows a statement changed, from its command tag (`UPDATE 3`, `INSERT 0 3`, `MERGE 3`), or else the rows
    /// it returned.
    static func rowCount(_ metadata: PostgresQueryMetadata, returned: Int) -> Int {
        switch metadata.command {
        case "INSERT", "UPDATE", "DELETE": return metadata.rows ?? returned
        case let tag where tag.hasPrefix("MERGE "): return Int(tag.dropFirst("MERGE ".count)) ?? returned
        default: return returned
        }
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2: return .int(Int64(try cell.decode(Int16.self)))
        case .int4: return .int(Int64(try cell.decode(Int32.self)))
        case .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .numeric: return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null  // select NUMERIC as ::text to be sure
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        case .textArray, .varcharArray: return .textArray(try cell.decode([String].self))
        default: return .text(try cell.decode(String.self))
        }
    }

    static func map(_ error: PSQLError) -> DatabaseError {
        if let state = error.serverInfo?[.sqlState] {
            switch state {
            case "23505": return DatabaseError(kind: .uniqueViolation, message: "unique constraint violated")
            case "23503": return DatabaseError(kind: .foreignKeyViolation, message: "foreign key constraint violated")
            case let s where s.hasPrefix("22"): return DatabaseError(kind: .invalidValue, message: "PostgreSQL refused a value (\(s))")
            case "25006":  // read_only_sql_transaction
                return DatabaseError(kind: .refused, message: "the statement writes (or may write), and the call is read-only")
            case "42601" where error.serverInfo?[.message] == "cannot insert multiple commands into a prepared statement":
                return DatabaseError(kind: .refused, message: "the query holds more than one statement: run one statement per call")
            case "57014":  // query_canceled: statement_timeout, or a cancel request
                return DatabaseError(kind: .cancelled, message: "PostgreSQL cancelled the statement")
            case "28P01", "28000":  // invalid_password, invalid_authorization_specification
                return DatabaseError(kind: .authenticationFailed, message: "PostgreSQL refused the login (\(state))")
            default:
                let message = error.serverInfo?[.message] ?? ""
                return DatabaseError(kind: .other, message: "PostgreSQL error \(state): \(message)", sqlState: state)
            }
        }
        return DatabaseError(kind: .unavailable, message: "PostgreSQL is unavailable (\(error.code))")
    }
}

/// A value bound into a method's statement (`PostgresDatabase.runStatement(numbered:...)`), typed so that PostgreSQL
/// infers the rest from where its placeholder stands.
public enum SQLMethodParameter: Sendable, Equatable {
    /// NULL, of no declared type.
    case null
    /// A `boolean`.
    case bool(Bool)
    /// A `bigint`, which PostgreSQL compares with and assigns to any integer or numeric column; where nothing takes a
    /// bigint (`repeat(text, integer)`: 42883), bound again untyped, as its decimal text.
    case int(Int64)
    /// A `double precision`; bound again untyped like `int`.
    case double(Double)
    /// Text of no declared type (type OID 0): PostgreSQL reads it as the type its place calls for (a column's, an
    /// operator's other operand's, a function's argument's), as it reads a quoted literal: `'42'` for an integer or a
    /// bigint beyond 2^53, `'2024-01-02T03:04:05Z'` for a timestamptz, `'{1,2}'` for `= ANY(...)` of an integer, JSON
    /// text for jsonb. Where the place says nothing (`SELECT :x`: 42P18), bound again as `text`.
    case untyped(String)

    /// How a statement's parameters are bound: as the cases say, or (after PostgreSQL refused the first binding) with
    /// the untyped ones as `text`, or with the numbers untyped.
    enum Binding { case inferred, untypedAsText, numbersUntyped }

    var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }

    var isUntyped: Bool { if case .untyped = self { true } else { false } }
}

/// Text sent in PostgreSQL's text format as the type `psqlType` (`.null`, OID 0: no type, for the server to infer).
struct UntypedText: PostgresDynamicTypeEncodable {
    var text: String
    var psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}

/// Statements on the connection a transaction holds.
struct PostgresConnectionExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let q = try PostgresDatabase.makeQuery(sql, binds)
        do {
            return try await PostgresDatabase.collect(try await connection.query(q, logger: logger))
        } catch let error as PSQLError {
            throw PostgresDatabase.map(error)
        }
    }

    func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult {
        let q = try PostgresDatabase.makeQuery(sql, binds)
        do {
            // The future-based query is the one that keeps the command tag (the rows a write changed).
            let future: EventLoopFuture<PostgresQueryResult> = connection.query(q, logger: logger)
            let result = try await future.get()
            var names: [String]?
            let rows = try result.rows.map { try PostgresDatabase.row($0, names: &names) }
            return SQLStatementResult(rows: rows, rowCount: PostgresDatabase.rowCount(result.metadata, returned: rows.count))
        } catch let error as PSQLError {
            throw PostgresDatabase.map(error)
        }
    }
}

/// Whether a lease of `PostgresDatabase.withPooledConnection` got its connection first or its wait ran out first.
private final class LeaseState: Sendable {
    private enum State { case waiting, leased, gaveUp }
    private let state = Mutex(State.waiting)

    /// The connection arrived: true unless the wait was given up already.
    func begin() -> Bool {
        state.withLock { s in
            guard s == .waiting else { return false }
            s = .leased
            return true
        }
    }

    /// The wait ran out: true unless the connection arrived already.
    func giveUp() -> Bool {
        state.withLock { s in
            guard s == .waiting else { return false }
            s = .gaveUp
            return true
        }
    }
}

extension PostgresDatabase {
    /// `url` (postgres://user:pass@host:port/db?options) naming database `name` instead of its own.
    public static func url(_ url: String, database name: String) -> String {
        var base = url
        var query = ""
        if let q = base.firstIndex(of: "?") {
            query = String(base[q...])
            base = String(base[..<q])
        }
        if let schemeEnd = base.range(of: "://")?.upperBound, let slash = base[schemeEnd...].firstIndex(of: "/") { base = String(base[..<slash]) }
        return base + "/" + name + query
    }
}

extension PostgresDatabase {
    /// The server and database a PostgreSQL URL connects to, normalized so that two URLs naming the same database
    /// compare equal: the host lowercased, without IPv6 brackets, every loopback name (`localhost`, `127.0.0.1`,
    /// `::1`) as `localhost`; the port 5432 when absent; the database the user's name when absent (PostgreSQL's
    /// default). User, password and options do not take part. Two names for one machine other than loopback (a
    /// hostname and its address) are not recognised: nothing is resolved.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var database: String

        public var description: String { "\(host):\(port)/\(database)" }
    }

    /// Logs in once to the database `url` names, as `username` with `password` (in place of the URL's, like `init`),
    /// and closes the connection: a pool does not report a refused login (it keeps retrying, and its calls wait), this
    /// does. Connecting gives up after `timeout`.
    ///
    /// - Throws: `DatabaseError` `.authenticationFailed` when the server refuses the login, `.other` with the server's
    ///   message when it refuses otherwise (3D000: the database does not exist), `.unavailable` naming the server and the
    ///   cause when it cannot be reached (connection refused, a timeout). The messages never hold the password.
    public static func checkLogin(url: String, username: String?, password: String?, timeout: Duration, logger: Logger) async throws {
        let target = try PostgresTarget(url: url, username: username, password: password)
        var configuration = try target.connectionConfiguration()
        let (seconds, attoseconds) = timeout.components
        configuration.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        do {
            let connection = try await PostgresConnection.connect(on: eventLoops.any(), configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch let error as PSQLError where error.serverInfo != nil {
            throw map(error)  // the server's refusal: a login (28P01), a database that does not exist (3D000)...
        } catch let error as PSQLError {
            let cause = error.underlying.map { String(describing: $0) } ?? "\(error.code)"
            throw DatabaseError(kind: .unavailable, message: "cannot connect to PostgreSQL at \(target.host):\(target.port): \(cause)")
        } catch {
            throw DatabaseError(kind: .unavailable, message: "cannot connect to PostgreSQL at \(target.host):\(target.port): \(error)")
        }
    }

    /// Whether `url` carries a password, even an empty one: in its user info (`postgres://user:password@host/db`) or as
    /// a `password` parameter of its query (`postgres://host/db?password=...`, which libpq reads as the password too).
    public static func hasPassword(_ url: String) -> Bool {
        userInfo(of: url)?.password != nil || queryParameters(of: url).contains { $0.key == "password" }
    }

    /// `url` without its password, and the user and password it had (percent-decoded; the user "postgres" when the
    /// URL names none). The password is the query's `password` parameter when there is one (libpq reads the query after
    /// the user info, so it wins), else the user info's; every `password` parameter is removed, and the user info's
    /// password too. The user is the query's `user` parameter, else the user info's. The rest of the URL is kept as
    /// written.
    public static func removingPassword(from url: String) -> (url: String, username: String, password: String?) {
        var stripped = url
        var password: String?
        var queryUser: String?
        let parameters = queryParameters(of: url)
        for parameter in parameters {
            if parameter.key == "password" { password = PostgresTarget.percentDecode(parameter.value) }
            if parameter.key == "user" { queryUser = PostgresTarget.percentDecode(parameter.value) }
        }
        if let question = url.firstIndex(of: "?"), parameters.contains(where: { $0.key == "password" }) {
            let kept = parameters.filter { $0.key != "password" }.map { String(url[$0.range]) }
            stripped = String(url[..<question]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        }
        var user = queryUser ?? ""
        if let info = userInfo(of: stripped) {
            if queryUser == nil { user = PostgresTarget.percentDecode(info.user) }
            if let inURL = info.password {
                password = password ?? PostgresTarget.percentDecode(inURL)
                stripped = String(stripped[..<info.range.lowerBound]) + info.user + String(stripped[info.range.upperBound...])
            }
        }
        return (stripped, user.isEmpty ? "postgres" : user, password)
    }

    /// The parameters of a PostgreSQL URL's query (`?a=1&b=2`): each key percent-decoded (as libpq decodes it), its
    /// value as written, and the range of `key=value` in `url`.
    static func queryParameters(of url: String) -> [(key: String, value: String, range: Range<String.Index>)] {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let question = url.firstIndex(of: "?") else { return [] }
        var parameters: [(key: String, value: String, range: Range<String.Index>)] = []
        var start = url.index(after: question)
        while start < url.endIndex {
            let end = url[start...].firstIndex(of: "&") ?? url.endIndex
            let item = url[start..<end]
            if !item.isEmpty {
                let equals = item.firstIndex(of: "=")
                let key = PostgresTarget.percentDecode(String(equals.map { item[..<$0] } ?? item))
                let value = equals.map { String(item[item.index(after: $0)...]) } ?? ""
                parameters.append((key, value, start..<end))
            }
            start = end == url.endIndex ? end : url.index(after: end)
        }
        return parameters
    }

    /// The user info of a PostgreSQL URL: the user as written, the password as written (nil without a `:`), and the
    /// range of `user[:password]` in `url`.
    static func userInfo(of url: String) -> (user: String, password: String?, range: Range<String.Index>)? {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), let scheme = url.range(of: "://") else { return nil }
        var end = url.endIndex
        if let q = url[scheme.upperBound...].firstIndex(of: "?") { end = q }
        guard let at = url[scheme.upperBound..<end].lastIndex(of: "@") else { return nil }
        let text = url[scheme.upperBound..<at]
        guard let colon = text.firstIndex(of: ":") else { return (String(text), nil, scheme.upperBound..<at) }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]), scheme.upperBound..<at)
    }

    /// The endpoint `url` names, or nil when it is not a PostgreSQL URL.
    public static func endpoint(of url: String) -> Endpoint? {
        guard let config = try? configuration(from: url), var host = config.host else { return nil }
        host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if ["localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "localhost.localdomain"].contains(host) { host = "localhost" }
        let database = config.database.flatMap { $0.isEmpty ? nil : $0 } ?? config.username
        return Endpoint(host: host, port: config.port ?? 5432, database: database)
    }
}

/// What `PostgresDatabase.runStatement(numbered:...)` returns: the rows as JSON objects (see `PostgresMethodCell`) and
/// the row count (the rows a write changed, from its command tag, or else the rows returned).
public struct SQLMethodResult: Sendable {
    public var rows: [JSON]
    public var rowCount: Int

    public init(rows: [JSON], rowCount: Int) {
        self.rows = rows
        self.rowCount = rowCount
    }
}

/// A cell of a method's rows as JSON, from the binary form postgres-nio asks PostgreSQL for (the store's own rows are
/// read by `PostgresDatabase.value(_:)`, for the values it writes itself).
///
/// - bool: true/false; int2, int4, oid: numbers; int8: a number within ±2^53, beyond that a string of its exact digits
///   (a JSON number is a double); float4, float8: numbers, NaN and ±Infinity as the strings `NaN`, `Infinity`,
///   `-Infinity`; numeric: its exact decimal text, a string (`NaN`, `Infinity` too).
/// - text, varchar, char(n), name, "char": strings; uuid: lower-case; json, jsonb: the JSON itself, nested.
/// - timestamptz: RFC 3339 in UTC (`2024-01-02T03:04:05.123456Z`, the fraction only when not zero and without
///   trailing zeros), timestamp: the same without `Z`; date: `2024-01-02`; time: `12:34:56[.ffffff]`; `infinity` and
///   `-infinity` as those strings.
/// - bytea: base64.
/// - one-dimensional arrays of these: JSON arrays, NULL elements kept.
///
/// Anything else (interval, inet, cidr, money, point, ranges, enums, timetz, arrays of more dimensions or of those
/// types, dates outside the years 1 to 9999...) is `nil` here, and the caller asks the server for its own text form
/// (`PostgresDatabase.serverText`), never showing the binary bytes.
enum PostgresMethodCell {
    /// The cell's JSON, or nil when only the server's text form can show it.
    static func json(_ bytes: ByteBuffer?, type: PostgresDataType) -> JSON? {
        guard var buffer = bytes else { return .null }
        return json(&buffer, oid: type.rawValue)
    }

    static func json(_ buffer: inout ByteBuffer, oid: UInt32) -> JSON? {
        switch oid {
        case 16: return buffer.readInteger(as: UInt8.self).map { .bool($0 != 0) }
        case 21: return buffer.readInteger(as: Int16.self).map { .number(Double($0)) }
        case 23: return buffer.readInteger(as: Int32.self).map { .number(Double($0)) }
        case 26: return buffer.readInteger(as: UInt32.self).map { .number(Double($0)) }
        case 20:
            guard let v = buffer.readInteger(as: Int64.self) else { return nil }
            return v.magnitude <= 1 << 53 ? .number(Double(v)) : .string(String(v))
        case 700: return buffer.readInteger(as: UInt32.self).map { number(Double(Float(bitPattern: $0))) }
        case 701: return buffer.readInteger(as: UInt64.self).map { number(Double(bitPattern: $0)) }
        case 1700: return numeric(&buffer).map(JSON.string)
        case 25, 1043, 1042, 19, 18, 705: return .string(text(&buffer))
        case 2950:
            guard let bytes = buffer.readBytes(length: 16) else { return nil }
            let hex = bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
            var s = ""
            for (i, c) in hex.enumerated() {
                if [8, 12, 16, 20].contains(i) { s += "-" }
                s.append(c)
            }
            return .string(s)
        case 114: return jsonText(text(&buffer))
        case 3802:
            guard buffer.readInteger(as: UInt8.self) == 1 else { return nil }
            return jsonText(text(&buffer))
        case 1082:
            guard let days = buffer.readInteger(as: Int32.self) else { return nil }
            if days == .max { return "infinity" }
            if days == .min { return "-infinity" }
            return date(Int64(days)).map(JSON.string)
        case 1083:
            guard let micros = buffer.readInteger(as: Int64.self) else { return nil }
            return .string(time(micros))
        case 1114, 1184:
            guard let micros = buffer.readInteger(as: Int64.self) else { return nil }
            if micros == .max { return "infinity" }
            if micros == .min { return "-infinity" }
            let (days, rest) = floorDivision(micros, 86_400_000_000)
            guard let day = date(days) else { return nil }
            return .string(day + "T" + time(rest) + (oid == 1184 ? "Z" : ""))
        case 17: return .string(Base64.encode(buffer.readBytes(length: buffer.readableBytes) ?? []))
        case 1000, 1005, 1007, 1016, 1028, 1021, 1022, 1231, 1009, 1015, 1014, 1003, 1002, 2951, 199, 3807, 1182, 1183, 1115, 1185, 1001:
            return array(&buffer)
        default: return nil
        }
    }

    /// A one-dimensional array of a type `json` reads (binary: dimensions, a null flag, the element type, each
    /// dimension's length and lower bound, then each element's length, -1 for NULL, and bytes); nil otherwise.
    static func array(_ buffer: inout ByteBuffer) -> JSON? {
        guard let dimensions = buffer.readInteger(as: Int32.self), buffer.readInteger(as: Int32.self) != nil,
            let element = buffer.readInteger(as: UInt32.self)
        else { return nil }
        if dimensions == 0 { return .array([]) }
        guard dimensions == 1, let count = buffer.readInteger(as: Int32.self), buffer.readInteger(as: Int32.self) != nil, count >= 0 else {
            return nil
        }
        var items: [JSON] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = buffer.readInteger(as: Int32.self) else { return nil }
            if length < 0 {
                items.append(.null)
                continue
            }
            guard var item = buffer.readSlice(length: Int(length)), let value = json(&item, oid: element) else { return nil }
            items.append(value)
        }
        return .array(items)
    }

    static func number(_ d: Double) -> JSON {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        return .number(d)
    }

    static func text(_ buffer: inout ByteBuffer) -> String { buffer.readString(length: buffer.readableBytes) ?? "" }

    static func jsonText(_ text: String) -> JSON { (try? JSON(parsing: text)) ?? .string(text) }

    /// A `numeric`'s exact decimal text, from its binary form: the count of base-10000 digits, the weight of the first
    /// one, the sign (or NaN, ±Infinity) and the display scale, then the digits.
    static func numeric(_ buffer: inout ByteBuffer) -> String? {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
            let sign = buffer.readInteger(as: UInt16.self), let scale = buffer.readInteger(as: Int16.self), count >= 0
        else { return nil }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var digits: [Int] = []
        for _ in 0..<count {
            guard let d = buffer.readInteger(as: Int16.self) else { return nil }
            digits.append(Int(d))
        }
        func digit(_ i: Int) -> Int { i >= 0 && i < digits.count ? digits[i] : 0 }
        func padded(_ d: Int) -> String {
            let s = String(d)
            return String(repeating: "0", count: 4 - s.count) + s
        }
        var s = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            s += "0"
        } else {
            for i in 0...Int(weight) { s += i == 0 ? String(digit(i)) : padded(digit(i)) }
        }
        if scale > 0 {
            var fraction = ""
            var i = Int(weight) + 1
            while fraction.count < Int(scale) {
                fraction += padded(digit(i))
                i += 1
            }
            s += "." + fraction.prefix(Int(scale))
        }
        return s == "-0" ? "0" : s
    }

    /// `YYYY-MM-DD` of the day `days` after 2000-01-01 (PostgreSQL's epoch), or nil outside the years 1 to 9999.
    static func date(_ days: Int64) -> String? {
        // Counted from 1970-01-01, 10957 days before PostgreSQL's epoch.
        let (year, month, day) = CivilDate.civil(fromDays: days + 10957)
        guard (1...9999).contains(year) else { return nil }
        return two(year / 100) + two(year % 100) + "-" + two(month) + "-" + two(day)
    }

    /// `HH:MM:SS`, with `.ffffff` (trailing zeros dropped) when the microseconds are not zero.
    static func time(_ micros: Int64) -> String {
        let seconds = micros / 1_000_000
        var s = two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60)
        let fraction = micros % 1_000_000
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            s += "." + digits
        }
        return s
    }

    static func two(_ n: Int64) -> String { n < 10 ? "0" + String(n) : String(n) }

    static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// A value the budget (`SQLResultBudget`) counts as at least as many bytes as `json` takes in the response: the
    /// same for null, numbers and strings, and for true and false a string as long; an array or object as its JSON
    /// text in a string (its quotes and escapes counted on top).
    static func budgetValue(_ json: JSON) -> SQLValue {
        switch json {
        case .null: .null
        case .bool(let b): .text(b ? "tr" : "fal")
        case .number(let d): d == d.rounded() && abs(d) < 9e15 ? .int(Int64(d)) : .double(d)
        case .string(let s): .text(s)
        default: .text(json.serialized())
        }
    }
}

/// A cell of a type `PostgresMethodCell` does not read, waiting for the server's text form.
struct PendingCell: Sendable {
    var row: Int
    var column: Int
    var type: PostgresDataType
    var bytes: ByteBuffer
}

/// A cell's binary bytes bound back as its own type, for the server to read them and cast them to text.
struct BinaryCell: PostgresDynamicTypeEncodable {
    var bytes: ByteBuffer
    var psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeImmutableBuffer(bytes)
    }
}

/// A method's rows read through postgres-nio's row callback: as JSON, the cells waiting for their text, and the budget.
private final class MethodRowCollector: Sendable {
    struct State {
        var columns: [String]?
        var rows: [[JSON]] = []
        var pending: [PendingCell] = []
        var budget: SQLResultBudget
        /// Set when a row took the result over the budget.
        var exceeded: DatabaseError?
    }
    let state: Mutex<State>

    init(budget: SQLResultBudget) { state = Mutex(State(budget: budget)) }
}

extension PostgresConnectionExecutor {
    /// Runs a method's statement, its rows read as JSON (`PostgresMethodCell`) and counted against `budget` as they
    /// arrive (a cell waiting for the server's text counted as its bytes in base64), the first row over it failing the
    /// call (`DatabaseError.Kind.resultTooLarge`) as `run(_:budget:)` does. The cells of other types are then given the
    /// server's text form (`serverText`) and the whole result counted again, exactly.
    func runMethod(_ q: PostgresQuery, budget: SQLResultBudget) async throws -> SQLMethodResult {
        let collected = MethodRowCollector(budget: budget)
        let metadata: PostgresQueryMetadata
        do {
            metadata = try await connection.query(q, logger: logger) { row in
                try collected.state.withLock { state in
                    var names: [String] = []
                    var values: [JSON] = []
                    var counted: [SQLValue] = []
                    for (column, cell) in row.enumerated() {
                        if state.columns == nil { names.append(cell.columnName) }
                        if let value = PostgresMethodCell.json(cell.bytes, type: cell.dataType) {
                            values.append(value)
                            counted.append(PostgresMethodCell.budgetValue(value))
                        } else {
                            state.pending.append(PendingCell(row: state.rows.count, column: column, type: cell.dataType, bytes: cell.bytes!))
                            values.append(.null)
                            counted.append(.blob(Array(cell.bytes!.readableBytesView)))
                        }
                    }
                    if state.columns == nil { state.columns = names }
                    state.rows.append(values)
                    do throws(DatabaseError) { try state.budget.spend(on: SQLRow(columns: state.columns!, values: counted)) } catch {
                        state.exceeded = error
                        throw error
                    }
                }
            }.get()
        } catch {
            // Cancelling the stream fails the query with `queryCancelled` before the callback's own error arrives.
            if let exceeded = collected.state.withLock({ $0.exceeded }) { throw exceeded }
            if let error = error as? PSQLError { throw PostgresDatabase.map(error) }
            throw error
        }
        let (columns, collectedRows, pending) = collected.state.withLock { ($0.columns ?? [], $0.rows, $0.pending) }
        var rows = collectedRows
        // Counted exactly as they arrived, except the cells waiting for their text: counted again once it is in.
        var recount = pending.isEmpty ? nil : SQLResultBudget(maxBytes: budget.maxBytes)
        if !pending.isEmpty {
            let texts = await serverText(pending)
            for (cell, text) in zip(pending, texts) { rows[cell.row][cell.column] = text }
        }
        var objects: [JSON] = []
        objects.reserveCapacity(rows.count)
        for values in rows {
            var object = JSONObject(minimumCapacity: columns.count)
            for (i, name) in columns.enumerated() { object[name] = values[i] }
            objects.append(.object(object))
            try recount?.spend(on: SQLRow(columns: columns, values: values.map(PostgresMethodCell.budgetValue)))
        }
        return SQLMethodResult(rows: objects, rowCount: PostgresDatabase.rowCount(metadata, returned: rows.count))
    }

    /// PostgreSQL's own text form of `cells` (interval `1 day`, inet `1.2.3.4`, an enum's label...): each cell's bytes
    /// bound back as its type and written by its output function (`SELECT format('%s', $1), ...`), one query per type
    /// and up to 1000 cells at a time. A type the server cannot take back as a parameter (an anonymous record) is shown as
    /// `{"type": oid, "base64": bytes}` instead, and so is a cell whose query failed.
    func serverText(_ cells: [PendingCell]) async -> [JSON] {
        var texts = [JSON](repeating: .null, count: cells.count)
        let byType = Dictionary(grouping: cells.indices, by: { cells[$0].type.rawValue })
        for (oid, indices) in byType.sorted(by: { $0.key < $1.key }) {
            var start = 0
            while start < indices.count {
                let batch = Array(indices[start..<min(indices.count, start + 1000)])
                start += batch.count
                var converted: [JSON]?
                // record, record[], anyarray: no parameter can have these types.
                if ![2249, 2287, 2277].contains(oid) {
                    var bindings = PostgresBindings(capacity: batch.count)
                    for i in batch { bindings.append(BinaryCell(bytes: cells[i].bytes, psqlType: cells[i].type)) }
                    // format's %s is the type's output function (a cast to text may differ: inet's shows its netmask).
                    let sql = "SELECT " + (1...batch.count).map { "format('%s', $\($0))" }.joined(separator: ", ")
                    if let result = try? await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).get(),
                        let row = result.rows.first
                    {
                        converted = row.map { cell in
                            guard var bytes = cell.bytes else { return JSON.null }
                            return .string(bytes.readString(length: bytes.readableBytes) ?? "")
                        }
                    }
                }
                for (k, i) in batch.enumerated() {
                    texts[i] =
                        converted.flatMap { k < $0.count ? $0[k] : nil }
                        ?? ["type": .number(Double(oid)), "base64": .string(Base64.encode(Array(cells[i].bytes.readableBytesView)))]
                }
            }
        }
        return texts
    }
}
