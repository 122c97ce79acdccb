import JSONValue
import SwitchboardCore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardStore

@Suite struct ExecutionLogInsertTests {
    @Test func chunksCoverTheBatchWithAFewFixedStatements() {
        let insert = ChunkedInsert("INSERT INTO t (a, b) VALUES ", columns: 2, suffix: "")
        #expect(insert.chunks(0).isEmpty)
        for count in 1...300 {
            let chunks = insert.chunks(count)
            #expect(chunks.first?.range.lowerBound == 0)
            #expect(chunks.last?.range.upperBound == count)
            for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.range.upperBound == b.range.lowerBound) }
            for c in chunks { #expect(c.sql.filter { $0 == "?" }.count == c.range.count * 2) }
        }
        // Whatever the batch size, only the three statements of 64, 8 and 1 rows are ever used.
        let used = Set((1...300).flatMap { insert.chunks($0).map(\.sql) })
        #expect(used.count == 3)
        #expect(insert.chunks(137).map(\.range.count) == [64, 64, 8, 1])
    }

    @Test(arguments: TestBackend.available)
    func aBatchOfOddSizeIsWrittenWhole(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let at = Timestamp(millisecondsSinceEpoch: 1_764_950_000_000)
            let ids = (0..<75).map { "exec_\(1000 + $0)" }
            let records = ids.map {
                ExecutionRecord(
                    id: $0, connectionId: "conn_a", definitionKey: "fast", definitionVersion: "1.0.0", method: "get", status: .success, attempts: 1,
                    durationMs: 0.5, createdAt: at)
            }
            try await SQLExecutionRepository(db: db).insert(records)
            let events = ids.map {
                Event(
                    id: "evt_" + $0, type: "integration.method.executed", connectionId: "conn_a", payload: ["executionId": .string($0)], createdAt: at
                )
            }
            try await SQLEventRepository(db: db).insert(events)
            // Written again (a retried batch): nothing doubles.
            try await SQLExecutionRepository(db: db).insert(Array(records.prefix(9)))
            let stored = try await db.query("SELECT id FROM executions ORDER BY id", []).compactMap { $0.text("id") }
            #expect(stored == ids)
            let storedEvents = try await db.query("SELECT id, payload FROM events ORDER BY id", [])
            #expect(storedEvents.compactMap { $0.text("id") } == ids.map { "evt_" + $0 })
            #expect(storedEvents.last?.json("payload") == ["executionId": "exec_1074"])
        }
    }
}
