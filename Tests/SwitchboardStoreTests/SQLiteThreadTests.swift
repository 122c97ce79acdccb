import Logging
import Synchronization
import SwitchboardCore
import Testing

@testable import SwitchboardStore

/// SQLite's C API blocks the thread it runs on: a database opened on threads of its own (the SQL adapter's, for the
/// queries of methods) must not hold up one on the store's thread while it runs a slow query.
@Suite struct SQLiteThreadTests {
    @Test func aSlowQueryOnOtherThreadsDoesNotHoldUpTheStoresDatabase() async throws {
        let logger = Logger(label: "test")
        let methods = try await SQLiteDatabase.open(path: ":memory:", logger: logger, thread: WorkerThreads(name: "sb-test-sql", threads: 1))
        // A store thread of its own: the shared `storeThread` also runs every other test's store, and under the whole
        // suite's load its queue could outlast the slow query (CI failed so once) without anything being held up.
        let store = try await SQLiteDatabase.open(path: ":memory:", logger: logger, thread: WorkerThreads(name: "sb-test-store", threads: 1))
        let slowDone = Atomic<Bool>(false)
        let slow = Task {
            // Seconds of work in one statement (a recursive count to 5 million).
            let rows = try await methods.query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT count(*) AS n FROM c", [])
            slowDone.store(true, ordering: .sequentiallyConsistent)
            return rows.first?.int("n")
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(slowDone.load(ordering: .sequentiallyConsistent) == false, "the slow query should still be running")
        try await store.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        try await store.transaction { tx in try await tx.execute("INSERT INTO t (id) VALUES (1)") }
        #expect(try await store.query("SELECT id FROM t", []).first?.int("id") == 1)
        // The store answered while the other database's query was still running.
        #expect(slowDone.load(ordering: .sequentiallyConsistent) == false)
        #expect(try await slow.value == 5_000_000)
    }
}
