import SwitchboardCore
import Testing

/// `OutageLog`: a failing loop reports its outage when it starts, again once per interval, and when it ends.
@Suite struct OutageLogTests {
    @Test func startContinueAndEnd() {
        let t0 = ContinuousClock.now
        var log = OutageLog(interval: .seconds(60))
        #expect(log.succeeded(at: t0) == nil)  // no outage to end
        #expect(log.failed(at: t0) == .started)
        #expect(log.failed(at: t0 + .seconds(1)) == nil)
        #expect(log.failed(at: t0 + .seconds(59)) == nil)
        #expect(log.failed(at: t0 + .seconds(60)) == .continuing(failures: 4, since: .seconds(60)))
        #expect(log.failed(at: t0 + .seconds(100)) == nil)  // the interval runs from the last report
        #expect(log.failed(at: t0 + .seconds(120)) == .continuing(failures: 6, since: .seconds(120)))
        #expect(log.failures == 6)
        #expect(log.succeeded(at: t0 + .seconds(125)) == .ended(failures: 6, since: .seconds(125)))
        #expect(log.failures == 0)
        #expect(log.succeeded(at: t0 + .seconds(126)) == nil)
        // The next outage starts afresh.
        #expect(log.failed(at: t0 + .seconds(130)) == .started)
        #expect(log.succeeded(at: t0 + .seconds(131)) == .ended(failures: 1, since: .seconds(1)))
    }
}
