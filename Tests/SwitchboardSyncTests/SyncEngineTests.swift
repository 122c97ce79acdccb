import JSONValue
import Synchronization
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardSync

/// Syncs against the paged peer through the real method executor, on SQLite and PostgreSQL.
@Suite struct SyncEngineTests {
    static let styles = ["cursor", "offset", "page", "next_url", "link_header"]
    /// The size: 100,000 upstream records, every pagination style.
    static let n = 100_000

    @Test(arguments: TestBackend.available)
    func fullRefreshInEveryPaginationStyleGivesExactlyTheUpstreamSetAndDetectsDeletions(_ backend: TestBackend) async throws {
        let n = Self.n
        let syncs = Self.styles.map { SyncHarness.sync("full_\($0)", style: $0, pageSize: 1000) }
        try await SyncHarness.with(backend, records: n, pageSize: 1000, syncs: syncs) { h in
            for style in Self.styles {
                try await h.control(["reset": .number(Double(n))])
                let run = try await h.runToEnd("full_\(style)")
                #expect(run.status == .completed, "\(style): \(run.json)")
                #expect(run.counts.fetched == n, "\(style)")
                #expect(try await h.stored() == (try await h.upstream()), "\(style)")
            }
            // Changes upstream: a full refresh updates, creates and marks deleted exactly what changed.
            try await h.control(["modify": [5, 6, 7], "delete": [10, 11], "add": 4])
            let run = try await h.runToEnd("full_cursor")
            #expect(run.status == .completed)
            #expect(run.counts.created == 4 && run.counts.updated == 3 && run.counts.deleted == 2, "\(run.json)")
            #expect(run.counts.unchanged == n - 2 - 3)
            #expect(try await h.stored() == (try await h.upstream()))
            let gone = try await h.engine.records.get(connectionId: h.connectionId, entityType: "contact", externalId: "10")
            #expect(gone?.isDeleted == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func aSecondIncrementalRunFetchesOnlyWhatChanged(_ backend: TestBackend) async throws {
        let n = Self.n
        let syncs = Self.styles.map { SyncHarness.sync("inc_\($0)", style: $0, mode: "incremental", pageSize: 1000) }
        try await SyncHarness.with(backend, records: n, pageSize: 1000, syncs: syncs) { h in
            for style in Self.styles {
                try await h.control(["reset": .number(Double(n))])
                let first = try await h.runToEnd("inc_\(style)")
                #expect(first.status == .completed)
                #expect(first.counts.fetched == n && first.counts.created == n)
                #expect(try await h.stored() == (try await h.upstream()))

                try await h.control(["modify": [1, .number(Double(n / 2)), .number(Double(n - 1))], "add": 7])
                let second = try await h.runToEnd("inc_\(style)")
                // The changed and new records, plus the one at the previous run's cursor (updated_since is inclusive).
                #expect(second.counts.fetched == 11, "\(style): \(second.json)")
                #expect(second.counts.created == 7 && second.counts.updated == 3 && second.counts.unchanged == 1)
                #expect(try await h.stored() == (try await h.upstream()))
                #expect(try await h.engine.records.count(connectionId: h.connectionId, entityType: "contact") == (n + 7, 0))
                try await h.engine.records.db.execute("DELETE FROM sync_records")
                try await h.engine.records.db.execute("DELETE FROM sync_states")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func intermittent503sAnd429sSlowTheRunButItCompletesWithRetriesCounted(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 3000, syncs: [SyncHarness.sync("s", style: "offset", pageSize: 250)]) { h in
            try await h.control(["fail": ["every": 3, "statuses": [503, 429], "retryAfter": "0"]])
            let run = try await h.runToEnd("s")
            #expect(run.status == .completed, "\(run.json)")
            let failures = try #require(try await h.stats()["failures"]?.intValue)
            #expect(failures > 0)
            #expect(run.counts.retries == failures)
            #expect(run.counts.pages == 13)
            #expect(try await h.stored() == (try await h.upstream()))
        }
    }

    /// An upstream may answer an empty page that still points to a next one (Slack does, filtering on its side): the
    /// run goes on past it; it used to end there, completed, without the records after it.
    @Test(arguments: TestBackend.available)
    func anEmptyPageWithANextPointerIsNotTheEnd(_ backend: TestBackend) async throws {
        let styles = ["cursor", "next_url", "link_header"]
        let syncs = styles.map { SyncHarness.sync("s_\($0)", style: $0, pageSize: 100) }
        try await SyncHarness.with(backend, records: 1000, pageSize: 100, syncs: syncs) { h in
            for style in styles {
                try await h.control(["reset": 1000, "emptyEvery": 3])
                let run = try await h.runToEnd("s_\(style)")
                #expect(run.status == .completed, "\(style): \(run.json)")
                #expect(run.counts.fetched == 1000 && run.counts.created == 1000, "\(style): \(run.json)")
                #expect(try await h.stored() == (try await h.upstream()), "\(style)")
                #expect(try await h.stats()["pages"]?.intValue ?? 0 > 10, "\(style)")
                try await h.engine.records.db.execute("DELETE FROM sync_records")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aPageThatStillFailsAfterRetriesFailsTheRunWithTheErrorAndKeepsTheCheckpoint(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1000, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 250)]) { h in
            let events = h.services.eventBus.subscribe()
            try await h.control(["fail": ["every": 1, "statuses": [503]]])
            let run = try await h.runToEnd("s")
            #expect(run.status == .failed)
            #expect(run.errorCode == "RETRIES_EXHAUSTED" || run.errorCode == "UPSTREAM_ERROR", "\(run.json)")
            var types: [String] = []
            for await e in events {
                types.append(e.type)
                if e.type == "sync.failed" { break }
            }
            #expect(types.filter { $0.hasPrefix("sync.") } == ["sync.started", "sync.failed"])
        }
    }

    @Test(arguments: TestBackend.available)
    func aRunWhoseWorkerDiedIsReclaimedAfterItsLeaseAndResumesFromItsCheckpoint(_ backend: TestBackend) async throws {
        let leaseMs: Int64 = 10_000
        try await SyncHarness.with(backend, records: 5000, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 250)], leaseMs: leaseMs) { h in
            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            // Worker A "dies" once it has fetched 8 pages: the pages it committed by then (fewer: it prepares pages
            // ahead of its commits) are kept, the ones it fetched but did not commit are not.
            let fetched = Box(0)
            let dying = h.countingEngine(fetched)
            let claimedByA = try #require(try await dying.runs.claim(owner: "A", now: h.clock.now(), leaseMs: leaseMs))
            #expect(claimedByA.id == run.id)
            let outcomeA = try await dying.runClaimed(claimedByA, owner: "A", shouldStop: { fetched.value.withLock { $0 } >= 8 })
            #expect(outcomeA == .stopped)
            let afterCrash = try #require(try await h.engine.runs.get(id: run.id))
            let committed = afterCrash.counts.pages
            #expect(committed >= 1 && committed < 8, "\(afterCrash.json)")
            #expect(afterCrash.counts.fetched == committed * 250)
            #expect(try await h.stored().count == committed * 250)

            // The lease still holds: nobody else may take the run.
            #expect(try await h.engine.runs.claim(owner: "B", now: h.clock.now(), leaseMs: leaseMs) == nil)
            h.clock.advance(milliseconds: leaseMs + 1)
            try await h.control(["resetStats": true])
            let (finished, outcomeB) = try #require(try await h.engine.runNext(owner: "B"))
            #expect(outcomeB == .completed)
            #expect(finished.id == run.id && finished.status == .completed && finished.claims == 2)
            // B fetched only the pages after the checkpoint, not the 20 of a restart from scratch.
            #expect(try await h.stats()["pages"]?.intValue == 20 - committed)
            #expect(finished.counts.pages == 20 && finished.counts.fetched == 5000 && finished.counts.created == 5000)
            let stored = try await h.stored()
            #expect(stored.count == 5000)
            #expect(stored == (try await h.upstream()))

            // A, back from the dead, finds its lease gone and commits nothing.
            #expect(try await dying.runClaimed(claimedByA, owner: "A") == .leaseLost)
        }
    }

    @Test(arguments: TestBackend.available)
    func cancellingAQueuedRunEndsItAndARunningOneStopsAtItsNextPage(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1000, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)]) { h in
            let (queued, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            #expect(try await h.engine.runs.requestCancel(id: queued.id, now: h.clock.now())?.run.status == .cancelled)
            #expect(try await h.engine.runNext(owner: "w") == nil)

            let (run, isNew) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            #expect(isNew)
            // Starting again while it is queued returns the same run.
            #expect(try await h.engine.start(connectionId: h.connectionId, syncName: "s").run.id == run.id)
            let claimed = try #require(try await h.engine.runs.claim(owner: "w", now: h.clock.now(), leaseMs: 30_000))
            _ = try await h.engine.runs.requestCancel(id: run.id, now: h.clock.now())
            #expect(try await h.engine.runClaimed(claimed, owner: "w") == .cancelled)
            #expect(try await h.engine.runs.get(id: run.id)?.status == .cancelled)
        }
    }

    /// A cancel requested while the run was running, then its worker died (the lease expired) or gave the run back on
    /// shutdown before it read the flag: the run is not resumed (it was claimed again, `claims: 2`, and went on from its
    /// checkpoint in the tester's eyes); it ends cancelled at once, nothing more is fetched, what was committed stays.
    @Test(arguments: TestBackend.available)
    func aRunCancelledBeforeItsWorkerDiedOrStoppedIsNotResumed(_ backend: TestBackend) async throws {
        let leaseMs: Int64 = 10_000
        try await SyncHarness.with(backend, records: 1000, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)], leaseMs: leaseMs) { h in
            // Worker A commits some pages, the cancel is requested, A dies before its next commit.
            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let fetched = Box(0)
            let dying = h.countingEngine(fetched)
            let claimedByA = try #require(try await dying.runs.claim(owner: "A", now: h.clock.now(), leaseMs: leaseMs))
            #expect(try await dying.runClaimed(claimedByA, owner: "A", shouldStop: { fetched.value.withLock { $0 } >= 3 }) == .stopped)
            let requested = try #require(try await h.engine.runs.requestCancel(id: run.id, now: h.clock.now())).run
            #expect(requested.status == .running && requested.cancelRequested)
            let committed = requested.counts

            h.clock.advance(milliseconds: leaseMs + 1)
            try await h.control(["resetStats": true])
            #expect(try await h.engine.runNext(owner: "B") == nil)
            let ended = try #require(try await h.engine.runs.get(id: run.id))
            #expect(ended.status == .cancelled && ended.claims == 1 && ended.leaseOwner == nil && ended.finishedAt != nil, "\(ended.json)")
            #expect(ended.counts == committed)
            #expect(try await h.stats()["pages"]?.intValue ?? 0 == 0)

            // Given back on graceful shutdown with a cancel requested: it ends cancelled, it is not queued again.
            let (second, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let claimedByC = try #require(try await h.engine.runs.claim(owner: "C", now: h.clock.now(), leaseMs: leaseMs))
            #expect(claimedByC.id == second.id)
            _ = try await h.engine.runs.requestCancel(id: second.id, now: h.clock.now())
            try await h.engine.runs.release(id: second.id, owner: "C", now: h.clock.now())
            let released = try #require(try await h.engine.runs.get(id: second.id))
            #expect(released.status == .cancelled && released.claims == 1 && released.finishedAt != nil, "\(released.json)")
            #expect(try await h.engine.runNext(owner: "D") == nil)
            #expect(try await h.stats()["pages"]?.intValue ?? 0 == 0)
        }
    }

    /// Whichever way a run is cancelled (queued; running, at its next page; abandoned by a dead worker; given back on
    /// shutdown), it emits one `sync.cancelled` with what it had committed, and asking again emits nothing more.
    @Test(arguments: TestBackend.available)
    func everyWayARunIsCancelledEmitsSyncCancelledOnce(_ backend: TestBackend) async throws {
        let leaseMs: Int64 = 10_000
        try await SyncHarness.with(backend, records: 1000, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)], leaseMs: leaseMs) { h in
            let events = h.services.eventBus.subscribe()
            var ended: [String] = []

            // Queued: the cancel call ends it; a second call finds it ended.
            let (queued, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            #expect(try await h.engine.cancel(runId: queued.id)?.status == .cancelled)
            #expect(try await h.engine.cancel(runId: queued.id)?.status == .cancelled)
            ended.append(queued.id)

            // Running: its worker reads the flag when it starts (or after the page it commits) and ends it.
            let (running, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let claimed = try #require(try await h.engine.runs.claim(owner: "w", now: h.clock.now(), leaseMs: leaseMs))
            #expect(try await h.engine.cancel(runId: running.id)?.status == .running)
            #expect(try await h.engine.cancel(runId: running.id)?.status == .running)
            #expect(try await h.engine.runClaimed(claimed, owner: "w") == .cancelled)
            ended.append(running.id)

            // Abandoned: A commits some pages and dies, the cancel is requested, and the next claim ends the run.
            let (abandoned, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let fetched = Box(0)
            let dying = h.countingEngine(fetched)
            let claimedByA = try #require(try await dying.runs.claim(owner: "A", now: h.clock.now(), leaseMs: leaseMs))
            #expect(try await dying.runClaimed(claimedByA, owner: "A", shouldStop: { fetched.value.withLock { $0 } >= 3 }) == .stopped)
            _ = try await h.engine.cancel(runId: abandoned.id)
            h.clock.advance(milliseconds: leaseMs + 1)
            #expect(try await h.engine.runNext(owner: "B") == nil)
            #expect(try await h.engine.runNext(owner: "B") == nil)
            ended.append(abandoned.id)

            // Given back on shutdown with a cancel requested.
            let (released, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            _ = try #require(try await h.engine.runs.claim(owner: "C", now: h.clock.now(), leaseMs: leaseMs))
            _ = try await h.engine.cancel(runId: released.id)
            try await h.engine.release(runId: released.id, owner: "C")
            try await h.engine.release(runId: released.id, owner: "C")
            #expect(try await h.engine.runNext(owner: "D") == nil)
            ended.append(released.id)

            h.services.eventBus.emit("test.end", connectionId: nil, payload: [:])
            var cancelled: [Event] = []
            for await e in events {
                if e.type == "test.end" { break }
                if e.type == "sync.cancelled" { cancelled.append(e) }
            }
            try #require(cancelled.map { $0.payload["runId"]?.stringValue ?? "" } == ended)
            for e in cancelled {
                let run = try #require(try await h.engine.runs.get(id: e.payload["runId"]?.stringValue ?? ""))
                #expect(run.status == .cancelled)
                #expect(e.connectionId == h.connectionId && e.payload["sync"] == "s")
                #expect(e.payload["counts"] == run.counts.json, "\(run.json)")
            }
            #expect(cancelled[2].payload["counts"]?["pages"]?.intValue ?? 0 >= 1)
        }
    }

    /// A run given back before it committed a page (so without a checkpoint) and resumed by another worker emits
    /// `sync.started` once, as it emits one end event; it used to emit it again when resumed.
    @Test(arguments: TestBackend.available)
    func aRunResumedBeforeItsFirstCommitEmitsSyncStartedOnce(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 300, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)]) { h in
            let events = h.services.eventBus.subscribe()
            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let claimed = try #require(try await h.engine.runs.claim(owner: "A", now: h.clock.now(), leaseMs: 30_000))
            #expect(try await h.engine.runClaimed(claimed, owner: "A", shouldStop: { true }) == .stopped)
            try await h.engine.release(runId: run.id, owner: "A")
            let (done, outcome) = try #require(try await h.engine.runNext(owner: "B"))
            #expect(done.id == run.id && outcome == .completed && done.claims == 2)
            h.services.eventBus.emit("test.end", connectionId: nil, payload: [:])
            var types: [String] = []
            for await e in events {
                if e.type == "test.end" { break }
                if e.type.hasPrefix("sync.") { types.append(e.type) }
            }
            #expect(types == ["sync.started", "sync.completed"])
        }
    }

    @Test(arguments: TestBackend.available)
    func aFirstRunInsertsWithoutLookupsAndARecordRepeatedAcrossPagesFallsBackToTheUpsert(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1000, pageSize: 100, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)]) { h in
            // The entity is empty, so pages are inserted without looking up stored records; from the second page on,
            // every page also carries the first page's first record, which is stored: that page fails its insert,
            // is redone as an upsert, and the run goes on upserting.
            let repeating = SyncEngine(
                database: h.engine.records.db, source: RepeatingSource(inner: h.engine.source, first: Box(nil)), catalog: h.engine.catalog,
                events: nil, clock: h.clock, logger: h.engine.logger, configuration: h.engine.configuration)
            let (run, _) = try await repeating.start(connectionId: h.connectionId, syncName: "s")
            let (done, outcome) = try #require(try await repeating.runNext(owner: "w"))
            #expect(done.id == run.id && outcome == .completed)
            let pages = done.counts.pages
            #expect(pages >= 10)
            #expect(done.counts.created == 1000 && done.counts.updated == 0)
            // Every page after the first carried the repeated record, unchanged (the last page may be empty).
            #expect(done.counts.fetched - 1000 == done.counts.unchanged)
            #expect(done.counts.unchanged >= pages - 2)
            #expect(done.checkpoint.map(SyncCheckpoint.init(json:))?.onlyNew == false)
            #expect(try await h.stored() == (try await h.upstream()))
        }
    }

    @Test(arguments: TestBackend.available)
    func aRunOnAnEntityWithRecordsUpsertsFromItsFirstPage(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 500, syncs: [SyncHarness.sync("s", style: "offset", pageSize: 100)]) { h in
            _ = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let first = try #require(try await h.engine.runNext(owner: "w"))
            #expect(first.1 == .completed && first.0.counts.created == 500)
            #expect(first.0.checkpoint.map(SyncCheckpoint.init(json:))?.onlyNew == true)
            _ = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let second = try #require(try await h.engine.runNext(owner: "w"))
            #expect(second.1 == .completed && second.0.counts.unchanged == 500 && second.0.counts.created == 0)
            #expect(second.0.checkpoint.map(SyncCheckpoint.init(json:))?.onlyNew == false)
        }
    }

    @Test(arguments: TestBackend.available)
    func twoWorkersOnOneDatabaseRunEachJobExactlyOnce(_ backend: TestBackend) async throws {
        let syncs = (0..<6).map { SyncHarness.sync("s\($0)", style: "offset", pageSize: 100) }
        try await SyncHarness.with(backend, records: 300, syncs: syncs) { h in
            var ids: [String] = []
            for i in 0..<6 { ids.append(try await h.engine.start(connectionId: h.connectionId, syncName: "s\(i)").run.id) }
            let ran = Box<[String: [String]]>([:])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in ["w1", "w2"] {
                    group.addTask {
                        while let (run, _) = try await h.engine.runNext(owner: worker) {
                            ran.value.withLock { $0[run.id, default: []].append(worker) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let byRun = ran.value.withLock { $0 }
            #expect(Set(byRun.keys) == Set(ids))
            #expect(byRun.values.allSatisfy { $0.count == 1 })
            for id in ids {
                let run = try #require(try await h.engine.runs.get(id: id))
                #expect(run.status == .completed && run.claims == 1)
            }
        }
    }
}

/// Adds the first record of the first page it served to every later page, as an upstream whose data shifts
/// between pages does.
struct RepeatingSource: SyncPageSource {
    let inner: any SyncPageSource
    let first: Box<JSON?>

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        var r = await inner.fetchPage(connectionId: connectionId, method: method, params: params)
        guard case .object(var page)? = r.data, case .array(var items)? = page["data"], !items.isEmpty else { return r }
        let repeated: JSON? = first.value.withLock { saved in
            if saved == nil {
                saved = items[0]
                return nil
            }
            return saved
        }
        if let repeated {
            items.append(repeated)
            page["data"] = .array(items)
            r.data = .object(page)
        }
        return r
    }
}

/// Counts the pages fetched through it.
struct CountingSource: SyncPageSource {
    let inner: any SyncPageSource
    let count: Box<Int>

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        let r = await inner.fetchPage(connectionId: connectionId, method: method, params: params)
        count.value.withLock { $0 += 1 }
        return r
    }
}

/// A value shared between tasks.
final class Box<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ v: T) { value = Mutex(v) }
}
