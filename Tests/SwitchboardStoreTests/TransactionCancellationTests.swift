import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// A task cancelled inside a transaction rolls it back and leaves the database usable (SQLite has one connection:
/// a transaction left open on it would make every later BEGIN fail).
@Suite struct TransactionCancellationTests {
    @Test(arguments: TestBackend.available)
    func aTaskCancelledInsideATransactionRollsItBackAndTheNextTransactionWorks(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            try await db.execute("CREATE TABLE cancel_probe (id INTEGER PRIMARY KEY)")
            let entered = AsyncStream<Void>.makeStream()
            let task = Task {
                try await db.transaction { tx in
                    try await tx.execute("INSERT INTO cancel_probe (id) VALUES (1)")
                    entered.continuation.yield()
                    try await Task.sleep(for: .seconds(60))
                }
            }
            for await _ in entered.stream { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }

            try await db.transaction { tx in try await tx.execute("INSERT INTO cancel_probe (id) VALUES (2)") }
            let ids = try await db.query("SELECT id FROM cancel_probe ORDER BY id", []).compactMap { $0.int("id") }
            #expect(ids == [2])
        }
    }
}
