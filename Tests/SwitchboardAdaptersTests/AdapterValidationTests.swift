import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import Testing

@testable import SwitchboardAdapters

/// `Adapter.validate(_:of:)` and `AdapterRegistry.problems(in:)`: what a definition's write is refused for, located in
/// its document; the same errors calls throw.
@Suite struct AdapterValidationTests {
    /// A custom adapter registered in code implements only `execute`.
    struct EchoAdapter: Adapter {
        func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse { AdapterResponse(status: 200, body: request.params) }
    }

    static func definition(_ type: String, _ methods: [JSON]) throws -> IntegrationDefinition {
        try DefinitionCodec(schemas: StructuralSchemaChecker()).decode([
            "key": "k", "name": "K", "version": "1.0.0", "type": .string(type), "baseUrl": "http://127.0.0.1:9", "methods": .array(methods),
        ])
    }

    static var registry: AdapterRegistry {
        var r = AdapterRegistry()
        r.register(GraphQLAdapter(transport: HTTPTransport()), for: .graphql)
        r.register(SOAPAdapter(transport: HTTPTransport()), for: .soap)
        r.register(SQLAdapter(logger: Logger(label: "t")), for: .database)
        r.register(EchoAdapter(), for: .custom)
        return r
    }

    @Test func customAdaptersAcceptByDefault() throws {
        let d = try Self.definition("custom", [["name": "anything", "graphql": "not even an object", "sql": ["query": "SELECT ?"]]])
        #expect(EchoAdapter().validate(d.methods[0], of: d) == nil)
        #expect(Self.registry.problems(in: d).isEmpty)
    }

    @Test func problemsAreLocatedWhereTheDocumentPutTheSettings() throws {
        let d = try Self.definition(
            "graphql",
            [
                ["name": "ok", "graphql": ["query": "{ a }"]],
                ["name": "none"],
                ["name": "opts", "options": ["graphql": ["query": "{ a }", "operationName": 5]]],
                ["name": "vars", "graphql": ["query": "{ a }", "variables": ["id": "{{params.id"]]],
            ])
        let problems = Self.registry.problems(in: d)
        #expect(problems.map(\.path) == ["/methods/1/graphql/query", "/methods/2/options/graphql/operationName", "/methods/3/graphql/variables"])
        #expect(problems.first?.message == "method 'none' declares no graphql.query")
    }

    /// What validation reports is what a call throws: one parser.
    @Test func validationAndCallsAgree() async throws {
        let d = try Self.definition("soap", [["name": "GetUser", "soap": ["version": "1.3"]]])
        let adapter = SOAPAdapter(transport: HTTPTransport())
        let refused = try #require(adapter.validate(d.methods[0], of: d))
        #expect(refused.field == "soap.version")
        let request = AdapterRequest(
            definition: d, method: try CompiledMethod(d.methods[0], baseURL: d.baseURL), connectionId: "c", config: [:], params: [:],
            credentials: nil, timeout: .seconds(1), logger: Logger(label: "t"))
        await #expect(throws: refused) { try await adapter.execute(request) }
        #expect(Self.registry.problems(in: d).map(\.path) == ["/methods/0/soap/version"])
    }

    @Test func sqlQueriesTakeNamedParametersOnly() throws {
        let adapter = SQLAdapter(logger: Logger(label: "t"))
        let queries = [
            ("SELECT ?", true), ("SELECT $1", true), ("SELECT * FROM t WHERE id = ?", true), ("SELECT :id, '?' AS q", false),
            ("SELECT a::text FROM t", false),
            // PostgreSQL's jsonb operators: the engine is the connection's, unknown when the definition is written.
            ("SELECT data ? 'k' FROM t WHERE data ?| array['a'] AND (data) ?& array[:b]", false),
        ]
        for (query, refused) in queries {
            let d = try Self.definition("database", [["name": "q", "sql": ["query": .string(query)]]])
            #expect((adapter.validate(d.methods[0], of: d) != nil) == refused, "\(query)")
        }
    }

    @Test func sqlReadOnlyMustBeABooleanAndTheQueryAStatement() throws {
        let d = try Self.definition(
            "database",
            [
                ["name": "a", "sql": ["query": "SELECT 1", "readOnly": "no"]],
                ["name": "b", "sql": ["query": "-- nothing\n"]],
                ["name": "c", "sql": ["query": "UPDATE t SET a = 1", "readOnly": false]],
                ["name": "d", "sql": ["query": "SELECT 1", "readOnly": nil]],
            ])
        #expect(Self.registry.problems(in: d).map(\.path) == ["/methods/0/sql/readOnly", "/methods/1/sql/query"])
        #expect(try SQLAdapter.settings(of: d.methods[2]).readOnly == false)
        #expect(try SQLAdapter.settings(of: d.methods[3]).readOnly == true)
    }

    /// A `databaseUrl` carrying a password (an empty one too) is refused as a secret, at `databaseUrl`, without quoting
    /// it; the own-store guard, which runs on every call before the URL is opened, still compares databases whatever
    /// the user and password.
    @Test func sqlDatabaseURLsCarryNoPasswordAndTheOwnStoreIsRefusedWhateverTheLogin() throws {
        let adapter = SQLAdapter(
            logger: Logger(label: "t"), configuration: .init(store: .postgres(url: "postgres://postgres@127.0.0.1:5432/switchboard")))
        let d = try Self.definition("database", [["name": "q", "sql": ["query": "SELECT 1"]]])
        let urls = ["postgres://app:hunter2@db.example.com/shop", "postgres://app:@db.example.com/shop", "postgresql://:hunter2@db.example.com/shop"]
        for url in urls {
            let error = adapter.validate(config: ["databaseUrl": .string(url)], of: d)
            #expect(error?.kind == .secretInConfig, "\(url)")
            #expect(error?.field == "databaseUrl")
            #expect(error?.message.contains("hunter2") == false)
        }
        #expect(adapter.validate(config: ["databaseUrl": "postgres://app@db.example.com/shop?sslmode=require"], of: d) == nil)
        for own in ["postgres://someone:secret@localhost/switchboard", "postgres://someone@[::1]:5432/switchboard"] {
            #expect(adapter.ownStore.refusal(["databaseUrl": .string(own)])?.field == "databaseUrl", "\(own)")
        }
    }

    /// The placeholders of a query are those its engine would read: not in comments (PostgreSQL's nest), strings
    /// (E'...' with backslash escapes), quoted identifiers, dollar quotes, array slices; `::` is a cast.
    @Test func sqlPlaceholdersAreReadAsTheEngineReadsTheQuery() {
        func names(_ query: String, _ dialect: SQLQueryText.Dialect = .postgres) -> [String] {
            SQLQueryText(query, dialect: dialect).placeholders.map(\.spelling)
        }
        #expect(names("SELECT :a -- :b\n, :c") == [":a", ":c"])
        #expect(names("SELECT /* :b /* :c */ :d */ :a") == [":a"])
        #expect(names("SELECT /* :b /* :c */ :d */ :a", .sqlite) == [":d", ":a"])
        #expect(names("SELECT E'\\':b', ':c''', \":d\", :a") == [":a"])
        #expect(names("SELECT $$:b$$, $x$ :c $$ $x$, a$b, :a") == [":a"])
        #expect(names("SELECT a[1:2], a[lo:hi], a[(:i)], :a::text, f(x := 1)") == [":i", ":a"])
        #expect(names("SELECT :config.tenant, :config, :a_1, :é, :1") == [":config.tenant", ":config", ":a_1", ":é"])
        #expect(names("SELECT \"x:y\", `:b`, [:c], :a", .sqlite) == [":a"])
        let numbered = SQLQueryText("SELECT :a, :b, :a", dialect: .postgres).statement(for: .postgres)
        #expect(numbered.text == "SELECT $1, $2, $1")
        #expect(numbered.parameters.map(\.name) == ["a", "b"])
        let positional = SQLQueryText("SELECT :a, :b, :a", dialect: .sqlite).statement(for: .sqlite)
        #expect(positional.text == "SELECT ?, ?, ?")
        #expect(positional.parameters.map(\.name) == ["a", "b", "a"])
        // PostgreSQL's ? after an operand is its operator; where a value goes, a positional placeholder.
        #expect(SQLQueryText("SELECT d ? 'k', d ?| array['a'], (d) ?& b, '{}'::jsonb ? :k", dialect: .postgres).enginePlaceholder == nil)
        for query in ["SELECT ?", "WHERE id = ?", "VALUES (?)", "IN (1, ?)", "LIMIT ?", "WHERE a AND ?"] {
            #expect(SQLQueryText(query, dialect: .postgres).enginePlaceholder == "?", "\(query)")
        }
        #expect(SQLQueryText("SELECT d ? 'k'", dialect: .sqlite).enginePlaceholder == "?")
        #expect(SQLQueryText("SELECT @x, 1", dialect: .sqlite).enginePlaceholder == "@x")
        #expect(SQLQueryText("SELECT $1", dialect: .postgres).enginePlaceholder == "$1")
    }

    /// Transaction control and a second statement are refused when the definition is written, at the query, and so is a
    /// key `sql` does not take (a misspelt `readonly: false` left the method read-only); what only looks like them is not.
    @Test func sqlRefusesTransactionControlASecondStatementAndUnknownSettings() throws {
        let refused = [
            "BEGIN", "begin transaction", "START TRANSACTION READ WRITE", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT s", "RELEASE s",
            "-- first\n/* then */ PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'", "ROLLBACK PREPARED 'x'", "SELECT 1; SELECT 2",
            "SELECT 1 AS a; DROP TABLE t -- hidden",
        ]
        let accepted = [
            "SELECT 1;", "SELECT 1; -- done\n;", "SELECT 'BEGIN; COMMIT' AS a", "SELECT \"end\" FROM t", "PREPARE q AS SELECT 1",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END",
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; DELETE FROM c; END",
            "CREATE RULE r AS ON INSERT TO a DO ALSO (UPDATE b SET n = 1; DELETE FROM c)",
            "DO $$ BEGIN PERFORM 1; COMMIT; END $$",
        ]
        let methods: [JSON] = (refused + accepted).enumerated().map { i, query in ["name": .string("m\(i)"), "sql": ["query": .string(query)]] }
        let d = try Self.definition("database", methods + [["name": "typo", "sql": ["query": "UPDATE t SET a = 1", "readonly": false]]])
        let problems = Self.registry.problems(in: d)
        let typo = "/methods/\(refused.count + accepted.count)/sql/readonly"
        #expect(problems.map(\.path) == refused.indices.map { "/methods/\($0)/sql/query" } + [typo])
        for problem in problems.prefix(12) { #expect(problem.message.contains("transaction control"), "\(problem)") }
        for problem in problems.dropFirst(12).prefix(2) { #expect(problem.message.contains("more than one statement"), "\(problem)") }
        #expect(problems.last?.message.contains("sql.readonly is not a setting") == true)
    }

    /// The same refusals at call time, on either engine, before any database is opened (the file and the server here do
    /// not exist: opening them would fail otherwise).
    @Test func sqlCallsRefuseTransactionControlAndASecondStatementBeforeOpeningTheDatabase() async throws {
        let d = try Self.definition(
            "database",
            [
                ["name": "begin", "sql": ["query": "BEGIN", "readOnly": false]],
                ["name": "two", "sql": ["query": "SELECT 1 AS a; DROP TABLE t", "readOnly": false]],
            ])
        let adapter = SQLAdapter(logger: Logger(label: "t"))
        for (method, reason) in zip(d.methods, ["transaction control", "more than one statement"]) {
            for config: JSONObject in [["sqlitePath": "/nonexistent/customer.db"], ["databaseUrl": "postgres://127.0.0.1:9/customer"]] {
                let request = AdapterRequest(
                    definition: d, method: try CompiledMethod(method, baseURL: d.baseURL), connectionId: "c", config: config, params: [:],
                    credentials: nil, timeout: .seconds(5), logger: Logger(label: "t"))
                do {
                    _ = try await adapter.execute(request)
                    Issue.record("\(method.name) ran on \(config)")
                } catch {
                    #expect(error.kind == .configuration, "\(method.name), \(config): \(error)")
                    #expect(error.message.contains(reason), "\(method.name), \(config): \(error)")
                }
            }
        }
    }

    /// A password in the query of a `databaseUrl` (`?password=...`, which libpq reads as the password) is a password
    /// in the URL too: refused like `user:password@`, and moved out by `removingPassword` (the start-up migration).
    @Test func sqlDatabaseURLsCarryNoPasswordInTheirQueryEither() throws {
        let adapter = SQLAdapter(logger: Logger(label: "t"))
        let d = try Self.definition("database", [["name": "q", "sql": ["query": "SELECT 1"]]])
        let urls = [
            "postgres://127.0.0.1:5432/db?password=hunter2&user=u", "postgres://db.example.com/shop?sslmode=require&password=hunter2",
            "postgresql://db.example.com/shop?password=", "postgres://db.example.com/shop?%70assword=hunter2",
        ]
        for url in urls {
            #expect(PostgresDatabase.hasPassword(url), "\(url)")
            let error = adapter.validate(config: ["databaseUrl": .string(url)], of: d)
            #expect(error?.kind == .secretInConfig, "\(url)")
            #expect(error?.field == "databaseUrl")
            #expect(error?.message.contains("hunter2") == false)
        }
        #expect(!PostgresDatabase.hasPassword("postgres://u@db.example.com/shop?sslmode=require&passwordless=1&application_name=password"))
        let moved = PostgresDatabase.removingPassword(from: "postgres://127.0.0.1:5432/db?password=hunter%32&user=u&sslmode=disable")
        #expect(moved.url == "postgres://127.0.0.1:5432/db?user=u&sslmode=disable")
        #expect(moved.username == "u")
        #expect(moved.password == "hunter2")
        let only = PostgresDatabase.removingPassword(from: "postgres://app@db/shop?password=x")
        #expect(only.url == "postgres://app@db/shop")
        #expect(only.username == "app")
        #expect(only.password == "x")
        // Both: the query's wins, as libpq reads it last; both are removed.
        let both = PostgresDatabase.removingPassword(from: "postgres://app:old@db/shop?password=new")
        #expect(both.url == "postgres://app@db/shop")
        #expect(both.password == "new")
        let none = PostgresDatabase.removingPassword(from: "postgres://app@db/shop?sslmode=require")
        #expect(none.url == "postgres://app@db/shop?sslmode=require" && none.username == "app" && none.password == nil)
    }
}
