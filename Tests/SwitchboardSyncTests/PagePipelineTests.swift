import Synchronization
import SwitchboardCore
import Testing

@testable import SwitchboardSync

/// The pipeline that prepares pages ahead of the commits (no database or upstream: `prepare` is a closure).
@Suite struct PagePipelineTests {
    static let executor = WorkerThreads(name: "sb-test", threads: 2)

    /// A page `n` after `checkpoint` (offset pagination: the offset counts pages here).
    static func page(after c: SyncCheckpoint, last: Int) -> SyncEngine.PreparedPage {
        var next = c
        next.offset += 1
        next.pages += 1
        var p = SyncEngine.PreparedPage(checkpoint: next)
        p.isLast = next.offset == last
        return p
    }

    @Test func pagesComeInOrderAndTheProducerStaysAtMostDepthPagesAhead() async throws {
        let taken = Mutex(0)
        let prepared = Mutex(0)
        let tooFarAhead = Mutex(false)
        let pipeline = PagePipeline(depth: 2, after: SyncCheckpoint(), maxPages: 1000, executor: Self.executor) { c in
            // The page being prepared is at most the third beyond the last one taken (two waiting, one in hand).
            let ahead = prepared.withLock { n in
                n += 1
                return n
            } - taken.withLock { $0 }
            if ahead > 3 { tooFarAhead.withLock { $0 = true } }
            return Self.page(after: c, last: 50)
        }
        var offsets: [Int] = []
        while let page = await pipeline.next() {
            taken.withLock { $0 += 1 }
            offsets.append(page.checkpoint.offset)
            if offsets.count % 7 == 0 { try await Task.sleep(for: .milliseconds(5)) }  // a slow commit now and then
        }
        #expect(offsets == Array(1...50))
        #expect(prepared.withLock { $0 } == 50)
        #expect(tooFarAhead.withLock { $0 } == false)
    }

    @Test func itStopsAtMaxPagesAndAfterAFailedPage() async {
        let capped = PagePipeline(depth: 2, after: SyncCheckpoint(), maxPages: 5, executor: Self.executor) { c in Self.page(after: c, last: 50) }
        var count = 0
        while await capped.next() != nil { count += 1 }
        #expect(count == 5)

        let failing = PagePipeline(depth: 2, after: SyncCheckpoint(), maxPages: 1000, executor: Self.executor) { c in
            var p = Self.page(after: c, last: 50)
            if p.checkpoint.offset == 3 { p.error = SwitchboardError(code: "UPSTREAM_ERROR", message: "boom", status: 502) }
            return p
        }
        var codes: [String?] = []
        while let p = await failing.next() { codes.append(p.error?.code) }
        #expect(codes == [nil, nil, "UPSTREAM_ERROR"])
    }

    @Test func cancellingEndsTheConsumersWaitAndStopsTheProducer() async throws {
        let prepared = Mutex(0)
        let pipeline = PagePipeline(depth: 2, after: SyncCheckpoint(), maxPages: 1000, executor: Self.executor) { c in
            prepared.withLock { $0 += 1 }
            return Self.page(after: c, last: 1_000_000)
        }
        #expect(await pipeline.next() != nil)
        pipeline.cancel()
        #expect(await pipeline.next() == nil)
        let afterCancel = prepared.withLock { $0 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(prepared.withLock { $0 } <= afterCancel + 1)
    }
}
