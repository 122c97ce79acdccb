import JSONValue
import Logging
import SwitchboardCore
@testable import SwitchboardStore
import SwitchboardTestSupport
import Testing
import _ConnectionPoolModule

@Suite struct MigrationTests {
    @Test(arguments: TestBackend.available)
    func runningTwiceIsANoOp(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            // withDatabase migrated once already.
            let again = try await Migrator().migrate(db, logger: Logger(label: "test"))
            #expect(again.isEmpty)
            let rows = try await db.query("SELECT version FROM schema_migrations ORDER BY version", [])
            // Applied in version order, whatever the order of declaration.
            #expect(rows.compactMap { $0.int("version") } == SchemaMigrations.all.map { Int64($0.version) }.sorted())
            #expect(Set(SchemaMigrations.all.map(\.version)).count == SchemaMigrations.all.count, "migration versions are unique")
        }
    }
}

@Suite struct TransactionTests {
    @Test(arguments: TestBackend.available)
    func aFailedTransactionLeavesNothing(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.transaction { tx in
                    try await tx.execute(
                        "INSERT INTO definitions (key, current_version, status, name, type, popular, search_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [.text("k"), .text("1.0.0"), .text("DRAFT"), .text("n"), .text("rest_api"), .int(0), .text("k"), .int(0)])
                    throw Boom()
                }
            }
            let rows = try await db.query("SELECT key FROM definitions", [])
            #expect(rows.isEmpty)
        }
    }

    /// PostgreSQL's pool, after failing to connect for a while, fails every request at once with its own error (the
    /// circuit breaker): it is "unavailable", which the API answers 503, and no longer an unknown error answered 500.
    @Test func thePoolGivingUpIsUnavailable() {
        let failure = PostgresDatabase.transactionFailure(ConnectionPoolError.connectionCreationCircuitBreakerTripped)
        #expect((failure as? DatabaseError)?.kind == .unavailable, "\(failure)")
        #expect((failure as? DatabaseError)?.switchboardError?.status == 503)
        struct Boom: Error {}
        #expect(PostgresDatabase.transactionFailure(Boom()) is Boom)
    }

    @Test(arguments: TestBackend.available)
    func valuesRoundTrip(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            try await db.execute("CREATE TABLE roundtrip (i BIGINT, d DOUBLE PRECISION, t TEXT, n TEXT)")
            try await db.execute("INSERT INTO roundtrip VALUES (?, ?, ?, ?)", [.int(Int64.max), .double(0.1), .text("é ' ? x"), .null])
            let row = try #require(try await db.first("SELECT i, d, t, n FROM roundtrip"))
            #expect(row.int("i") == Int64.max)
            #expect(row.double("d") == 0.1)
            #expect(row.text("t") == "é ' ? x")
            #expect(row["n"] == .null)
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentTransactionsSerializeCorrectly(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            try await db.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)")
            try await db.execute("INSERT INTO counter VALUES (1, 0)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await db.transaction { tx in
                            let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
                            let n = try await tx.first("SELECT n FROM counter WHERE id = 1" + lock)?.int("n") ?? -1
                            try await tx.execute("UPDATE counter SET n = ? WHERE id = 1", [.int(n + 1)])
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await db.first("SELECT n FROM counter WHERE id = 1")?.int("n") == 20)
        }
    }
}

@Suite struct ConnectionRepositoryTests {
    @Test(arguments: TestBackend.available)
    func staleVersionUpdatesNothing(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let store = Store(database: db)
            let def = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(["key": "k", "name": "K", "version": "1.0.0"])
            _ = try await store.definitions.create(def)
            let now = Timestamp(millisecondsSinceEpoch: 1000)
            let c = Connection(
                id: Identifier.make(prefix: "conn_"), name: "a", definitionKey: "k", definitionVersion: def.version, status: .connected,
                config: [:], metadata: [:], createdAt: now, updatedAt: now)
            _ = try await store.connections.create(c)
            var changed = c
            changed.name = "b"
            let v2 = try await store.connections.update(changed, expectedVersion: 1)
            #expect(v2.version == 2)
            changed.name = "lost"
            await #expect(throws: SwitchboardError.self) { try await store.connections.update(changed, expectedVersion: 1) }
            let stored = try await store.connections.get(id: c.id)
            #expect(stored?.name == "b")
            // A connection must name an existing definition version.
            var orphan = c
            orphan.id = Identifier.make(prefix: "conn_")
            orphan.definitionVersion = SemanticVersion("9.0.0")!
            await #expect(throws: SwitchboardError.self) { try await store.connections.create(orphan) }
        }
    }
}
