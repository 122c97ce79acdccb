import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardSync

@Suite struct SyncRecordStoreTests {
    func input(_ id: String, _ data: JSON) -> SyncRecordInput {
        SyncRecordInput(externalId: id, data: data, contentHash: ContentHash.of(data))
    }

    func upsert(_ repo: SQLSyncRecordRepository, _ records: [SyncRecordInput], at ms: Int64) async throws -> SyncUpsertCounts {
        try await repo.db.transaction { tx in
            try await repo.upsert(records, connectionId: "conn_a", entityType: "contact", now: Timestamp(millisecondsSinceEpoch: ms), in: tx)
        }
    }

    @Test func contentHashIgnoresMemberOrder() {
        let a: JSON = ["a": 1, "b": ["x": true, "y": nil]]
        let b: JSON = ["b": ["y": nil, "x": true], "a": 1]
        #expect(ContentHash.of(a) == ContentHash.of(b))
        #expect(ContentHash.of(a) != ContentHash.of(["a": 2, "b": ["x": true, "y": nil]]))
        #expect(ContentHash.of(a).count == 64)
    }

    @Test(arguments: TestBackend.available)
    func upsertCreatesUpdatesAndLeavesUnchangedRecordsAlone(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let repo = SQLSyncRecordRepository(db: db)
            let first = try await upsert(repo, (0..<2500).map { input("r\($0)", ["n": .number(Double($0))]) }, at: 1000)
            #expect(first == SyncUpsertCounts(created: 2500))

            // r1 changes, r2 is listed twice (the last one counts), the rest are unchanged, r9999 is new.
            let second = try await upsert(
                repo,
                [input("r1", ["n": 1, "changed": true]), input("r2", ["n": 0]), input("r2", ["n": 2]), input("r3", ["n": 3]), input("r9999", ["n": 9999])],
                at: 2000)
            #expect(second == SyncUpsertCounts(created: 1, updated: 1, unchanged: 2))

            let r1 = try #require(try await repo.get(connectionId: "conn_a", entityType: "contact", externalId: "r1"))
            #expect(r1.data == ["n": 1, "changed": true])
            #expect(r1.createdAt.millisecondsSinceEpoch == 1000 && r1.updatedAt.millisecondsSinceEpoch == 2000)
            let r3 = try #require(try await repo.get(connectionId: "conn_a", entityType: "contact", externalId: "r3"))
            #expect(r3.updatedAt.millisecondsSinceEpoch == 1000)
            #expect(try await repo.count(connectionId: "conn_a", entityType: "contact") == (2501, 0))
            // Another connection's records are separate.
            let other = try await repo.db.transaction { tx in
                try await repo.upsert([input("r1", ["n": 1])], connectionId: "conn_b", entityType: "contact", now: Timestamp(millisecondsSinceEpoch: 1), in: tx)
            }
            #expect(other == SyncUpsertCounts(created: 1))
        }
    }

    @Test(arguments: TestBackend.available)
    func readersPageThroughChangesIncludingDeletions(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let repo = SQLSyncRecordRepository(db: db)
            _ = try await upsert(repo, (0..<10).map { input("r\($0)", ["n": .number(Double($0))]) }, at: 1000)

            var all: [SyncRecord] = []
            var cursor: Cursor?
            repeat {
                let page = try await repo.list(connectionId: "conn_a", entityType: "contact", cursor: cursor, limit: 3)
                all += page.items
                cursor = try page.nextCursor.map { try Cursor(decoding: $0) }
            } while cursor != nil
            #expect(all.map(\.externalId) == (0..<10).map { "r\($0)" })
            let seen = try #require(all.last?.modifiedSeq)

            _ = try await upsert(repo, [input("r4", ["n": 44]), input("r5", ["n": 5])], at: 2000)
            let deleted = try await db.transaction { tx in
                try await repo.markDeleted(externalIds: ["r7", "nope"], connectionId: "conn_a", entityType: "contact", now: Timestamp(millisecondsSinceEpoch: 3000), in: tx)
            }
            #expect(deleted == 1)

            let changes = try await repo.list(connectionId: "conn_a", entityType: "contact", modifiedAfter: seen)
            #expect(changes.items.map(\.externalId) == ["r4", "r7"])
            #expect(changes.items.map(\.isDeleted) == [false, true])
            #expect(changes.items[1].json["deleted"] == .bool(true))
            #expect(try await repo.count(connectionId: "conn_a", entityType: "contact") == (9, 1))

            // A deleted record that comes back is live again, and counts as updated.
            let back = try await upsert(repo, [input("r7", ["n": 7])], at: 4000)
            #expect(back == SyncUpsertCounts(updated: 1))
            #expect(try await repo.get(connectionId: "conn_a", entityType: "contact", externalId: "r7")?.isDeleted == false)
        }
    }
}
