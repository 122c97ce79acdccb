import Foundation
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Synchronization
import Testing

/// A SQL connection's database password lives in its credentials (the vault), never in its config: a `databaseUrl`
/// carrying one is refused, the adapter logs in with the credentials, new credentials open a new pool, and passwords
/// stored in `databaseUrl` before are moved into the vault at start-up.
///
/// Against the real PostgreSQL of the tests. It trusts 127.0.0.1, so a password is checked by `pg_password_front.py`
/// in front of it, the way PostgreSQL's `password` login does (a wrong one is FATAL 28P01).
@Suite(.enabled(if: TestBackend.postgresAdminURL != nil, "needs SWITCHBOARD_TEST_POSTGRES_URL"))
struct SQLAdapterCredentialsTests {
    static let definition: JSON = [
        "key": "ledger-db", "name": "Ledger database", "version": "1.0.0", "type": "database", "auth": ["type": "basic"],
        "configSchema": ["type": "object", "properties": ["databaseUrl": ["type": "string", "maxLength": 10]]],
        "methods": [["name": "whoami", "sql": ["query": "SELECT current_user AS role, count(*) AS n FROM items"]]],
    ]

    /// The customer's database: a fresh PostgreSQL database holding `items`, readable by a new role; the password
    /// front for it; and the URL naming the database through the front, without user or password.
    struct Customer {
        var role: String
        var password: String
        /// Another password the front takes (the role's after a rotation).
        var rotated: String
        var url: String
    }

    static func withCustomer(_ body: (Customer) async throws -> Void) async throws {
        let admin = try #require(TestBackend.postgresAdminURL)
        let upstream = try #require(PostgresDatabase.endpoint(of: admin))
        let role = "sbrole_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let password = "pw-" + UUID().uuidString
        let rotated = "rotated-" + UUID().uuidString
        try await TestBackend.postgres.withFreshLocation { location in
            guard case .postgres(let databaseURL) = location, let database = PostgresDatabase.endpoint(of: databaseURL)?.database else { return }
            try await TestBackend.withDatabase(at: location) { db, _ in
                try await db.execute("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'")
                try await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY)")
                try await db.execute("INSERT INTO items VALUES (1), (2)")
                try await db.execute("GRANT SELECT ON items TO \(role)")
            }
            let front = try await PeerProcess.start(script: "pg_password_front.py", arguments: ["--upstream-port", String(upstream.port), "--password", password, "--password", rotated])
            defer { front.stop() }
            let result: Result<Void, any Error>
            do {
                result = .success(
                    try await body(Customer(role: role, password: password, rotated: rotated, url: "postgres://127.0.0.1:\(front.port)/\(database)")))
            } catch { result = .failure(error) }
            try await TestBackend.withDatabase(at: location) { db, _ in
                try await db.execute("DROP OWNED BY \(role)")
            }
            try result.get()
        }
        try await Self.onAdminDatabase(admin, "DROP ROLE IF EXISTS \(role)")
    }

    /// Runs `statement` on the admin database as it is (not migrated: no Switchboard tables are made there).
    @discardableResult
    static func onAdminDatabase(_ admin: String, _ statement: String) async throws -> [SQLRow] {
        let db = try PostgresDatabase(url: admin, logger: Logger(label: "test-admin"), maximumConnections: 1)
        return try await withThrowingTaskGroup(of: [SQLRow].self) { group in
            group.addTask {
                await db.run()
                return []
            }
            let rows = try await db.query(statement, [])
            group.cancelAll()
            return rows
        }
    }

    /// How many sessions `role` has open on the server now.
    static func sessions(of role: String) async throws -> Int {
        let rows = try await onAdminDatabase(
            try #require(TestBackend.postgresAdminURL), "SELECT count(*) AS n FROM pg_stat_activity WHERE usename = '\(role)'")
        guard case .int(let n)? = rows.first?.values.first else { return -1 }
        return Int(n)
    }

    static func definitionAllowing(urls maxLength: Int) -> JSON {
        var d = definition
        d["configSchema"]?["properties"]?["databaseUrl"]?["maxLength"] = .number(Double(maxLength))
        return d
    }

    @Test func thePasswordComesFromTheCredentialsAndNewOnesOpenANewPool() async throws {
        try await Self.withCustomer { customer in
            try await withApp(.sqlite) { client in
                #expect(try await client.call(.post, "/v1/definitions?publish=true", json: Self.definitionAllowing(urls: 200)).status == 201)
                let created = try await client.call(
                    .post, "/v1/connections",
                    json: ["definitionKey": "ledger-db", "name": "ledger", "config": ["databaseUrl": .string(customer.url)]])
                #expect(created.status == 201, "\(created.body)")
                let id = try #require(created.body["id"]?.stringValue)
                func call() async throws -> (status: Int, body: JSON) {
                    let r = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: [:])
                    return (r.status, r.body)
                }
                func put(_ password: String) async throws {
                    let r = try await client.call(
                        .put, "/v1/connections/\(id)/credentials",
                        json: ["type": "basic", "username": .string(customer.role), "password": .string(password)])
                    #expect(r.status == 200, "\(r.body)")
                }

                // No credentials yet: the connection waits for them.
                let waiting = try await call()
                #expect(waiting.status == 409)
                #expect(waiting.body["error"]?["code"] == "CONNECTION_NOT_USABLE")

                // The role and password come from the credentials alone (the URL names neither).
                try await put(customer.password)
                let first = try await call()
                #expect(first.status == 200, "\(first.body)")
                #expect(first.body["data"]?["rows"] == [["role": .string(customer.role), "n": 2]])

                // New, wrong credentials: a new pool logs in with them and is refused; the password is not echoed.
                let wrong = "wrong-" + UUID().uuidString
                try await put(wrong)
                let refused = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: [:])
                #expect(refused.status == 502, "\(refused.body)")
                #expect(refused.body["error"]?["code"] == "UPSTREAM_AUTH_ERROR")
                let execution = try await client.call(.get, "/v1/executions?connectionId=\(id)&limit=50")
                for text in [refused.body.serialized(), execution.body.serialized()] {
                    #expect(!text.contains(wrong))
                    #expect(!text.contains(customer.password))
                }

                // The right ones again: another new pool, and calls work.
                try await put(customer.password)
                let again = try await call()
                #expect(again.status == 200, "\(again.body)")
                #expect(try await Self.sessions(of: customer.role) == 1)

                // Rotated credentials that work: the pool of the former ones is closed, its session ends.
                try await put(customer.rotated)
                let rotated = try await call()
                #expect(rotated.status == 200, "\(rotated.body)")
                let deadline = ContinuousClock.now + .seconds(20)
                var open = try await Self.sessions(of: customer.role)
                while open > 1, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))  // the closed pool's session ends on the server's time
                    open = try await Self.sessions(of: customer.role)
                }
                #expect(open == 1)

                for path in ["/v1/connections", "/v1/connections/\(id)", "/v1/connections/\(id)/credentials"] {
                    let shown = try await client.call(.get, path).body.serialized()
                    #expect(!shown.contains(customer.password), "\(path)")
                    #expect(!shown.contains(wrong), "\(path)")
                }
            }
        }
    }

    @Test func aDatabaseURLCarryingAPasswordIsRefusedAtCreateAndPatchWithoutEchoingIt() async throws {
        try await Self.withCustomer { customer in
            try await withApp(.sqlite) { client in
                // The configSchema would refuse such long URLs too, and quote them: the password is refused first.
                #expect(try await client.call(.post, "/v1/definitions?publish=true", json: Self.definition).status == 201)
                let secret = "s3cr3t-" + UUID().uuidString
                let withPassword = customer.url.replacingOccurrences(of: "://", with: "://\(customer.role):\(secret)@")
                let before = try await client.snapshot()
                let created = try await client.call(
                    .post, "/v1/connections",
                    json: ["definitionKey": "ledger-db", "name": "ledger", "config": ["databaseUrl": .string(withPassword)]])
                #expect(created.status == 422)
                #expect(created.body["error"]?["code"] == "SECRET_IN_CONFIG")
                #expect(created.body["error"]?["details"]?[0]?["path"] == "/config/databaseUrl")
                #expect(created.body["error"]?["message"]?.stringValue?.contains("credentials") == true)
                #expect(!created.body.serialized().contains(secret))
                // An empty password is a password too.
                let empty = customer.url.replacingOccurrences(of: "://", with: "://\(customer.role):@")
                let emptyCreated = try await client.call(
                    .post, "/v1/connections", json: ["definitionKey": "ledger-db", "name": "ledger", "config": ["databaseUrl": .string(empty)]])
                #expect(emptyCreated.body["error"]?["code"] == "SECRET_IN_CONFIG")
                #expect(try await client.snapshot() == before)

                let ok = try await client.call(.post, "/v1/connections", json: ["definitionKey": "ledger-db", "name": "ledger", "config": [:]])
                let id = try #require(ok.body["id"]?.stringValue)
                let stored = try await client.call(.get, "/v1/connections/\(id)").body
                let patched = try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["databaseUrl": .string(withPassword)]])
                #expect(patched.status == 422)
                #expect(patched.body["error"]?["code"] == "SECRET_IN_CONFIG")
                #expect(patched.body["error"]?["details"]?[0]?["path"] == "/config/databaseUrl")
                #expect(!patched.body.serialized().contains(secret))
                #expect(try await client.call(.get, "/v1/connections/\(id)").body == stored)
            }
        }
    }

    @Test func aPasswordStoredInDatabaseURLIsMovedIntoTheVaultAtStartUp() async throws {
        try await Self.withCustomer { customer in
            try await TestBackend.sqlite.withFreshLocation { location in
                let made = Mutex("")
                try await withApp(.sqlite, location: location) { client in
                    #expect(try await client.call(.post, "/v1/definitions?publish=true", json: Self.definitionAllowing(urls: 200)).status == 201)
                    let created = try await client.call(
                        .post, "/v1/connections",
                        json: ["definitionKey": "ledger-db", "name": "ledger", "config": ["databaseUrl": .string(customer.url)]])
                    let id = try #require(created.body["id"]?.stringValue)
                    made.withLock { $0 = id }
                }
                let id = made.withLock { $0 }
                // As a server of before this change stored it: the role and password in the URL, no credentials.
                let legacy = customer.url.replacingOccurrences(of: "://", with: "://\(customer.role):\(customer.password)@")
                try await TestBackend.withDatabase(at: location) { [id] db, _ in
                    try await db.execute(
                        "UPDATE connections SET config = ? WHERE id = ?",
                        [.text(JSON.object(["databaseUrl": .string(legacy)]).serialized()), .text(id)])
                }

                try await withApp(.sqlite, location: location) { [id] client in
                    let connection = try await client.call(.get, "/v1/connections/\(id)").body
                    #expect(
                        connection["config"]?["databaseUrl"] == .string(customer.url.replacingOccurrences(of: "://", with: "://\(customer.role)@")))
                    #expect(connection["status"] == "CONNECTED")
                    let credentials = try await client.call(.get, "/v1/connections/\(id)/credentials").body
                    #expect(credentials["type"] == "basic")
                    let called = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: [:])
                    #expect(called.status == 200, "\(called.body)")
                    #expect(called.body["data"]?["rows"]?[0]?["role"] == .string(customer.role))
                }
                let rows = try await TestBackend.withDatabase(at: location) { [id] db, _ in
                    try await db.query("SELECT config FROM connections WHERE id = ?", [.text(id)])
                }
                #expect(rows.count == 1)
                #expect(!"\(rows)".contains(customer.password))
            }
        }
    }

    /// A password in the query of `databaseUrl` (`?user=...&password=...`) is refused at create like one in the user
    /// info, and one stored before is moved into the vault at start-up, the URL keeping its other parameters.
    @Test func aPasswordInTheDatabaseURLsQueryIsRefusedAndMovedIntoTheVault() async throws {
        try await Self.withCustomer { customer in
            try await TestBackend.sqlite.withFreshLocation { location in
                let made = Mutex("")
                let legacy = customer.url + "?user=\(customer.role)&password=\(customer.password)&sslmode=disable"
                try await withApp(.sqlite, location: location) { client in
                    #expect(try await client.call(.post, "/v1/definitions?publish=true", json: Self.definitionAllowing(urls: 300)).status == 201)
                    let refused = try await client.call(
                        .post, "/v1/connections", json: ["definitionKey": "ledger-db", "name": "ledger", "config": ["databaseUrl": .string(legacy)]])
                    #expect(refused.status == 422, "\(refused.body)")
                    #expect(refused.body["error"]?["code"] == "SECRET_IN_CONFIG")
                    #expect(!refused.body.serialized().contains(customer.password))
                    let created = try await client.call(
                        .post, "/v1/connections",
                        json: ["definitionKey": "ledger-db", "name": "ledger", "config": ["databaseUrl": .string(customer.url)]])
                    let id = try #require(created.body["id"]?.stringValue)
                    made.withLock { $0 = id }
                }
                let id = made.withLock { $0 }
                try await TestBackend.withDatabase(at: location) { [id] db, _ in
                    try await db.execute(
                        "UPDATE connections SET config = ? WHERE id = ?",
                        [.text(JSON.object(["databaseUrl": .string(legacy)]).serialized()), .text(id)])
                }
                try await withApp(.sqlite, location: location) { [id] client in
                    let connection = try await client.call(.get, "/v1/connections/\(id)").body
                    #expect(connection["config"]?["databaseUrl"] == .string(customer.url + "?user=\(customer.role)&sslmode=disable"))
                    let credentials = try await client.call(.get, "/v1/connections/\(id)/credentials").body
                    #expect(credentials["type"] == "basic")
                    let called = try await client.call(.post, "/v1/connections/\(id)/methods/whoami", json: [:])
                    #expect(called.status == 200, "\(called.body)")
                    #expect(called.body["data"]?["rows"]?[0]?["role"] == .string(customer.role))
                }
                let rows = try await TestBackend.withDatabase(at: location) { [id] db, _ in
                    try await db.query("SELECT config FROM connections WHERE id = ?", [.text(id)])
                }
                #expect(!"\(rows)".contains(customer.password))
            }
        }
    }
}
