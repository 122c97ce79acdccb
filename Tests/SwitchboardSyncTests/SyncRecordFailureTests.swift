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
