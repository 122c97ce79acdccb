import JSONValue
import Logging
import SwitchboardCore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardStore

@Suite struct SyncRecordSQLTests {
    /// A list parameter reaches the database whole: on PostgreSQL as a text[] (unnest), on SQLite as JSON text
    /// (json_each); quotes, backslashes, commas, braces and non-ASCII text survive.
    @Test(arguments: TestBackend.available)
    func aTextListBindsAsOneParameter(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let values = ["plain", "with \"quotes\"", "back\\slash", "a,b", "{braces}", "é ü 日本", "", "NULL"]
            let sql =
                db.dialect == .postgres
                ? "SELECT v, n FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS r(v, n) ORDER BY n"
                : "SELECT value AS v, key AS n FROM json_each(?) ORDER BY key"
            let rows = try await db.query(sql, [.textArray(values)])
            #expect(rows.compactMap { $0.text("v") } == values)
        }
    }

    static func inputs(_ range: ClosedRange<Int>, version: Int = 1) -> [SyncRecordInput] {
        range.map { i in
            let data: JSON = ["id": .string(String(i)), "name": .string("record \(i) v\(version)")]
            return SyncRecordInput(externalId: String(i), text: data.serialized(), contentHash: "h\(i)-\(version)")
        }
    }

    @Test(arguments: TestBackend.available)
    func upsertCountsCreatedUpdatedUnchangedAndOnlyNewRefusesAStoredRecord(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let repo = SQLSyncRecordRepository(db: db)
            let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
            let created = try await db.transaction { tx in
                try await repo.upsert(Self.inputs(1...1500), connectionId: "c", entityType: "e", now: now, onlyNew: true, in: tx)
            }
            #expect(created == SyncUpsertCounts(created: 1500))
            #expect(try await repo.isEmpty(connectionId: "c", entityType: "e") == false)
            #expect(try await repo.isEmpty(connectionId: "c", entityType: "other"))

            // A batch claimed to be new that holds a stored record fails whole, and leaves nothing.
            await #expect(throws: DatabaseError.self) {
                _ = try await db.transaction { tx in
                    try await repo.upsert(Self.inputs(1400...1600), connectionId: "c", entityType: "e", now: now, onlyNew: true, in: tx)
                }
            }
            #expect(try await repo.count(connectionId: "c", entityType: "e").live == 1500)

            // Records 1..1000 unchanged, 1001..1500 changed, 1501..2000 new.
            let mixed = Self.inputs(1...1000) + Self.inputs(1001...1500, version: 2) + Self.inputs(1501...2000)
            let counts = try await db.transaction { tx in
                try await repo.upsert(mixed, connectionId: "c", entityType: "e", now: now, collectUnchanged: true, in: tx)
            }
            #expect(counts.created == 500 && counts.updated == 500 && counts.unchanged == 1000)
            #expect(Set(counts.unchangedIds) == Set((1...1000).map(String.init)))
            #expect(try await repo.get(connectionId: "c", entityType: "e", externalId: "1200")?.data["name"] == "record 1200 v2")

            // Deleted records are marked with one statement per chunk, each with its own sequence number.
            let before = try await repo.currentSequence()
            let marked = try await db.transaction { tx in
                try await repo.markDeleted(
                    externalIds: (1...1200).map(String.init) + ["no-such-id"], connectionId: "c", entityType: "e", now: now, in: tx)
            }
            #expect(marked == 1200)
            #expect(try await repo.count(connectionId: "c", entityType: "e") == (live: 800, deleted: 1200))
            let seqs = try await db.query(
                "SELECT modified_seq FROM sync_records WHERE connection_id = 'c' AND entity_type = 'e' AND deleted_at IS NOT NULL", [])
            #expect(Set(seqs.compactMap { $0.int("modified_seq") }) == Set((before + 1)...(before + 1200)))
            // A deleted record that comes back is replaced and live again.
            let back = try await db.transaction { tx in
                try await repo.upsert(Self.inputs(5...5), connectionId: "c", entityType: "e", now: now, in: tx)
            }
            #expect(back.updated == 1)
            #expect(try await repo.get(connectionId: "c", entityType: "e", externalId: "5")?.isDeleted == false)
        }
    }

    /// Without statistics (a new table, or a connection's first large sync), PostgreSQL could plan the lookup of a
    /// page's records by external id as a walk through every record of the entity (the modified_seq index's leading
    /// columns match connection and entity type): each page then costs O(records so far). The lookups must use the
    /// primary key, and the listing by modified_seq its own index.
    @Test func recordLookupsUseThePrimaryKeyOnPostgreSQLWithoutStatistics() async throws {
        guard let backend = TestBackend.available.first(where: { $0 == .postgres }) else { return }
        try await backend.withDatabase { db, _ in
            let repo = SQLSyncRecordRepository(db: db)
            try await db.transaction { tx in
                _ = try await repo.upsert(Self.inputs(1...20_000), connectionId: "c", entityType: "e", now: Timestamp(millisecondsSinceEpoch: 0), in: tx)
            }
            func plan(_ sql: String, _ binds: [SQLValue]) async throws -> String {
                try await db.query("EXPLAIN " + sql, binds).compactMap { $0.text("QUERY PLAN") }.joined(separator: "\n")
            }
            let lookup = try await plan(SQLSyncRecordRepository.storedPostgres, [.textArray((19_001...20_000).map(String.init)), .text("c"), .text("e")])
            #expect(lookup.contains("sync_records_pkey"), "\(lookup)")
            #expect(!lookup.contains("sync_records_modified"), "\(lookup)")
            let listing = try await plan(SQLSyncRecordRepository.listSQL(includeDeleted: true), [.text("c"), .text("e"), .int(100), .int(101)])
            #expect(listing.contains("sync_records_modified"), "\(listing)")
        }
    }

    /// A first import's page and the run's checkpoint are stored together (on PostgreSQL in one statement) or not
    /// at all: a run held by another worker, or a record that is stored already, leaves records, sequence counter
    /// and checkpoint as they were.
    @Test(arguments: TestBackend.available)
    func aPageOfNewRecordsAndItsCheckpointAreStoredTogetherOrNotAtAll(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let records = SQLSyncRecordRepository(db: db)
            let runs = SQLSyncRunRepository(db: db)
            let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
            _ = try await runs.enqueue(connectionId: "c", syncName: "s", entityType: "e", mode: "full_refresh", trigger: "api", now: now)
            let run = try #require(try await runs.claim(owner: "w1", now: now, leaseMs: 30_000))
            var delta = SyncRun.Counts()
            delta.fetched = 1001
            delta.pages = 1

            // Record 7 listed twice: stored once, with its last data.
            let page = Self.inputs(1...1000) + [Self.inputs(7...7, version: 2)[0]]
            let first = try await runs.commitNewRecords(
                page, connectionId: "c", entityType: "e", runId: run.id, owner: "w1", checkpoint: ["offset": 1000], delta: delta, now: now,
                leaseMs: 30_000)
            #expect(first.created == 1000 && first.cancelRequested == false)
            #expect(try await records.count(connectionId: "c", entityType: "e").live == 1000)
            #expect(try await records.get(connectionId: "c", entityType: "e", externalId: "7")?.data["name"] == "record 7 v2")
            #expect(try await records.currentSequence() == 1000)
            let afterFirst = try #require(try await runs.get(id: run.id))
            #expect(afterFirst.checkpoint == ["offset": 1000])
            #expect(afterFirst.counts.created == 1000 && afterFirst.counts.fetched == 1001 && afterFirst.counts.pages == 1)

            // Another worker's commit stores nothing.
            await #expect(throws: LeaseLost.self) {
                _ = try await runs.commitNewRecords(
                    Self.inputs(1001...2000), connectionId: "c", entityType: "e", runId: run.id, owner: "w2", checkpoint: ["offset": 2000],
                    delta: delta, now: now, leaseMs: 30_000)
            }
            // A page holding a stored record fails whole.
            await #expect(throws: DatabaseError.self) {
                _ = try await runs.commitNewRecords(
                    Self.inputs(1001...1999) + Self.inputs(3...3), connectionId: "c", entityType: "e", runId: run.id, owner: "w1",
                    checkpoint: ["offset": 2000], delta: delta, now: now, leaseMs: 30_000)
            }
            #expect(try await records.count(connectionId: "c", entityType: "e").live == 1000)
            #expect(try await records.currentSequence() == 1000)
            #expect(try await runs.get(id: run.id)?.checkpoint == ["offset": 1000])
            #expect(try await runs.get(id: run.id)?.counts == afterFirst.counts)

            // The next page goes on from there, and reports a cancel requested meanwhile.
            _ = try await runs.requestCancel(id: run.id, now: now)
            let second = try await runs.commitNewRecords(
                Self.inputs(1001...2000), connectionId: "c", entityType: "e", runId: run.id, owner: "w1", checkpoint: ["offset": 2000],
                delta: delta, now: now, leaseMs: 30_000)
            #expect(second.created == 1000 && second.cancelRequested)
            #expect(try await records.count(connectionId: "c", entityType: "e").live == 2000)
            #expect(try await records.currentSequence() == 2000)
            #expect(try await runs.get(id: run.id)?.counts.created == 2000)
        }
    }

    /// A batch made ahead of its commit (as a sync prepares its next pages) takes its sequence numbers when it commits,
    /// in its records' order and across SQLite's statement chunks; a commit that failed leaves it usable, and the
    /// records carry the batch's time while the run carries the commit's.
    @Test(arguments: TestBackend.available)
    func aBatchMadeAheadIsNumberedWhenItCommits(_ backend: TestBackend) async throws {
        try await backend.withDatabase { db, _ in
            let records = SQLSyncRecordRepository(db: db)
            let runs = SQLSyncRunRepository(db: db)
            let made = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
            let committed = Timestamp(millisecondsSinceEpoch: 1_700_000_000_250)
            _ = try await runs.enqueue(connectionId: "c", syncName: "s", entityType: "e", mode: "full_refresh", trigger: "api", now: made)
            let run = try #require(try await runs.claim(owner: "w1", now: made, leaseMs: 30_000))

            // 2,500 records (three SQLite statements of at most 1,000 rows), one of them twice: 2,500 unique.
            let batch = NewRecordsBatch(
                Self.inputs(1...2500) + [Self.inputs(42...42, version: 2)[0]], connectionId: "c", entityType: "e", now: made, dialect: db.dialect)
            #expect(batch.records.count == 2500)

            // A failed commit (another worker's) stores nothing; meanwhile other records take sequence numbers 1-10.
            await #expect(throws: LeaseLost.self) {
                _ = try await runs.commitNewRecords(
                    batch, runId: run.id, owner: "w2", checkpoint: ["offset": 2500], delta: SyncRun.Counts(), now: committed, leaseMs: 30_000)
            }
            _ = try await db.transaction { tx in
                try await records.upsert(Self.inputs(9001...9010), connectionId: "c", entityType: "other", now: made, in: tx)
            }
            #expect(try await records.currentSequence() == 10)

            let result = try await runs.commitNewRecords(
                batch, runId: run.id, owner: "w1", checkpoint: ["offset": 2500], delta: SyncRun.Counts(), now: committed, leaseMs: 30_000)
            #expect(result.created == 2500)
            #expect(try await records.currentSequence() == 2510)
            for id in [1, 42, 1000, 1001, 2000, 2001, 2500] {
                let r = try #require(try await records.get(connectionId: "c", entityType: "e", externalId: String(id)))
                #expect(r.modifiedSeq == Int64(10 + id), "record \(id)")
                #expect(r.createdAt == made && r.updatedAt == made)
            }
            #expect(try await records.get(connectionId: "c", entityType: "e", externalId: "42")?.data["name"] == "record 42 v2")
            let stored = try #require(try await runs.get(id: run.id))
            #expect(stored.counts.created == 2500 && stored.checkpoint == ["offset": 2500])
            #expect(stored.updatedAt == committed)
        }
    }
}
