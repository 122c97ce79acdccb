import Foundation
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// A PostgreSQL connection of a SQL connection's pool goes back to the pool as it came: what one call's statement did to
/// its session (a setting, an advisory lock, a temporary table, a LISTEN, an open transaction) never reaches the next call.
@Suite struct SQLAdapterSessionTests {
    /// Runs `body` with an app (its client) and a connection (a caller of its methods, and its config) to a fresh customer database
    /// on `backend` holding `items` (`SQLAdapterGuaranteeTests.setup`, then `setup`), whose definition declares
    /// `methods`: `[name: (query, readOnly)]`, and `extraMethods` as written; the connection's config holds
    /// `extraConfig` too.
    static func withMethods(
        _ backend: TestBackend, _ methods: KeyValuePairs<String, (String, Bool)>, setup: [String] = [], extraConfig: JSONObject = [:],
        extraMethods: [JSON] = [],
        _ body:
            @Sendable (
                _ call: @Sendable (String, JSON) async throws -> (status: Int, body: JSON), _ config: JSON, _ client: any TestClientProtocol
            ) async throws -> Void
    ) async throws {
        try await SQLAdapterGuaranteeTests.withCustomerDatabase(backend) { customer, _ in
            var merged = customer
            for (key, value) in extraConfig { merged[key] = value }
            let config = merged
            if !setup.isEmpty {
                if let url = config["databaseUrl"]?.stringValue {
                    try await TestBackend.withDatabase(at: .postgres(url: url)) { db, _ in for statement in setup { try await db.execute(statement) }
                    }
                } else if let path = config["sqlitePath"]?.stringValue {
                    let db = try await SQLAdapterGuaranteeTests.openWritable(path)
                    for statement in setup { try await db.execute(statement) }
                    try await db.close()
                }
            }
            try await withApp(.sqlite) { client in
                let document: JSON = [
                    "key": "session-db", "name": "Session", "version": "1.0.0", "type": "database",
                    "methods": .array(
                        methods.map { name, method in
                            ["name": .string(name), "sql": ["query": .string(method.0), "readOnly": .bool(method.1)]]
                        } + extraMethods),
                ]
                let published = try await client.call(.post, "/v1/definitions?publish=true", json: document)
                #expect(published.status == 201, "\(published.body)")
                let created = try await client.call(.post, "/v1/connections", json: ["definitionKey": "session-db", "name": "s", "config": config])
                let id = try #require(created.body["id"]?.stringValue, "\(created.body)")
                try await body(
                    { method, params in
                        let r = try await client.call(.post, "/v1/connections/\(id)/methods/\(method)", json: params)
                        return (r.status, r.body)
                    }, config, client)
            }
        }
    }

    /// The rows of `sql` run on the database `config` names, from a connection outside the method's pool.
    static func outside(_ config: JSON, _ sql: String) async throws -> [SQLRow] {
        let url = try #require(config["databaseUrl"]?.stringValue)
        let db = try PostgresDatabase(url: url, logger: Logger(label: "test"), maximumConnections: 1)
        return try await withThrowingTaskGroup(of: [SQLRow].self) { group in
            group.addTask {
                await db.run()
                return []
            }
            let rows = try await db.query(sql, [])
            group.cancelAll()
            return rows
        }
    }

    @Test func aCallLeavesNothingOnThePooledConnection() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let methods: KeyValuePairs<String, (String, Bool)> = [
            "count": ("SELECT count(*) AS n FROM items", true),
            // Read-only calls: their transaction is rolled back, not committed.
            "narrowSearchPath": ("SELECT set_config('search_path', 'pg_catalog', false) AS s", true),
            "lockReading": ("SELECT 1 AS locked FROM pg_advisory_lock(4243)", true),
            // Read-write calls, in autocommit: the session is reset after the statement.
            "lock": ("SELECT 1 AS locked FROM pg_advisory_lock(4242)", false),
            "setFlavour": ("SELECT set_config('app.flavour', 'mint', false) AS s", false),
            "setFlavourStatement": ("SET app.flavour = 'lemon'", false),
            "flavour": ("SELECT current_setting('app.flavour', true) AS f", true),
            "createTemp": ("CREATE TEMP TABLE scratch (a integer)", false),
            "listen": ("LISTEN switchboard_test", false),
            "listening": ("SELECT count(*) AS n FROM pg_listening_channels()", true),
        ]
        try await Self.withMethods(.postgres, methods) { call, config, _ in
            #expect(try await call("narrowSearchPath", [:]).status == 200)
            // The search path the read-only call set (committed, it broke every later call on that connection) is gone.
            let counted = try await call("count", [:])
            #expect(counted.status == 200, "\(counted.body)")
            #expect(counted.body["data"]?["rows"] == [["n": 2]])
            for method in ["lockReading", "lock", "setFlavour", "createTemp", "listen"] {
                let r = try await call(method, [:])
                #expect(r.status == 200, "\(method): \(r.body)")
            }
            // A setting reset reads as unset (NULL) or, on a backend that had it, as its empty default: never the value.
            let unset: Set<JSON> = [.null, ""]
            let flavour = try await call("flavour", [:]).body["data"]?["rows"]?[0]?["f"]
            #expect(flavour.map(unset.contains) == true, "\(String(describing: flavour))")
            #expect(try await call("setFlavourStatement", [:]).status == 200)
            let again = try await call("flavour", [:]).body["data"]?["rows"]?[0]?["f"]
            #expect(again.map(unset.contains) == true, "\(String(describing: again))")
            #expect(try await call("listening", [:]).body["data"]?["rows"] == [["n": 0]])
            // A second CREATE TEMP TABLE of the same name works: the first one's table went with its session's reset.
            let created = try await call("createTemp", [:])
            #expect(created.status == 200, "\(created.body)")
            // Seen from outside: no advisory lock granted, no temporary table, no backend idle in a transaction.
            let locks = try await Self.outside(
                config,
                """
                SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid IN (4242, 4243)
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """)
            #expect(locks.first?.int("n") == 0)
            let temporary = try await Self.outside(config, "SELECT count(*) AS n FROM pg_class WHERE relpersistence = 't' AND relname = 'scratch'")
            #expect(temporary.first?.int("n") == 0)
            let open = try await Self.outside(
                config,
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'")
            #expect(open.first?.int("n") == 0)
        }
    }

    /// A PostgreSQL server that refuses the connection, or a database that does not exist, is said at once, naming the
    /// cause (the call waited for the pool, 10 s by default, then said only "the database is unavailable").
    @Test func anUnreachableServerOrAMissingDatabaseIsSaidAtOnce() async throws {
        guard TestBackend.available.contains(.postgres), let admin = TestBackend.postgresAdminURL else { return }
        let missing = PostgresDatabase.url(admin, database: "sbtest_missing_" + UUID().uuidString.prefix(8).lowercased())
        try await withApp(.sqlite) { client in
            let document: JSON = [
                "key": "far-db", "name": "Far", "version": "1.0.0", "type": "database",
                "methods": [["name": "one", "sql": ["query": "SELECT 1 AS one"]]],
            ]
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: document).status == 201)
            for (url, cause) in [("postgres://127.0.0.1:2/customer", "127.0.0.1:2"), (missing, "3D000")] {
                let created = try await client.call(
                    .post, "/v1/connections", json: ["definitionKey": "far-db", "name": "far", "config": ["databaseUrl": .string(url)]])
                let id = try #require(created.body["id"]?.stringValue, "\(created.body)")
                let clock = ContinuousClock()
                let start = clock.now
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/one", json: [:])
                // Far below the pool's wait (120 s in the test environment) and the call's 30 s timeout.
                #expect(clock.now - start < .seconds(20), "\(url): \(clock.now - start)")
                #expect(r.status == 502, "\(url): \(r.body)")
                #expect(r.body["error"]?["code"] == "UPSTREAM_UNAVAILABLE", "\(url): \(r.body)")
                #expect(r.body["error"]?["message"]?.stringValue?.contains(cause) == true, "\(url): \(r.body)")
            }
        }
    }
}
