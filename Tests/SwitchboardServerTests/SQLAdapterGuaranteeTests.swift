import Foundation
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// What the SQL adapter promises a customer's database: read-only methods only read, one statement per method, the
/// timeout stops the statement, `rowCount` counts changed rows, and a SQLite file is used as it is (never created,
/// its journal mode kept). Against a plain SQLite file and a real PostgreSQL database.
@Suite struct SQLAdapterGuaranteeTests {
    /// The customer's `items` table.
    static let setup = [
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)",
        "INSERT INTO items VALUES (1, 'bolt', 10), (2, 'nut', 5)",
    ]

    /// What `slowCount` and `slowWrite` compute, on each engine: uninterrupted it runs for minutes (SQLite: three
    /// billion steps of a recursive CTE, about ten minutes here; PostgreSQL: a ten-minute sleep), so a call that
    /// answers within `interruptedWithin` was interrupted, however loaded the machine.
    static func slowValue(postgres: Bool) -> String {
        postgres
            ? "(SELECT 7 FROM pg_sleep(600))"
            : "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000000) SELECT count(*) FROM c)"
    }

    /// A bound far above the slow methods' 300 ms timeout and far below their uninterrupted run time: not a measure of
    /// speed, only of whether the statement was stopped.
    static let interruptedWithin = Duration.seconds(30)

    /// A definition whose methods write files only under `directory` (the SQLite-only ones); `postgres` picks the
    /// slow methods' statements.
    static func definition(_ directory: String, postgres: Bool = false) -> JSON {
        func method(_ name: String, _ query: String, readOnly: Bool = true) -> JSON {
            var sql: JSON = ["query": .string(query)]
            if !readOnly { sql["readOnly"] = false }
            return ["name": .string(name), "sql": sql]
        }
        var slow: JSON = method("slowCount", "SELECT \(slowValue(postgres: postgres)) AS n")
        slow["timeoutMs"] = 300
        var slowWrite: JSON = method("slowWrite", "UPDATE items SET qty = \(slowValue(postgres: postgres))", readOnly: false)
        slowWrite["timeoutMs"] = 300
        return [
            "key": "shop-db", "name": "Shop database", "version": "1.0.0", "type": "database", "healthCheck": "count",
            "configSchema": ["type": "object", "properties": ["databaseUrl": ["type": "string"], "sqlitePath": ["type": "string"]]],
            "methods": [
                method("count", "SELECT count(*) AS n FROM items"),
                method("countWithComments", "SELECT count(*) AS n FROM items; -- how many\n/* that is all */ ;"),
                method("quantities", "SELECT id, qty FROM items ORDER BY id"),
                method("none", "SELECT id FROM items WHERE id < 0"),
                method("setQty", "UPDATE items SET qty = :qty WHERE id = :id", readOnly: false),
                method("bumpAll", "UPDATE items SET qty = qty + 1", readOnly: false),
                method("addItem", "INSERT INTO items (id, name, qty) VALUES (:id, :name, 0)", readOnly: false),
                method("removeItem", "DELETE FROM items WHERE id = :id", readOnly: false),
                method("createTable", "CREATE TABLE extra (a INTEGER)", readOnly: false),
                method("missingTable", "SELECT * FROM nowhere"),
                // Refused on both engines.
                method("write", "UPDATE items SET qty = 0"),
                method("createTemp", "CREATE TEMP TABLE scratch (a INTEGER)"),
                // SQLite statements, refused.
                method("attach", "ATTACH DATABASE '\(directory)/attached.db' AS x"),
                method("attachWritable", "ATTACH DATABASE '\(directory)/attached.db' AS x", readOnly: false),
                method("vacuumInto", "VACUUM INTO '\(directory)/copy.db'"),
                method("vacuumIntoWritable", "VACUUM INTO '\(directory)/copy.db'", readOnly: false),
                method("vacuumWritable", "/* tidy up */ vacuum", readOnly: false),
                slow, slowWrite,
            ],
        ]
    }

    /// Runs `body` with a customer's database holding `items` as another program would leave it, the connection
    /// config naming it, and a scratch directory. SQLite: a plain file in the default rollback-journal mode (not
    /// WAL); PostgreSQL: a fresh database.
    static func withCustomerDatabase(_ backend: TestBackend, _ body: (_ config: JSON, _ directory: String) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "switchboard-customer-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        switch backend {
        case .sqlite:
            let path = directory + "/customer.db"
            // An empty file is an empty database; nothing here sets a journal mode.
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let db = try await openWritable(path)
            for statement in setup { try await db.execute(statement) }
            try await db.close()
            #expect(journalMode(path) == .rollback)
            try await body(["sqlitePath": .string(path)], directory)
        case .postgres:
            try await backend.withFreshLocation { location in
                guard case .postgres(let url) = location else { return }
                try await TestBackend.withDatabase(at: location) { db, _ in
                    for statement in setup { try await db.execute(statement) }
                }
                try await body(["databaseUrl": .string(url)], directory)
            }
        }
    }

    static func openWritable(_ path: String) async throws -> SQLiteDatabase {
        try await SQLiteDatabase.openExisting(path: path, readOnly: false, logger: Logger(label: "test"), thread: SQLiteDatabase.storeThread)
    }

    enum JournalMode { case rollback, wal, unknown }

    /// The journal mode a SQLite file is in, from its header (bytes 18 and 19: 1 rollback journal, 2 WAL).
    static func journalMode(_ path: String) -> JournalMode {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 20 else { return .unknown }
        switch (data[18], data[19]) {
        case (1, 1): return .rollback
        case (2, 2): return .wal
        default: return .unknown
        }
    }

    /// Publishes the definition, creates a connection with `config` and returns a caller of its methods.
    static func connect(
        _ client: any TestClientProtocol, _ config: JSON, directory: String
    ) async throws -> @Sendable (String, JSON) async throws -> (status: Int, body: JSON) {
        try await connection(client, config, directory: directory).call
    }

    /// Publishes the definition, creates a connection with `config` and returns its id and a caller of its methods.
    static func connection(
        _ client: any TestClientProtocol, _ config: JSON, directory: String
    ) async throws -> (id: String, call: @Sendable (String, JSON) async throws -> (status: Int, body: JSON)) {
        let document = definition(directory, postgres: config["databaseUrl"] != nil)
        let published = try await client.call(.post, "/v1/definitions?publish=true", json: document)
        #expect(published.status == 201, "\(published.body)")
        let created = try await client.call(.post, "/v1/connections", json: ["definitionKey": "shop-db", "name": "shop", "config": config])
        let id = created.body["id"]!.stringValue!
        return (
            id,
            { method, params in
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/\(method)", json: params)
                return (r.status, r.body)
            }
        )
    }

    @Test func readOnlyMethodsReadAPlainSQLiteFileAndLeaveItAsItIs() async throws {
        try await Self.withCustomerDatabase(.sqlite) { config, directory in
            let path = config["sqlitePath"]!.stringValue!
            try await withApp(.sqlite) { client in
                let (id, call) = try await Self.connection(client, config, directory: directory)
                // The first call on the file is read-only: before, it failed (PRAGMA journal_mode=WAL on a read-only file).
                let counted = try await call("count", [:])
                #expect(counted.status == 200, "\(counted.body)")
                #expect(counted.body["data"] == ["rows": [["n": 2]], "rowCount": 1])
                let tested = try await client.call(.post, "/v1/connections/\(id)/test")
                #expect(tested.body["success"] == true, "\(tested.body)")
                let updated = try await call("setQty", ["id": 1, "qty": 3])
                #expect(updated.body["data"]?["rowCount"] == 1, "\(updated.body)")
                #expect(try await call("quantities", [:]).body["data"]?["rows"] == [["id": 1, "qty": 3], ["id": 2, "qty": 5]])
            }
            #expect(Self.journalMode(path) == .rollback)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test func aMissingSQLiteFileIsAnErrorNotANewFile() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-missing-" + UUID().uuidString.lowercased()
        let path = directory + "/nothing-here.db"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withApp(.sqlite) { client in
            let call = try await Self.connect(client, ["sqlitePath": .string(path)], directory: directory)
            for method in ["count", "setQty"] {
                let r = try await call(method, ["id": 1, "qty": 1])
                #expect(r.status == 502)
                #expect(r.body["error"]?["code"] == "UPSTREAM_UNAVAILABLE")
                #expect(r.body["error"]?["message"]?.stringValue?.contains("\(path): the file does not exist") == true, "\(r.body)")
            }
            let notADatabase = directory + "/notes.txt"
            #expect(FileManager.default.createFile(atPath: notADatabase, contents: Data(repeating: 65, count: 4096)))
            let other = try await client.call(
                .post, "/v1/connections", json: ["definitionKey": "shop-db", "name": "notes", "config": ["sqlitePath": .string(notADatabase)]])
            let r = try await client.call(.post, "/v1/connections/\(other.body["id"]!.stringValue!)/methods/count", json: [:])
            #expect(r.body["error"]?["code"] == "UPSTREAM_UNAVAILABLE")
            #expect(r.body["error"]?["message"]?.stringValue?.contains("file is not a database") == true, "\(r.body)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(arguments: TestBackend.available)
    func readOnlyMethodsOnlyRead(_ backend: TestBackend) async throws {
        try await Self.withCustomerDatabase(backend) { config, directory in
            try await withApp(backend) { client in
                let call = try await Self.connect(client, config, directory: directory)
                // A query holding no statement is refused when the definition is written.
                for blank in ["  ", "-- nothing here\n/* nor here */;"] {
                    let d: JSON = [
                        "key": "blank-db", "name": "Blank", "version": "1.0.0", "type": "database",
                        "methods": [["name": "empty", "sql": ["query": .string(blank)]]],
                    ]
                    let r = try await client.call(.post, "/v1/definitions", json: d)
                    #expect(r.status == 422, "\(r.body)")
                    #expect(r.body["error"]?["details"]?[0]?["path"] == "/methods/0/sql/query", "\(r.body)")
                }
                var refusals = [
                    ("write", "the call is read-only"), ("createTemp", "the call is read-only"),
                ]
                if backend == .sqlite {
                    refusals += [
                        ("attach", "ATTACH"), ("attachWritable", "ATTACH"),
                        // VACUUM rewrites the whole file, and VACUUM INTO writes a file wherever it names: refused on
                        // any method (a read-write one answered 502 "authorization denied", from the ATTACH inside).
                        ("vacuumInto", "VACUUM"), ("vacuumIntoWritable", "VACUUM"), ("vacuumWritable", "VACUUM"),
                    ]
                }
                for (method, reason) in refusals {
                    let r = try await call(method, [:])
                    #expect(r.status == 409, "\(method): \(r.body)")
                    #expect(r.body["error"]?["code"] == "DEFINITION_ERROR", "\(method): \(r.body)")
                    #expect(r.body["error"]?["message"]?.stringValue?.contains(reason) == true, "\(method): \(r.body)")
                }
                // Nothing was written, and the shared connection is not left attached or inside a transaction.
                #expect(try await call("quantities", [:]).body["data"]?["rows"] == [["id": 1, "qty": 10], ["id": 2, "qty": 5]])
                #expect(try await call("setQty", ["id": 2, "qty": 6]).body["data"]?["rowCount"] == 1)
                for file in ["attached.db", "copy.db"] { #expect(!FileManager.default.fileExists(atPath: directory + "/" + file)) }

                let commented = try await call("countWithComments", [:])
                #expect(commented.status == 200, "\(commented.body)")
                #expect(commented.body["data"]?["rows"] == [["n": 2]])
                // A failing statement is the database's answer: UPSTREAM_ERROR, its message said once.
                let failed = try await call("missingTable", [:])
                #expect(failed.status == 502)
                #expect(failed.body["error"]?["code"] == "UPSTREAM_ERROR")
                if backend == .sqlite {
                    #expect(failed.body["error"]?["message"] == "the statement failed: SQLite: SQL logic error: no such table: nowhere")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func rowCountIsTheRowsAWriteChanged(_ backend: TestBackend) async throws {
        try await Self.withCustomerDatabase(backend) { config, directory in
            try await withApp(backend) { client in
                let call = try await Self.connect(client, config, directory: directory)
                let expected: [(String, JSON, Int)] = [
                    ("setQty", ["id": 1, "qty": 4], 1), ("setQty", ["id": 99, "qty": 4], 0), ("bumpAll", [:], 2),
                    // A query after a write counts its own rows, and so does a statement that changes no rows.
                    ("none", [:], 0), ("createTable", [:], 0), ("addItem", ["id": 3, "name": "washer"], 1), ("removeItem", ["id": 2], 1),
                    ("quantities", [:], 2),
                ]
                for (method, params, count) in expected {
                    let r = try await call(method, params)
                    #expect(r.status == 200, "\(method): \(r.body)")
                    #expect(r.body["data"]?["rowCount"] == .number(Double(count)), "\(method): \(r.body)")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theTimeoutStopsTheStatement(_ backend: TestBackend) async throws {
        try await Self.withCustomerDatabase(backend) { config, directory in
            try await withApp(backend) { client in
                let call = try await Self.connect(client, config, directory: directory)
                _ = try await call("count", [:])  // the database opened
                // Uninterrupted, the slow statement runs for minutes; a call behind it on the shared SQLite connection
                // would wait as long. Both answering within the bound shows it was stopped, and did not hold up the other.
                let clock = ContinuousClock()
                let start = clock.now
                async let slow = call("slowCount", [:])
                async let other = call("count", [:])
                let (slowAnswer, otherAnswer) = try await (slow, other)
                #expect(clock.now - start < Self.interruptedWithin, "\(clock.now - start)")
                #expect(slowAnswer.body["error"]?["code"] == "ATTEMPT_TIMEOUT", "\(slowAnswer.body)")
                #expect(otherAnswer.body["data"]?["rows"] == [["n": 2]], "\(otherAnswer.body)")
                // PostgreSQL: the server stopped it too; no backend is still running it.
                #expect(try await Self.runningSlowStatements(config) == 0)
                // The shared connection serves the next call.
                #expect(try await call("count", [:]).body["data"]?["rows"] == [["n": 2]])
                // A write is stopped the same way, and changes nothing.
                let writeStart = clock.now
                let write = try await call("slowWrite", [:])
                #expect(clock.now - writeStart < Self.interruptedWithin, "\(clock.now - writeStart)")
                #expect(write.body["error"]?["code"] == "ATTEMPT_TIMEOUT", "\(write.body)")
                #expect(try await Self.runningSlowStatements(config) == 0)
                #expect(try await call("quantities", [:]).body["data"]?["rows"] == [["id": 1, "qty": 10], ["id": 2, "qty": 5]])
                #expect(try await call("setQty", ["id": 1, "qty": 11]).body["data"]?["rowCount"] == 1)
            }
        }
    }

    /// PostgreSQL: how many backends of the customer's database are running a slow method's statement now (0 for SQLite,
    /// whose statements run in this process).
    static func runningSlowStatements(_ config: JSON) async throws -> Int {
        guard let url = config["databaseUrl"]?.stringValue else { return 0 }
        let db = try PostgresDatabase(url: url, logger: Logger(label: "test"), maximumConnections: 1)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                await db.run()
                return 0
            }
            let rows = try await db.query(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%pg_sleep(600)%'
                """, [])
            group.cancelAll()
            return Int(rows.first?.int("n") ?? -1)
        }
    }

    @Test func sqliteErrorsSayTheirMessageOnce() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-ro-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ro.db"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let writer = try await Self.openWritable(path)
        try await writer.execute("CREATE TABLE t (a INTEGER)")
        try await writer.close()
        // The store's open switches to WAL, which a read-only file refuses: the message used to be said twice.
        do {
            let db = try await SQLiteDatabase.open(path: "file:\(path)?mode=ro", logger: Logger(label: "test"))
            try await db.close()
            Issue.record("a read-only file was switched to WAL")
        } catch let error as DatabaseError {
            #expect(error.message == "SQLite: attempt to write a readonly database")
        }
    }
}
