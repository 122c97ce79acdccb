import Foundation
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
        // A database file opened as the SQL adapter opens a method's (its calls can be interrupted), on its own thread.
        let dir = NSTemporaryDirectory() + "switchboard-test-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let created = try await SQLiteDatabase.open(path: dir + "/methods.sqlite", logger: logger)
        try await created.close()
        let methods = try await SQLiteDatabase.openExisting(
            path: dir + "/methods.sqlite", readOnly: true, logger: logger, thread: WorkerThreads(name: "sb-test-sql", threads: 1))
        // The store on a thread of its own too, as the process's shared store thread also runs other tests' stores.
        let store = try await SQLiteDatabase.open(path: ":memory:", logger: logger, thread: WorkerThreads(name: "sb-test-store", threads: 1))
        let slowDone = Flag()
        // A recursive count to 10^12: it runs until it is cancelled (interrupted), whatever the machine's load. (A
        // count to 5 million finished first once under the whole suite, while the store's answers queued behind the
        // other tests' work on the cooperative pool.)
        let slow = Task {
            defer { slowDone.set() }
            return try await methods.query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) SELECT count(*) AS n FROM c", [])
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(slowDone.isSet == false, "the slow query should be running")
        // The store answers while the other database's query runs. Bounded: on a shared thread the store would wait
        // for the slow query, which ends only when it is cancelled below.
        let answer = await withTaskGroup(of: (id: Int64?, slowRunning: Bool)?.self) { group in
            group.addTask {
                try? await store.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
                try? await store.transaction { tx in try await tx.execute("INSERT INTO t (id) VALUES (1)") }
                let id = try? await store.query("SELECT id FROM t", []).first?.int("id")
                return (id, !slowDone.isSet)
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(120))
                return nil
            }
            let first = await group.next() ?? nil
            slow.cancel()
            group.cancelAll()
            return first
        }
        #expect(answer != nil, "the store did not answer within 120 s while the other database's query ran")
        #expect(answer?.id == 1)
        #expect(answer?.slowRunning == true, "the store answered only after the slow query had ended")
        // The slow query was interrupted, not completed.
        slow.cancel()
        await #expect(throws: (any Error).self) { _ = try await slow.value }
    }
}

/// A flag several tasks share.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
