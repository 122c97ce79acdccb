import Foundation
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// What the SQL adapter keeps a method from: a result larger than the method's response limit, and Switchboard's own
/// database (its SQLite file, anything in its data directory, the PostgreSQL database of its store).
@Suite struct SQLAdapterLimitsTests {
    /// `:n` rows of about 50 bytes each as JSON.
    static let rows =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT x, 'row-padding-padding-padding' AS p FROM c"

    static let definition: JSON = [
        "key": "rows-db", "name": "Rows", "version": "1.0.0", "type": "database",
        "configSchema": ["type": "object", "properties": ["databaseUrl": ["type": "string"], "sqlitePath": ["type": "string"]]],
        "methods": [
            // Reading 10 MiB of rows in a debug build on a loaded machine can outlast the default 30 s timeout: the
            // call must end on the size limit, not on the clock.
            ["name": "rows", "sql": ["query": .string(rows)], "timeoutMs": .number(Double(endlessTimeoutMs))],
            ["name": "rowsCapped", "sql": ["query": .string(rows)], "options": ["maxResponseBytes": 1000]],
            ["name": "count", "sql": ["query": "SELECT count(*) AS n FROM items"]],
            // PostgreSQL only: rows that keep coming until the statement is stopped (a set-returning function in the
            // select list streams its rows; in FROM it would compute them all first).
            [
                "name": "endless", "sql": ["query": .string(endless)], "options": ["maxResponseBytes": 1000],
                "timeoutMs": .number(Double(endlessTimeoutMs)),
            ],
            // A write whose RETURNING rows are over the limit.
            [
                "name": "addMany", "options": ["maxResponseBytes": 1000],
                "sql": ["query": "INSERT INTO items SELECT generate_series(101, 5100), 'added', 0 RETURNING id, name, qty", "readOnly": false],
            ],
        ],
    ]

    static let endless = "SELECT generate_series(1, 1000000000000) AS x, 'row-padding-padding-padding' AS p"
    /// Far longer than a cancel takes, however loaded the machine: a call answered by the timeout was not cancelled.
    static let endlessTimeoutMs = 120_000

    /// Publishes the definition and creates a connection with `config`; returns the creation's answer.
    static func createConnection(_ client: any TestClientProtocol, _ config: JSON) async throws -> (status: Int, body: JSON) {
        let r = try await client.call(.post, "/v1/connections", json: ["definitionKey": "rows-db", "name": "rows", "config": config])
        return (r.status, r.body)
    }

    static func publish(_ client: any TestClientProtocol) async throws {
        let published = try await client.call(.post, "/v1/definitions?publish=true", json: definition)
        #expect(published.status == 201, "\(published.body)")
    }

    static func call(_ client: any TestClientProtocol, _ id: String, _ method: String, _ params: JSON) async throws -> (status: Int, body: JSON) {
        let r = try await client.call(.post, "/v1/connections/\(id)/methods/\(method)", json: params)
        return (r.status, r.body)
    }

    @Test(arguments: TestBackend.available)
    func aResultOverTheResponseLimitStopsBeingRead(_ backend: TestBackend) async throws {
        try await SQLAdapterGuaranteeTests.withCustomerDatabase(backend) { config, _ in
            try await withApp(backend) { client in
                try await Self.publish(client)
                let created = try await Self.createConnection(client, config)
                #expect(created.status == 201, "\(created.body)")
                let id = created.body["id"]!.stringValue!

                let small = try await Self.call(client, id, "rowsCapped", ["n": 5])
                #expect(small.status == 200, "\(small.body)")
                #expect(small.body["data"]?["rowCount"] == 5)
                #expect(small.body["data"]?["rows"]?[4] == ["x": 5, "p": "row-padding-padding-padding"])

                // The method's own limit: 5,000 rows are about 250 KB.
                let capped = try await Self.call(client, id, "rowsCapped", ["n": 5000])
                #expect(capped.status == 502, "\(capped.body)")
                #expect(capped.body["error"]?["code"] == "RESPONSE_TOO_LARGE", "\(capped.body)")
                #expect(capped.body["error"]?["message"]?.stringValue?.contains("1000 bytes") == true, "\(capped.body)")

                // The default limit, 10 MiB: 400,000 rows are about 20 MB.
                let big = try await Self.call(client, id, "rows", ["n": 400_000])
                #expect(big.status == 502, "\(big.body)")
                #expect(big.body["error"]?["code"] == "RESPONSE_TOO_LARGE", "\(big.body)")
                #expect(big.body["error"]?["message"]?.stringValue?.contains("\(10 << 20) bytes") == true, "\(big.body)")

                // The shared connection serves the next calls.
                #expect(try await Self.call(client, id, "count", [:]).body["data"]?["rows"] == [["n": 2]])
                let after = try await Self.call(client, id, "rows", ["n": 3])
                #expect(after.body["data"]?["rowCount"] == 3, "\(after.body)")
            }
        }
    }

    /// PostgreSQL: a read-only statement whose rows went over the limit is cancelled on the server before the call
    /// answers (it used to run on, its rows read and dropped, until its end or its timeout, and the call answered only
    /// then), and the pooled connection it ran on serves the next calls. A write over the limit keeps its change.
    @Test func aPostgreSQLResultOverTheLimitIsCancelledOnTheServer() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        try await SQLAdapterGuaranteeTests.withCustomerDatabase(.postgres) { config, _ in
            try await withApp(.postgres) { client in
                try await Self.publish(client)
                let created = try await Self.createConnection(client, config)
                #expect(created.status == 201, "\(created.body)")
                let id = created.body["id"]!.stringValue!
                for method in ["endless", "endless"] {
                    let r = try await Self.call(client, id, method, [:])
                    #expect(r.status == 502, "\(method): \(r.body)")
                    #expect(r.body["error"]?["code"] == "RESPONSE_TOO_LARGE", "\(method): \(r.body)")
                    let running = try await Self.customerQuery(
                        config,
                        """
                        SELECT count(*) AS n FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%generate_series(1, 1000000000000)%'
                        """)
                    #expect(running.first?.int("n") == 0, "\(method)")
                    #expect(try await Self.call(client, id, "count", [:]).body["data"]?["rows"] == [["n": 2]])
                }
                // A read-write statement is not cancelled: a write over the limit has made its whole change.
                let added = try await Self.call(client, id, "addMany", [:])
                #expect(added.body["error"]?["code"] == "RESPONSE_TOO_LARGE", "\(added.body)")
                #expect(try await Self.call(client, id, "count", [:]).body["data"]?["rows"] == [["n": 5002]])
            }
        }
    }

    /// Runs `sql` on the customer's PostgreSQL database, outside the app.
    static func customerQuery(_ config: JSON, _ sql: String) async throws -> [SQLRow] {
        let db = try PostgresDatabase(url: config["databaseUrl"]!.stringValue!, logger: Logger(label: "test"), maximumConnections: 1)
        return try await withThrowingTaskGroup(of: [SQLRow]?.self) { group in
            group.addTask {
                await db.run()
                return nil
            }
            let rows = try await db.query(sql, [])
            group.cancelAll()
            return rows
        }
    }

    @Test func aSQLiteConnectionCannotOpenSwitchboardsOwnDatabase() async throws {
        try await TestBackend.sqlite.withFreshLocation { location in
            guard case .sqlite(let dataDirectory) = location else { return }
            try await SQLAdapterGuaranteeTests.withCustomerDatabase(.sqlite) { customer, directory in
                try await withApp(.sqlite, location: location) { client in
                    try await Self.publish(client)
                    let store = dataDirectory + "/switchboard.sqlite"
                    let name = URL(fileURLWithPath: dataDirectory).lastPathComponent
                    let hardLink = directory + "/hard-link.db"
                    try FileManager.default.linkItem(atPath: store, toPath: hardLink)
                    let refused = [
                        store, store + "-wal", store + "-shm", store + "-journal", dataDirectory + "/keys/master-1.key",
                        dataDirectory + "/../" + name + "/./switchboard.sqlite", hardLink,
                    ]
                    for path in refused {
                        let r = try await Self.createConnection(client, ["sqlitePath": .string(path)])
                        #expect(r.status == 422, "\(path): \(r.body)")
                        #expect(r.body["error"]?["code"] == "VALIDATION_ERROR", "\(path): \(r.body)")
                        #expect(r.body["error"]?["details"]?[0]?["path"] == "/config/sqlitePath", "\(path): \(r.body)")
                    }

                    // A link made after the connection was written is refused when it is called.
                    let path = customer["sqlitePath"]!.stringValue!
                    let created = try await Self.createConnection(client, customer)
                    #expect(created.status == 201, "\(created.body)")
                    let id = created.body["id"]!.stringValue!
                    #expect(try await Self.call(client, id, "count", [:]).body["data"]?["rows"] == [["n": 2]])
                    try FileManager.default.removeItem(atPath: path)
                    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: store)
                    let r = try await Self.call(client, id, "count", [:])
                    #expect(r.status == 409, "\(r.body)")
                    #expect(r.body["error"]?["code"] == "CONNECTION_TARGET_REFUSED", "\(r.body)")
                    // Changing the config to it is refused as well.
                    let patched = try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["sqlitePath": .string(path)]])
                    #expect(patched.status == 422, "\(patched.body)")
                }
            }
        }
    }

    @Test func aPostgreSQLConnectionCannotQuerySwitchboardsOwnDatabase() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        try await TestBackend.postgres.withFreshLocation { location in
            guard case .postgres(let url) = location else { return }
            try await withApp(.postgres, location: location) { client in
                try await Self.publish(client)
                // The same database however the URL is written: another user, the loopback by address, the port spelled out.
                var variants = [url, url + "?sslmode=disable", url.replacingOccurrences(of: "://postgres@", with: "://someone@")]
                if url.contains("127.0.0.1") { variants.append(url.replacingOccurrences(of: "127.0.0.1", with: "localhost")) }
                for variant in variants {
                    let r = try await Self.createConnection(client, ["databaseUrl": .string(variant)])
                    #expect(r.status == 422, "\(r.body)")
                    #expect(r.body["error"]?["code"] == "VALIDATION_ERROR", "\(r.body)")
                    #expect(r.body["error"]?["details"]?[0]?["path"] == "/config/databaseUrl", "\(r.body)")
                }
                // With a password it is refused for the password first (a secret in config), not quoted back.
                let withPassword = url.replacingOccurrences(of: "://postgres@", with: "://someone:secret@")
                let r = try await Self.createConnection(client, ["databaseUrl": .string(withPassword)])
                #expect(r.status == 422, "\(r.body)")
                #expect(r.body["error"]?["code"] == "SECRET_IN_CONFIG", "\(r.body)")
                #expect(r.body.serialized().contains("secret\"") == false && r.body.serialized().contains(":secret") == false)
                // Another database on the same server is fine.
                let other = PostgresDatabase.url(url, database: "postgres")
                #expect(try await Self.createConnection(client, ["databaseUrl": .string(other)]).status == 201)
            }
        }
    }
}
