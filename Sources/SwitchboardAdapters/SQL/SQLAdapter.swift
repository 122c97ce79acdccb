import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import Synchronization

/// SQL databases as integrations: a method is one parameterised statement against the connection's database.
///
/// The connection's config names the database: `databaseUrl` (`postgres://...`) or `sqlitePath` (an existing file:
/// never created, and its journal mode and other persistent settings left as they are). The method declares
/// `sql: {query: "SELECT * FROM users WHERE id = :id", readOnly: true}`; `:name` placeholders are bound from the
/// parameters as values, never spliced into the text; `:config.name` binds the connection's config value `name` (a
/// parameter never stands for one), and a `:name` the call lacks is refused (422), a JSON null binding NULL. The query is read as its engine reads it (`SQLQueryText`): a
/// `:name` in a string, a comment, a dollar quote or an array slice is text, and PostgreSQL's `?` operators are left alone.
///
/// - The query is one statement; a second one is refused before anything runs, and so is transaction control (BEGIN,
///   COMMIT, ROLLBACK, SAVEPOINT...), on both engines; the same checks refuse such a definition when it is written.
/// - Methods are read-only unless they say `readOnly: false`: a statement that writes is refused (PostgreSQL: a READ
///   ONLY transaction; SQLite: the file opened read-only and the statement checked before it runs).
/// - SQLite: ATTACH, DETACH and transaction control are refused on every method (the connection is shared by calls),
///   and so is VACUUM (it rewrites the whole file; VACUUM INTO writes a file anywhere on the server).
/// - The method's timeout stops the statement (SQLite: interrupted; PostgreSQL: `statement_timeout`).
/// - The rows are counted as they are read (`SQLResultBudget`), against the method's `maxResponseBytes`: reading
///   stops at the first row over it, and the call fails with `responseTooLarge` (on PostgreSQL a read-only
///   statement is also cancelled on the server; see `PostgresDatabase.runStatement`).
/// - A connection naming Switchboard's own database is refused (`SQLOwnStoreGuard`, from `Configuration`).
/// - A refusal is the method's fault: `DEFINITION_ERROR` (409), like other definition mistakes.
///
/// The result is `{"rows": [{column: value}], "rowCount": n}`: n is the rows an INSERT, UPDATE or DELETE changed,
/// otherwise the rows returned. The executions log counts the bound parameters (as a JSON object) as the request and the
/// result as the response, and keeps their text when the method sets `logBodies`.
public final class SQLAdapter: Adapter {
    private let databases = Mutex<[String: OpenDatabase]>([:])
    let logger: Logger
    let ownStore: SQLOwnStoreGuard

    /// What the adapter must know of the server it runs in.
    public struct Configuration: Sendable {
        /// Where Switchboard's own store is: a connection naming it (its SQLite file, or its PostgreSQL database) is
        /// refused.
        public var store: StoreLocation?
        /// The server's data directory (the store's file, the vault's keys): a `sqlitePath` inside it is refused.
        public var dataDirectory: String?

        public init(store: StoreLocation? = nil, dataDirectory: String? = nil) {
            self.store = store
            self.dataDirectory = dataDirectory
        }
    }

    public init(logger: Logger, configuration: Configuration = .init()) {
        self.logger = logger
        self.ownStore = SQLOwnStoreGuard(configuration: configuration)
    }

    /// A method's `sql` settings: the query (present, holding a statement) and `readOnly` (a boolean, true when absent);
    /// any other key is refused (a misspelt `readonly: false` would leave the method read-only without a word). The same
    /// parse runs when a definition is written (`validate`) and on every call.
    static func settings(of method: DefinitionMethod) throws(AdapterError) -> (query: String, readOnly: Bool) {
        guard let sql = method.options["sql"], let text = sql["query"]?.stringValue else {
            throw AdapterError(.configuration, "method '\(method.name)' declares no sql.query", field: "sql.query")
        }
        if let unknown = sql.objectValue?.keys.first(where: { !["query", "readOnly"].contains($0) }) {
            throw AdapterError(
                .configuration, "method '\(method.name)': sql.\(unknown) is not a setting (sql takes query and readOnly)", field: "sql.\(unknown)")
        }
        guard !SQLText.isBlank(text) else {
            throw AdapterError(.configuration, "method '\(method.name)' cannot run its sql.query: the query holds no statement", field: "sql.query")
        }
        guard let flag = sql["readOnly"], !flag.isNull else { return (text, true) }
        guard let readOnly = flag.boolValue else {
            throw AdapterError(.configuration, "method '\(method.name)': sql.readOnly must be true or false", field: "sql.readOnly")
        }
        return (text, readOnly)
    }

    public func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse {
        let (text, readOnly) = try Self.settings(of: request.method.method)
        let (statement, parameters) = try Self.statement(text, dialect: Self.dialect(of: request.config), method: request.method.name)
        let values = try Self.values(of: parameters, params: request.params, config: request.config)
        // Checked on every call, not only when the config was written: a link to the store can be made at any time.
        if let refusal = ownStore.refusal(request.config) { throw AdapterError(.refusedTarget, refusal.message, field: refusal.field) }
        let db = try await database(for: request.config, credentials: request.credentials, readOnly: readOnly, timeout: request.timeout)
        let timeout = request.timeout
        // The rows are counted as they are read, and reading stops at the method's response limit.
        let budget = SQLResultBudget(maxBytes: request.method.maxResponseBytes)
        do {
            let result = try await withThrowingTaskGroup(of: SQLMethodResult.self) { group in
                group.addTask {
                    if let pg = db as? PostgresDatabase {
                        return try await pg.runStatement(
                            numbered: statement, values.map(Self.postgresParameter), readOnly: readOnly, timeout: timeout, budget: budget)
                    }
                    // SQLite: the connection opened for read-only methods refuses writes; cancelling this task (when
                    // the timer below fires) interrupts the statement.
                    let binds = values.map { Self.value($0) }
                    let result =
                        if let sqlite = db as? SQLiteDatabase { try await sqlite.run(statement, binds, budget: budget) } else {
                            try await db.run(statement, binds)
                        }
                    return SQLMethodResult(rows: result.rows.map(Self.object), rowCount: result.rowCount)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw AdapterError(.timeout, "the query did not finish in time")
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            // The executions log: what was bound (as `{"id": 1, "config.tenant": "t"}`) and the result, sized as JSON,
            // their text kept when the method logs bodies.
            var bound = JSONObject(minimumCapacity: parameters.count)
            for (p, value) in zip(parameters, values) { bound[p.isConfig ? "config." + p.name : p.name] = value }
            let body: JSON = ["rows": .array(result.rows), "rowCount": .number(Double(result.rowCount))]
            let requestText = JSON.object(bound).serialized()
            let responseText = body.serialized()
            let logBodies = request.method.method.logBodies
            return AdapterResponse(
                status: nil, body: body, requestBytes: requestText.utf8.count, responseBytes: responseText.utf8.count,
                requestBodyText: logBodies ? requestText : nil, responseBodyText: logBodies ? responseText : nil)
        } catch let e as AdapterError {
            throw e
        } catch let e as DatabaseError {
            switch e.kind {
            case .unavailable: throw AdapterError(.connection, "the database is unavailable: \(e.message)")
            case .refused: throw AdapterError(.configuration, "method '\(request.method.name)' cannot run its sql.query: \(e.message)")
            case .cancelled: throw AdapterError(.timeout, "the query did not finish in time")
            case .resultTooLarge: throw AdapterError(.responseTooLarge, "the query's rows are larger than \(budget.maxBytes) bytes")
            case .authenticationFailed: throw AdapterError(.authentication, "the database refused the connection's credentials: \(e.message)")
            default: throw AdapterError(.other, "the statement failed: \(e.message)")
            }
        } catch {
            throw AdapterError(.other, "the statement failed")
        }
    }

    /// The engine a connection's config names: PostgreSQL for a `databaseUrl` (postgres://...), else SQLite.
    static func dialect(of config: JSONObject) -> SQLQueryText.Dialect {
        config["databaseUrl"]?.stringValue?.hasPrefix("postgres") == true ? .postgres : .sqlite
    }

    /// `text` with its `:name` placeholders as the engine's (see `SQLQueryText`), and the placeholders in parameter
    /// order. Refuses, before anything runs, the engine's own placeholders (`$1`; SQLite's `?`; a `?` where a value goes
    /// on PostgreSQL), a second statement, and transaction control (on both engines: a call's statement never leaves
    /// its connection inside a transaction).
    static func statement(
        _ text: String, dialect: SQLQueryText.Dialect, method: String
    ) throws(AdapterError) -> (text: String, parameters: [SQLQueryText.Placeholder]) {
        let query = SQLQueryText(text, dialect: dialect)
        if let positional = query.enginePlaceholder {
            throw AdapterError(
                .configuration, "method '\(method)': use :name placeholders in sql.query, not \(positional)", field: "sql.query")
        }
        if query.statementCount > 1 {
            throw AdapterError(
                .configuration, "method '\(method)' cannot run its sql.query: the query holds more than one statement: run one statement per call",
                field: "sql.query")
        }
        if query.isTransactionControl {
            throw AdapterError(
                .configuration,
                "method '\(method)' cannot run its sql.query: transaction control (BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, "
                    + "SAVEPOINT, RELEASE, PREPARE TRANSACTION) is not allowed: every call runs on its own, and a pooled or shared connection "
                    + "must not be left inside a transaction",
                field: "sql.query")
        }
        return query.statement(for: dialect)
    }

    /// The values of `placeholders`: `:name` the caller's parameter `name`, `:config.name` the connection's config value
    /// `name` (a parameter never stands for a config value). A parameter the query names and the call lacks is the
    /// caller's mistake (`invalidRequest`, 422), never a silent NULL; a JSON `null` binds NULL. A config value the
    /// connection lacks is its config's (`connectionConfiguration`, 409).
    static func values(of placeholders: [SQLQueryText.Placeholder], params: JSON, config: JSONObject) throws(AdapterError) -> [JSON] {
        var values: [JSON] = []
        values.reserveCapacity(placeholders.count)
        for p in placeholders {
            if p.isConfig {
                guard let value = config[p.name] else {
                    throw AdapterError(
                        .connectionConfiguration, "the connection's config has no '\(p.name)', which the method's query binds as \(p.spelling)",
                        field: p.name)
                }
                values.append(value)
            } else {
                guard let value = params.objectValue?[p.name] else {
                    throw AdapterError(
                        .invalidRequest, "parameter '\(p.name)' is missing: the method's query binds it as \(p.spelling)", field: p.name)
                }
                values.append(value)
            }
        }
        return values
    }

    static func value(_ v: JSON?) -> SQLValue {
        switch v {
        case .none, .null?: .null
        case .bool(let b)?: .int(b ? 1 : 0)
        case .number(let n)?: n == n.rounded() && abs(n) < 9e15 ? .int(Int64(n)) : .double(n)
        case .string(let s)?: .text(s)
        case let other?: .text(other.serialized())
        }
    }

    /// A parameter's value as PostgreSQL is given it (see `SQLMethodParameter`): a boolean as `boolean`, an integer as
    /// `bigint`, another number as `double precision`; a string untyped, for PostgreSQL to read as its place calls for
    /// (a column's type, a timestamp, a bigint beyond 2^53 sent as a string); an array of scalars as an array literal
    /// (`{1,2,"a"}`, for `= ANY(:ids)`) and anything else as its JSON text, both untyped.
    static func postgresParameter(_ value: JSON) -> SQLMethodParameter {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return n == n.rounded() && abs(n) < 9.2e18 ? .int(Int64(n)) : .double(n)
        case .string(let s): return .untyped(s)
        case .array(let items):
            var literal = "{"
            for (i, item) in items.enumerated() {
                if i > 0 { literal += "," }
                switch item {
                case .null: literal += "NULL"
                case .bool(let b): literal += b ? "true" : "false"
                case .number: literal += item.serialized()
                case .string(let s):
                    literal += "\""
                    for c in s.unicodeScalars {
                        if c == "\"" || c == "\\" { literal += "\\" }
                        literal.unicodeScalars.append(c)
                    }
                    literal += "\""
                default: return .untyped(value.serialized())
                }
            }
            return .untyped(literal + "}")
        default: return .untyped(value.serialized())
        }
    }

    /// A SQLite row as a JSON object (PostgreSQL's rows come as JSON: `PostgresMethodCell`).
    static func object(_ row: SQLRow) -> JSON {
        var o = JSONObject(minimumCapacity: row.columns.count)
        for (i, c) in row.columns.enumerated() { o[c] = json(row.values[i]) }
        return .object(o)
    }

    /// A SQLite value as JSON: an integer beyond ±2^53 (which a JSON number, a double, would round) as a string of its
    /// exact digits, a blob as base64.
    static func json(_ v: SQLValue) -> JSON {
        switch v {
        case .null: .null
        case .int(let i): i.magnitude <= 1 << 53 ? .number(Double(i)) : .string(String(i))
        case .double(let d): .number(d)
        case .text(let s): .string(s)
        case .blob(let b): .string(Base64.encode(b))
        case .textArray(let a): .array(a.map(JSON.string))
        }
    }

    /// Where the SQLite databases of methods run their calls: apart from the store's thread, so that a slow query
    /// of a method never holds up Switchboard's own reads and writes.
    static let sqliteThreads = WorkerThreads(name: "sb-sql-method", threads: 2)

    /// A database opened for calls, and what it was opened with.
    struct OpenDatabase {
        var db: any SQLDatabase
        /// The digest of the credentials a PostgreSQL pool logs in with ("" without any); never the password itself.
        var credentials: String
        var runner: Task<Void, Never>?
        /// When a call last asked for it.
        var lastUsed: ContinuousClock.Instant
    }

    /// How long a database opened for calls stays open without a call asking for it: closed then (at the next call of
    /// any SQL connection), it is opened again by the next call that names it. Longer than the longest a call can run
    /// (a method's `timeoutMs` is at most an hour), so a database is never closed under a statement still running:
    /// `lastUsed` is set when a call starts.
    static let idleLimit = Duration.seconds(65 * 60)

    /// The most connections a SQL connection's PostgreSQL pool opens to its database (one pool per database URL and
    /// credentials). Not `SWITCHBOARD_DATABASE_POOL_SIZE`, which sizes Switchboard's own store.
    static let poolSize = 20

    /// The database `config` names, logging in with `credentials` (PostgreSQL).
    ///
    /// A PostgreSQL pool is shared by the calls that name the same URL as the same role, and kept while they come with
    /// the same credentials (compared by `Credentials.digest`): calls with other credentials (a PUT of new ones) open a
    /// new pool, and the old one is closed.
    func database(
        for config: JSONObject, credentials: Credentials?, readOnly: Bool, timeout: Duration
    ) async throws(AdapterError) -> any SQLDatabase {
        let url = config["databaseUrl"]?.stringValue.flatMap { $0.hasPrefix("postgres") ? $0 : nil }
        let path = config["sqlitePath"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let key: String
        var login: (username: String?, password: String?, digest: String) = (nil, nil, "")
        if let url {
            if PostgresDatabase.hasPassword(url) { throw Self.passwordInURL }
            if let credentials {
                guard credentials.type == .basic else {
                    throw AdapterError(
                        .invalidCredentials,
                        "a SQL connection logs in with basic credentials (username, password), not \(credentials.type.rawValue) ones")
                }
                login = (credentials["username"], credentials["password"], credentials.digest)
            }
            let role = login.username.flatMap { $0.isEmpty ? nil : $0 } ?? PostgresDatabase.removingPassword(from: url).username
            key = "pg:" + role + "@" + url
        } else if let path {
            // A SQLite file gets a connection for read-only methods and another for the others.
            key = (readOnly ? "ro:" : "rw:") + path
        } else {
            throw AdapterError(.configuration, "the connection's config needs databaseUrl (postgres://...) or sqlitePath")
        }
        let now = ContinuousClock.now
        let (existing, idle) = databases.withLock { dbs -> (OpenDatabase?, [OpenDatabase]) in
            let found = dbs[key]
            dbs[key]?.lastUsed = now
            // Pools no call has used for a while are closed: a pool keeps reconnecting to a database that fails, even
            // after its connection was deleted.
            let stale = dbs.filter { $0.key != key && now - $0.value.lastUsed > Self.idleLimit }
            for name in stale.keys { dbs[name] = nil }
            return (found, Array(stale.values))
        }
        for open in idle {
            try? await open.db.close()
            open.runner?.cancel()
        }
        if let existing, existing.credentials == login.digest { return existing.db }
        let opened: OpenDatabase
        do {
            if let url {
                // A refused login is told now: the pool would only retry it, and the call would wait for its timeout.
                do {
                    try await PostgresDatabase.checkLogin(
                        url: url, username: login.username, password: login.password, timeout: timeout, logger: logger)
                } catch let error as DatabaseError where error.kind == .authenticationFailed {
                    throw AdapterError(.authentication, "the database refused the connection's credentials: \(error.message)")
                } catch let error as DatabaseError {
                    // Unreachable, or a database that does not exist: said now, naming the cause, rather than after
                    // the call's wait for a pool that would only retry (and keep retrying after the call).
                    throw AdapterError(.connection, "cannot open the database: \(error.message)")
                }
                let pg = try PostgresDatabase(
                    url: url, username: login.username, password: login.password, logger: logger, maximumConnections: Self.poolSize)
                opened = OpenDatabase(db: pg, credentials: login.digest, runner: Task.detached { await pg.run() }, lastUsed: now)
            } else {
                let db = try await SQLiteDatabase.openExisting(path: path!, readOnly: readOnly, logger: logger, thread: Self.sqliteThreads)
                opened = OpenDatabase(db: db, credentials: "", runner: nil, lastUsed: now)
            }
        } catch let error as AdapterError {
            throw error
        } catch let error as DatabaseError {
            // These messages name the file's or the URL's fault, never a password.
            throw AdapterError(.connection, "cannot open the database: \(error.message)")
        } catch {
            throw AdapterError(.connection, "cannot open the database")
        }
        let (kept, replaced) = databases.withLock { dbs -> (OpenDatabase, OpenDatabase?) in
            if let raced = dbs[key], raced.credentials == login.digest { return (raced, opened) }
            let previous = dbs[key]
            dbs[key] = opened
            return (opened, previous)
        }
        // The pool this call did not keep: the one a racing call opened first, or the one of the former credentials.
        if let replaced {
            try? await replaced.db.close()
            replaced.runner?.cancel()
        }
        return kept.db
    }

    /// The refusal of a `databaseUrl` that carries a password; the URL is not quoted, so neither is the password.
    static let passwordInURL = AdapterError(
        .secretInConfig,
        "databaseUrl must not carry a password: remove it from the URL and give it as the connection's credentials "
            + "(PUT /v1/connections/{id}/credentials with {\"type\": \"basic\", \"username\": ..., \"password\": ...})",
        field: "databaseUrl")

    /// Closes every database opened for calls.
    public func shutdown() async {
        let all = databases.withLock { dbs in
            defer { dbs.removeAll() }
            return Array(dbs.values)
        }
        for open in all {
            try? await open.db.close()
            open.runner?.cancel()
        }
    }
}
