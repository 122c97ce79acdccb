import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardSync

/// Records of a page that cannot be stored count as failed, and cost no other record: against the paged peer, on
/// SQLite and PostgreSQL.
@Suite struct SyncRecordFailureTests {
    /// Two 64-bit ids that are one double apart read as the same number: they used to become one record (the
    /// second overwriting the first); they fail, and the other records are stored.
    @Test(arguments: TestBackend.available)
    func numericIdsBeyondADoublesPrecisionFailInsteadOfMerging(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)]) { h in
            let engine = SyncEngine(
                database: h.engine.records.db, source: SnowflakeSource(inner: h.engine.source), catalog: h.engine.catalog, events: nil,
                clock: h.clock, logger: h.engine.logger, configuration: h.engine.configuration)
            let (run, _) = try await engine.start(connectionId: h.connectionId, syncName: "s")
            let (done, outcome) = try #require(try await engine.runNext(owner: "w"))
            #expect(done.id == run.id && outcome == .completed)
            #expect(done.counts.fetched == 300 && done.counts.failed == 2 && done.counts.created == 298, "\(done.json)")
            let stored = try await h.stored()
            #expect(stored.count == 298)
            #expect(stored["1"] == nil && stored["2"] == nil && stored[String(SnowflakeSource.ids[0])] == nil)
        }
    }

    /// A full refresh keeps a stored record whose mapping fails this time (it was seen upstream): it used to mark it
    /// deleted.
    @Test(arguments: TestBackend.available)
    func aFullRefreshDoesNotDeleteARecordItCouldNotMap(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("s", style: "cursor", pageSize: 100)
        sync["mapping"] = "version > 0 ? $error('cannot map a changed record') : $"
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [sync]) { h in
            let first = try await h.runToEnd("s")
            #expect(first.status == .completed && first.counts.created == 300, "\(first.json)")
            try await h.control(["modify": [5, 250], "delete": [7]])
            let second = try await h.runToEnd("s")
            #expect(second.status == .completed, "\(second.json)")
            #expect(second.counts.failed == 2 && second.counts.deleted == 1 && second.counts.unchanged == 297, "\(second.json)")
            let stored = try await h.stored()
            #expect(stored.count == 299 && stored["7"] == nil)
            #expect(stored["5"] == "name-5-v0" && stored["250"] == "name-250-v0")
        }
    }

    /// An incremental run does not move its cursor past a record that failed: the next run fetches it again, and once
    /// the mapping is corrected, imports it. The cursor used to become the highest value seen, failed records
    /// included, so the record was never fetched again. The failed record is neither the first nor the last of its
    /// page by `updated_at` (the page is in id order).
    @Test(arguments: TestBackend.available)
    func anIncrementalRunDoesNotMoveItsCursorPastARecordThatFailedAndImportsItOnceTheMappingIsFixed(_ backend: TestBackend) async throws {
        let broken = Self.incrementalCursorSync(mapping: "id = 250 and version > 0 ? $error('cannot map a changed record 250') : $")
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [broken]) { h in
            let first = try await h.runToEnd("s")
            #expect(first.status == .completed && first.counts.created == 300, "\(first.json)")
            #expect(try await h.savedCursor("s") == SyncHarness.stamp(300))

            // Record 250 changes first (tick 302), then 5 (303) and 7 (304); the page holds 5, 7, 250, 300 (at the cursor).
            try await h.control(["modify": [250, 5, 7]])
            let second = try await h.runToEnd("s")
            #expect(second.status == .completed, "\(second.json)")
            #expect(
                second.counts.fetched == 4 && second.counts.failed == 1 && second.counts.updated == 2 && second.counts.unchanged == 1,
                "\(second.json)")
            #expect(try await h.savedCursor("s") == SyncHarness.stamp(302))

            // Still failing: fetched again, and the cursor stays at it.
            let third = try await h.runToEnd("s")
            #expect(third.counts.fetched == 3 && third.counts.failed == 1 && third.counts.unchanged == 2, "\(third.json)")
            #expect(try await h.savedCursor("s") == SyncHarness.stamp(302))
            #expect(try await h.stored()["250"] == "name-250-v0")

            // The mapping is corrected: the next run imports the record, and the cursor moves on.
            try await h.redefine(syncs: [Self.incrementalCursorSync(mapping: "$")], version: "1.0.1")
            let fourth = try await h.runToEnd("s")
            #expect(fourth.status == .completed, "\(fourth.json)")
            #expect(
                fourth.counts.fetched == 3 && fourth.counts.failed == 0 && fourth.counts.updated == 1 && fourth.counts.unchanged == 2,
                "\(fourth.json)")
            #expect(try await h.stored() == (try await h.upstream()))
            #expect(try await h.savedCursor("s") == SyncHarness.stamp(304))
            let fifth = try await h.runToEnd("s")
            #expect(fifth.counts.fetched == 1 && fifth.counts.unchanged == 1, "\(fifth.json)")
        }
    }

    /// A run resumed from its checkpoint by another worker still holds its cursor at a record that failed on a page
    /// committed before the resumption (the lowest failed value travels in the checkpoint).
    @Test(arguments: TestBackend.available)
    func aResumedIncrementalRunStillHoldsItsCursorAtARecordThatFailedBeforeTheResumption(_ backend: TestBackend) async throws {
        let leaseMs: Int64 = 10_000
        let broken = Self.incrementalCursorSync(mapping: "id = 3 and version > 0 ? $error('cannot map a changed record 3') : $")
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [broken], leaseMs: leaseMs) { h in
            #expect(try await h.runToEnd("s").counts.created == 300)
            // Every record changes, in id order: record i at tick 301 + i, so record 3 (the one failing) at 304.
            try await h.control(["modify": .array((1...300).map { .number(Double($0)) })])

            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let fetched = Box(0)
            let dying = h.countingEngine(fetched)
            let claimedByA = try #require(try await dying.runs.claim(owner: "A", now: h.clock.now(), leaseMs: leaseMs))
            #expect(try await dying.runClaimed(claimedByA, owner: "A", shouldStop: { fetched.value.withLock { $0 } >= 2 }) == .stopped)
            let afterCrash = try #require(try await h.engine.runs.get(id: run.id))
            #expect(afterCrash.counts.pages >= 1 && afterCrash.counts.pages < 3 && afterCrash.counts.failed == 1, "\(afterCrash.json)")
            #expect(afterCrash.checkpoint.map(SyncCheckpoint.init(json:))?.lowestFailed == SyncHarness.stamp(304))

            h.clock.advance(milliseconds: leaseMs + 1)
            let (done, outcome) = try #require(try await h.engine.runNext(owner: "B"))
            #expect(done.id == run.id && outcome == .completed && done.claims == 2, "\(done.json)")
            #expect(done.counts.fetched == 300 && done.counts.failed == 1 && done.counts.updated == 299, "\(done.json)")
            #expect(try await h.savedCursor("s") == SyncHarness.stamp(304))

            try await h.redefine(syncs: [Self.incrementalCursorSync(mapping: "$")], version: "1.0.1")
            let after = try await h.runToEnd("s")
            #expect(after.status == .completed && after.counts.updated == 1 && after.counts.failed == 0, "\(after.json)")
            #expect(try await h.stored()["3"] == "name-3-v1")
            #expect(try await h.stored() == (try await h.upstream()))
            #expect(try await h.savedCursor("s") == SyncHarness.stamp(601))
        }
    }

    /// Within a page the records are in any order: the highest cursor value seen and the lowest one of a failed record
    /// (mapping failed, or no id) are found wherever they stand, and travel in the checkpoint.
    @Test func theNextCursorIsTheHighestValueSeenButNotPastTheLowestFailedRecordInAnyOrder() async throws {
        let sync = try Self.incrementalSync(mapping: "bad ? $error('bad record') : $")
        var after = SyncCheckpoint()
        after.since = "2026-01-02"
        let page = await SyncEngine.prepare(
            sync, connectionId: "c", after: after,
            source: StaticPageSource(records: [
                ["id": 1, "updated_at": "2026-01-05"],
                ["id": 2, "updated_at": "2026-01-09"],
                ["id": 3, "updated_at": "2026-01-04", "bad": true],
                ["updated_at": "2026-01-03"],
                ["id": 5, "updated_at": "2026-01-08", "bad": true],
            ]))
        #expect(page.error == nil && page.delta.failed == 3 && page.inputs.count == 2)
        #expect(page.checkpoint.maxSeen == "2026-01-09")
        #expect(page.checkpoint.lowestFailed == "2026-01-03")
        #expect(page.checkpoint.nextSince == "2026-01-03")
        #expect(SyncCheckpoint(json: page.checkpoint.json) == page.checkpoint)

        // The next page's failures can only lower it.
        let next = await SyncEngine.prepare(
            sync, connectionId: "c", after: page.checkpoint,
            source: StaticPageSource(records: [["id": 6, "updated_at": "2026-01-10", "bad": true], ["id": 7, "updated_at": "2026-01-11"]]))
        #expect(next.checkpoint.maxSeen == "2026-01-11" && next.checkpoint.nextSince == "2026-01-03")

        // Without failures the cursor moves to the highest value seen.
        let clean = await SyncEngine.prepare(
            sync, connectionId: "c", after: after,
            source: StaticPageSource(records: [["id": 1, "updated_at": "2026-01-05"], ["id": 2, "updated_at": "2026-01-04"]]))
        #expect(clean.checkpoint.nextSince == "2026-01-05")
    }

    /// A failed record without a cursor value: nothing tells where it sits, so the cursor stays where the run started.
    @Test func aFailedRecordWithoutACursorValueKeepsTheCursorWhereTheRunStarted() async throws {
        let sync = try Self.incrementalSync(mapping: "bad ? $error('bad record') : $")
        var after = SyncCheckpoint()
        after.since = "2026-01-02"
        let page = await SyncEngine.prepare(
            sync, connectionId: "c", after: after,
            source: StaticPageSource(records: [
                ["id": 1, "updated_at": "2026-01-05"], ["id": 2, "bad": true], ["id": 3, "updated_at": "2026-01-09"],
            ]))
        #expect(page.delta.failed == 1 && page.checkpoint.failedWithoutCursor)
        #expect(page.checkpoint.nextSince == "2026-01-02")
        #expect(SyncCheckpoint(json: page.checkpoint.json).failedWithoutCursor)
    }

    /// A run tells which records failed and why, each with its page, its index in the page and its external id (none
    /// when the id is what failed): an id missing, an id a double cannot hold, a mapping that throws, a mapping whose
    /// result is undefined. Pages 1 and 2 are a first import's (`commitNewRecords`), page 3 the last (a transaction);
    /// `sync.completed` carries them too. The run used to tell only `counts.failed`.
    @Test(arguments: TestBackend.available)
    func aRunShowsWhichRecordsFailedWhereAndWhy(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("s", style: "cursor", pageSize: 100)
        sync["mapping"] = "id = 250 ? $error('cannot map record 250') : id = 260 ? nothing : $"
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [sync]) { h in
            let engine = SyncEngine(
                database: h.engine.records.db,
                source: ReshapedSource(inner: SnowflakeSource(inner: h.engine.source)) { record in
                    var record = record
                    if record["id"]?.intValue == 150 { record["id"] = nil }
                    return record
                },
                catalog: h.engine.catalog, events: h.services.eventBus, clock: h.clock, logger: h.engine.logger,
                configuration: h.engine.configuration)
            let events = h.services.eventBus.subscribe()
            let (run, _) = try await engine.start(connectionId: h.connectionId, syncName: "s")
            let (done, outcome) = try #require(try await engine.runNext(owner: "w"))
            #expect(done.id == run.id && outcome == .completed)
            #expect(done.counts.fetched == 300 && done.counts.failed == 5 && done.counts.created == 295, "\(done.json)")

            #expect(
                done.failures.map(\.code) == ["RECORD_ID_INVALID", "RECORD_ID_INVALID", "RECORD_ID_MISSING", "MAPPING_FAILED", "MAPPING_UNDEFINED"])
            #expect(done.failures.map(\.externalId) == [nil, nil, nil, "250", "260"])
            #expect(done.failures.map(\.page) == [1, 1, 2, 3, 3])
            #expect(done.failures.map(\.index) == [0, 1, 49, 49, 59])
            let messages = done.failures.map(\.message)
            try #require(messages.count == 5)
            #expect(messages[0].hasPrefix("the id at 'id' (9") && messages[0].contains("a number beyond 2^53 - 1"), "\(messages[0])")
            #expect(messages[2] == "the record has no id at 'id'")
            #expect(messages[3].contains("D3137") && messages[3].contains("cannot map record 250"), "\(messages[3])")
            #expect(messages[4].contains("undefined"), "\(messages[4])")
            #expect(done.json["failures"]?.arrayValue?.count == 5)
            let missing = try #require(done.json["failures"]?.arrayValue?[2])
            #expect(missing["externalId"] == .null && missing["page"] == 2 && missing["index"] == 49 && missing["code"] == "RECORD_ID_MISSING")

            h.services.eventBus.emit("test.end", connectionId: nil, payload: [:])
            var completed: [JSON] = []
            for await e in events {
                if e.type == "test.end" { break }
                if e.type == "sync.completed" { completed.append(e.payload["failures"] ?? .null) }
            }
            #expect(completed == [done.json["failures"] ?? .null])
        }
    }

    /// A run keeps its first `SyncRecordFailure.keptPerRun` failures, in page order, and counts them all; each run keeps
    /// its own (the second run upserts: its pages go through a transaction, not a first import's statement).
    @Test(arguments: TestBackend.available)
    func aRunKeepsItsFirstFailuresAndCountsThemAll(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("s", style: "cursor", pageSize: 100)
        sync["mapping"] = "id % 8 = 0 ? $error('cannot map record ' & $string(id)) : $"
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [sync]) { h in
            let first = try await h.runToEnd("s")
            #expect(first.status == .completed && first.counts.failed == 37 && first.counts.created == 263, "\(first.json)")
            #expect(first.failures == Self.everyEighthFailure.prefix(SyncRecordFailure.keptPerRun).map { $0 }, "\(first.json)")
            #expect(first.failures.count == 20 && first.failures.last?.externalId == "160")

            let second = try await h.runToEnd("s")
            #expect(second.status == .completed && second.counts.failed == 37 && second.counts.unchanged == 263, "\(second.json)")
            #expect(second.failures == first.failures)
            #expect(try await h.engine.runs.get(id: first.id)?.failures == first.failures)
        }
    }

    /// A run resumed by another worker keeps the failures of the pages committed before (each noted once, although
    /// the pages the first worker fetched ahead are fetched again) and keeps no more than its first ones in all.
    @Test(arguments: TestBackend.available)
    func aResumedRunKeepsTheFailuresOfItsEarlierPagesOnce(_ backend: TestBackend) async throws {
        let leaseMs: Int64 = 10_000
        var sync = SyncHarness.sync("s", style: "cursor", pageSize: 100)
        sync["mapping"] = "id % 8 = 0 ? $error('cannot map record ' & $string(id)) : $"
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [sync], leaseMs: leaseMs) { h in
            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let fetched = Box(0)
            let dying = h.countingEngine(fetched)
            let claimedByA = try #require(try await dying.runs.claim(owner: "A", now: h.clock.now(), leaseMs: leaseMs))
            #expect(try await dying.runClaimed(claimedByA, owner: "A", shouldStop: { fetched.value.withLock { $0 } >= 2 }) == .stopped)
            let afterCrash = try #require(try await h.engine.runs.get(id: run.id))
            let committed = afterCrash.counts.pages
            #expect(committed >= 1 && committed < 3, "\(afterCrash.json)")
            let before = Self.everyEighthFailure.filter { $0.page <= committed }.prefix(SyncRecordFailure.keptPerRun).map { $0 }
            #expect(afterCrash.failures == before && afterCrash.counts.failed == before.count + (committed == 2 ? 5 : 0), "\(afterCrash.json)")

            h.clock.advance(milliseconds: leaseMs + 1)
            let (done, outcome) = try #require(try await h.engine.runNext(owner: "B"))
            #expect(done.id == run.id && outcome == .completed && done.claims == 2, "\(done.json)")
            #expect(done.counts.fetched == 300 && done.counts.failed == 37, "\(done.json)")
            #expect(done.failures == Self.everyEighthFailure.prefix(SyncRecordFailure.keptPerRun).map { $0 }, "\(done.json)")
        }
    }

    /// A run cancelled part way tells in `sync.cancelled` which records of its committed pages failed, as
    /// `sync.completed` and `sync.failed` do; the event used to carry only the counts.
    @Test(arguments: TestBackend.available)
    func aCancelledRunsEventCarriesTheFailuresOfItsCommittedPages(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("s", style: "cursor", pageSize: 100)
        sync["mapping"] = "id % 8 = 0 ? $error('cannot map record ' & $string(id)) : $"
        try await SyncHarness.with(backend, records: 300, pageSize: 100, syncs: [sync]) { h in
            let events = h.services.eventBus.subscribe()
            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let fetched = Box(0)
            let counting = h.countingEngine(fetched)
            let claimed = try #require(try await counting.runs.claim(owner: "w", now: h.clock.now(), leaseMs: 30_000))
            // Stopped after its first page(s), then cancelled and given back: the cancel ends it.
            #expect(try await counting.runClaimed(claimed, owner: "w", shouldStop: { fetched.value.withLock { $0 } >= 2 }) == .stopped)
            _ = try await h.engine.cancel(runId: run.id)
            try await h.engine.release(runId: run.id, owner: "w")
            let ended = try #require(try await h.engine.runs.get(id: run.id))
            #expect(ended.status == .cancelled && ended.counts.pages >= 1, "\(ended.json)")
            let expected = Self.everyEighthFailure.filter { $0.page <= ended.counts.pages }.map(\.json)

            h.services.eventBus.emit("test.end", connectionId: nil, payload: [:])
            var cancelled: [JSON] = []
            for await e in events {
                if e.type == "test.end" { break }
                if e.type == "sync.cancelled" { cancelled.append(e.payload["failures"] ?? .null) }
            }
            #expect(cancelled == [.array(expected)])
            #expect(!expected.isEmpty)
        }
    }

    /// The failures of the mapping `id % 8 = 0 ? $error(...) : $` over the peer's 300 records in pages of 100 (ids in
    /// order), all 37 of them; the message has the JSONata error's code, message and position in the mapping.
    static let everyEighthFailure: [SyncRecordFailure] = stride(from: 8, through: 300, by: 8).map { id in
        SyncRecordFailure(
            externalId: String(id), page: (id - 1) / 100 + 1, index: (id - 1) % 100, code: "MAPPING_FAILED",
            message: "the mapping failed: D3137: cannot map record \(id) (at 20)")
    }

    /// The harness's incremental cursor sync "s" in pages of 100, with `mapping`.
    static func incrementalCursorSync(mapping: String) -> JSON {
        var sync = SyncHarness.sync("s", style: "cursor", mode: "incremental", pageSize: 100)
        sync["mapping"] = .string(mapping)
        return sync
    }

    static func incrementalSync(mapping: String) throws -> SyncDefinition {
        let (sync, problems) = SyncDefinition.decode(
            [
                "name": "s", "entityType": "contact", "sourceMethod": "list", "recordsPath": "data", "mode": "incremental",
                "pagination": ["type": "none"], "incremental": ["cursorField": "updated_at", "param": "updated_since"], "mapping": .string(mapping),
            ], path: "")
        #expect(problems.isEmpty, "\(problems)")
        return try #require(sync)
    }
}

/// Answers every page with `records` under `data` (no upstream, no signature: the parameters tell the request).
struct StaticPageSource: SyncPageSource {
    let records: [JSON]

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        SyncPageResult(data: ["data": .array(records)], error: nil, attempts: 1)
    }
}

/// Gives the peer's records 1 and 2 the ids 2^53 + 1 and 2^53, as their JSON text would read (the same double).
struct SnowflakeSource: SyncPageSource {
    let inner: any SyncPageSource
    static let ids: [UInt64] = [9_007_199_254_740_993, 9_007_199_254_740_992]

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        var r = await inner.fetchPage(connectionId: connectionId, method: method, params: params)
        guard case .object(var page)? = r.data, case .array(var items)? = page["data"] else { return r }
        for (i, item) in items.enumerated() {
            guard case .object(var o) = item, let id = o["id"]?.intValue, id == 1 || id == 2 else { continue }
            o["id"] = try? JSON(parsing: Array(String(Self.ids[id - 1]).utf8))
            items[i] = .object(o)
        }
        page["data"] = .array(items)
        r.data = .object(page)
        return r
    }
}

/// Passes every record of `inner`'s pages (under `data`) through `reshape`: to take a record's id away, say.
struct ReshapedSource: SyncPageSource {
    let inner: any SyncPageSource
    let reshape: @Sendable (JSONObject) -> JSONObject

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        var r = await inner.fetchPage(connectionId: connectionId, method: method, params: params)
        guard case .object(var page)? = r.data, case .array(let items)? = page["data"] else { return r }
        page["data"] = .array(
            items.map { item in
                guard case .object(let o) = item else { return item }
                return .object(reshape(o))
            })
        r.data = .object(page)
        return r
    }
}
