import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Synchronization
import Testing

@testable import SwitchboardSync

/// A page request the run already made (the upstream's next pointer leads back to a page already fetched) fails the
/// run with `SYNC_PAGE_REPEATED`, keeping what it committed: against the paged peer, on SQLite and PostgreSQL.
@Suite struct SyncPageRepeatTests {
    /// Methods whose templates do not send the pointer the sync passes: the second page's request is the first's. The
    /// peer then answers the first page again with the same next pointer, which used to end the run as completed with
    /// only the first page's records.
    @Test(arguments: TestBackend.available)
    func aNextPointerTheSourceMethodDoesNotSendFailsTheRunAtTheRepeatedRequest(_ backend: TestBackend) async throws {
        var cursor = SyncHarness.sync("s_cursor", style: "cursor", pageSize: 100)
        cursor["sourceMethod"] = "list_cursor_unsent"
        var nextURL = SyncHarness.sync("s_next_url", style: "next_url", pageSize: 100)
        nextURL["sourceMethod"] = "list_next_url_unsent"
        try await SyncHarness.with(backend, records: 1000, pageSize: 100, syncs: [cursor, nextURL]) { h in
            for (name, message) in [
                (
                    "s_cursor",
                    "the request for page 2 is the one made for page 1 of this run: the upstream's cursor leads back to a page already fetched "
                        + "(does the source method 'list_cursor_unsent' send it as 'cursor'?)"
                ),
                (
                    "s_next_url",
                    "the request for page 2 is the one made for page 1 of this run: the upstream's next URL leads back to a page already "
                        + "fetched (does the source method 'list_next_url_unsent' send its query parameters?)"
                ),
            ] {
                try await h.engine.records.db.execute("DELETE FROM sync_records")
                try await h.control(["resetStats": true])
                let run = try await h.runToEnd(name)
                #expect(run.status == .failed, "\(name): \(run.json)")
                #expect(run.errorCode == "SYNC_PAGE_REPEATED" && run.errorMessage == message, "\(name): \(run.json)")
                // The first page is committed and kept; the repeated one is not.
                #expect(run.counts.pages == 1 && run.counts.created == 100, "\(name): \(run.json)")
                #expect(try await h.stored().count == 100, "\(name)")
                #expect(try await h.stats()["pages"]?.intValue ?? 0 <= 4, "\(name)")
            }
        }
    }

    /// A next URL that changes with every answer (a token the method's template does not send) while the request stays
    /// the same: the run used to fetch the first page again and again, up to its page limit.
    @Test(arguments: TestBackend.available)
    func aChangingNextURLThatLeadsToTheSameRequestFailsTheRunInsteadOfLoopingToThePageLimit(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("s", style: "next_url", pageSize: 100)
        sync["sourceMethod"] = "list_next_url_unsent"
        try await SyncHarness.with(backend, records: 1000, pageSize: 100, syncs: [sync]) { h in
            let engine = SyncEngine(
                database: h.engine.records.db, source: NonceSource(inner: h.engine.source, count: Box(0)), catalog: h.engine.catalog, events: nil,
                clock: h.clock, logger: h.engine.logger, configuration: .init(maxPages: 50))
            let (run, _) = try await engine.start(connectionId: h.connectionId, syncName: "s")
            let (done, outcome) = try #require(try await engine.runNext(owner: "w"))
            #expect(done.id == run.id && outcome == .failed)
            #expect(done.errorCode == "SYNC_PAGE_REPEATED", "\(done.json)")
            #expect(done.counts.pages == 1 && done.counts.created == 100, "\(done.json)")
            #expect(try await h.stats()["pages"]?.intValue ?? 0 <= 4)
        }
    }

    /// Cursors that lead back to an earlier page (100, 200, 100, ...): the fourth page's request is the second's. Without
    /// a request signature from the source, the parameters tell. The run used to go round until its page limit.
    @Test(arguments: TestBackend.available)
    func aCursorThatLeadsBackToAnEarlierPageFailsTheRunKeepingThePagesCommitted(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1000, pageSize: 100, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 100)]) { h in
            let engine = SyncEngine(
                database: h.engine.records.db, source: CyclingCursorSource(inner: h.engine.source), catalog: h.engine.catalog, events: nil,
                clock: h.clock, logger: h.engine.logger, configuration: .init(maxPages: 50))
            let (run, _) = try await engine.start(connectionId: h.connectionId, syncName: "s")
            let (done, outcome) = try #require(try await engine.runNext(owner: "w"))
            #expect(done.id == run.id && outcome == .failed)
            #expect(done.errorCode == "SYNC_PAGE_REPEATED", "\(done.json)")
            #expect(done.errorMessage?.hasPrefix("the request for page 4 is the one made for page 2 of this run: the upstream's cursor") == true)
            #expect(done.counts.pages == 3 && done.counts.created == 300, "\(done.json)")
            let stored = try await h.stored()
            #expect(stored.count == 300 && stored["300"] != nil && stored["301"] == nil)
        }
    }
}

/// Adds a parameter that changes with every answer to the next URL, as an upstream whose next URLs carry a fresh
/// token does.
struct NonceSource: SyncPageSource {
    let inner: any SyncPageSource
    let count: Box<Int>

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        var r = await inner.fetchPage(connectionId: connectionId, method: method, params: params)
        guard case .object(var page)? = r.data, case .string(let next)? = page["links"]?["next"] else { return r }
        let n = count.value.withLock { n in
            n += 1
            return n
        }
        page["links"] = ["next": .string(next + "&token=\(n)")]
        r.data = .object(page)
        return r
    }
}

/// Sends the cursor back to 100 after the page at cursor 200, and tells no request signature.
struct CyclingCursorSource: SyncPageSource {
    let inner: any SyncPageSource

    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        var r = await inner.fetchPage(connectionId: connectionId, method: method, params: params)
        r.request = nil
        guard params["cursor"] == "200", case .object(var page)? = r.data else { return r }
        page["meta"] = ["next_cursor": "100"]
        r.data = .object(page)
        return r
    }
}
