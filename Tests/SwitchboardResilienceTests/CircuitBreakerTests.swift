import Testing

@testable import SwitchboardResilience

@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreakerStateMachine

    func breaker(
        window: CircuitBreakerConfiguration.Window = .count(size: 10),
        minimumCalls: Int = 4,
        failureRate: Double = 50,
        slowDuration: Duration = .seconds(2),
        slowRate: Double = 100,
        wait: Duration = .seconds(30),
        multiplier: Double = 1,
        maxWait: Duration = .seconds(300),
        halfOpen: Int = 2,
        maxWaitInHalfOpen: Duration? = nil
    ) -> Breaker {
        Breaker(
            configuration: .init(
                window: window, minimumCalls: minimumCalls, failureRateThreshold: failureRate,
                slowCallDuration: slowDuration, slowCallRateThreshold: slowRate, waitInOpen: wait,
                waitMultiplier: multiplier, maxWaitInOpen: maxWait, permittedInHalfOpen: halfOpen,
                maxWaitInHalfOpen: maxWaitInHalfOpen))
    }

    /// Records `outcome` as a permitted call at `now`.
    func call(_ b: inout Breaker, _ outcome: Breaker.Outcome, at now: ResilienceInstant) -> [Breaker.StateTransition] {
        #expect(b.tryAcquire(now: now).isPermitted)
        return b.record(outcome, now: now)
    }

    @Test func staysClosedBelowMinimumCallsEvenWhenAllFail() {
        var b = breaker(minimumCalls: 4)
        for i in 0..<3 { #expect(call(&b, .failure(.zero), at: at(ms: Int64(i))).isEmpty) }
        #expect(b.state == .closed)
        #expect(b.metrics(now: t0).failureRate == nil)
        let t = call(&b, .failure(.zero), at: at(ms: 3))
        #expect(t == [.init(from: .closed, to: .open, at: at(ms: 3), openFor: .seconds(30))])
        #expect(b.state == .open)
    }

    @Test func opensWhenFailureRateReachesThresholdNotBelow() {
        var b = breaker(minimumCalls: 4, failureRate: 50)
        _ = call(&b, .success(.zero), at: t0)
        _ = call(&b, .success(.zero), at: t0)
        _ = call(&b, .success(.zero), at: t0)
        _ = call(&b, .failure(.zero), at: t0)  // 25%
        #expect(b.state == .closed)
        _ = call(&b, .failure(.zero), at: t0)  // 2/5 = 40%
        #expect(b.state == .closed)
        let t = call(&b, .failure(.zero), at: t0)  // 3/6 = 50%, threshold is inclusive
        #expect(t.map(\.to) == [.open])
    }

    @Test func openRejectsWithTimeLeftWithoutTouchingTheWindow() {
        var b = breaker(minimumCalls: 2, wait: .seconds(30))
        _ = call(&b, .failure(.zero), at: t0)
        _ = call(&b, .failure(.zero), at: t0)
        #expect(b.state == .open)
        #expect(b.tryAcquire(now: at(ms: 10_000)) == .init(permission: .rejected(retryAfter: .seconds(20)), transition: nil))
        #expect(b.tryAcquire(now: at(ms: 29_999)).permission == .rejected(retryAfter: .milliseconds(1)))
        #expect(b.metrics(now: at(ms: 29_999)).notPermittedCalls == 2)
    }

    @Test func openMovesToHalfOpenAfterWaitOnNextAcquire() {
        var b = breaker(minimumCalls: 2, wait: .seconds(30))
        _ = call(&b, .failure(.zero), at: t0)
        _ = call(&b, .failure(.zero), at: t0)
        let a = b.tryAcquire(now: at(ms: 30_000))
        #expect(a.isPermitted)
        #expect(a.transition == .init(from: .open, to: .halfOpen, at: at(ms: 30_000)))
        #expect(a.transition?.eventName == "integration.circuit.half_opened")
        #expect(b.state == .halfOpen)
    }

    @Test func halfOpenPermitsExactlyTheTrialCallsThenClosesOnSuccess() {
        var b = breaker(minimumCalls: 2, wait: .seconds(1), halfOpen: 2)
        _ = call(&b, .failure(.zero), at: t0)
        _ = call(&b, .failure(.zero), at: t0)
        let now = at(ms: 1000)
        #expect(b.tryAcquire(now: now).isPermitted)
        #expect(b.tryAcquire(now: now).isPermitted)
        #expect(b.tryAcquire(now: now).permission == .rejected(retryAfter: Breaker.busyRetryAfter))
        #expect(b.record(.success(.zero), now: now).isEmpty)
        let t = b.record(.success(.zero), now: now)
        #expect(t == [.init(from: .halfOpen, to: .closed, at: now)])
        #expect(t.first?.eventName == "integration.circuit.closed")
        #expect(b.metrics(now: now).bufferedCalls == 0)  // the window starts afresh
    }

    @Test func halfOpenReopensWhenTrialsFail() {
        var b = breaker(minimumCalls: 2, failureRate: 50, wait: .seconds(1), halfOpen: 2)
        _ = call(&b, .failure(.zero), at: t0)
        _ = call(&b, .failure(.zero), at: t0)
        let now = at(ms: 1000)
        _ = b.tryAcquire(now: now)
        _ = b.tryAcquire(now: now)
        _ = b.record(.success(.zero), now: now)
        let t = b.record(.failure(.zero), now: now)  // 1 of 2 = 50%
        #expect(t == [.init(from: .halfOpen, to: .open, at: now, openFor: .seconds(1))])
    }

    @Test func ignoredOutcomeInHalfOpenGivesThePermitBack() {
        var b = breaker(minimumCalls: 1, wait: .seconds(1), halfOpen: 1)
        _ = call(&b, .failure(.zero), at: t0)
        let now = at(ms: 1000)
        #expect(b.tryAcquire(now: now).isPermitted)
        #expect(!b.tryAcquire(now: now).isPermitted)
        #expect(b.record(.ignored, now: now).isEmpty)
        #expect(b.tryAcquire(now: now).isPermitted)
    }

    @Test func waitGrowsOnEachReopenUpToTheMaxAndResetsOnClose() {
        var b = breaker(minimumCalls: 1, wait: .seconds(10), multiplier: 2, maxWait: .seconds(35), halfOpen: 1)
        var now = t0
        var waits: [Duration] = []
        _ = call(&b, .failure(.zero), at: now)
        for _ in 0..<4 {
            waits.append(b.metrics(now: now).openUntil! - now)
            now = b.metrics(now: now).openUntil!
            let t = call(&b, .failure(.zero), at: now)  // trial fails: reopen
            #expect(t.map(\.to) == [.open])
        }
        waits.append(b.metrics(now: now).openUntil! - now)
        #expect(waits == [.seconds(10), .seconds(20), .seconds(35), .seconds(35), .seconds(35)])
        now = b.metrics(now: now).openUntil!
        _ = call(&b, .success(.zero), at: now)
        #expect(b.state == .closed)
        _ = call(&b, .failure(.zero), at: now)
        #expect(b.metrics(now: now).openUntil! - now == .seconds(10))
    }

    @Test func countWindowEvictsTheOldestCall() {
        var b = breaker(window: .count(size: 4), minimumCalls: 4, failureRate: 75)
        _ = call(&b, .failure(.zero), at: t0)
        _ = call(&b, .failure(.zero), at: t0)
        _ = call(&b, .success(.zero), at: t0)
        _ = call(&b, .success(.zero), at: t0)  // 2/4 = 50%
        _ = call(&b, .success(.zero), at: t0)  // evicts a failure: 1/4
        #expect(b.metrics(now: t0).failedCalls == 1)
        #expect(b.metrics(now: t0).bufferedCalls == 4)
        _ = call(&b, .failure(.zero), at: t0)  // evicts the other failure: F S S S -> S S S F ... 1/4
        _ = call(&b, .failure(.zero), at: t0)  // S S F F: 2/4
        #expect(b.state == .closed)
        _ = call(&b, .failure(.zero), at: t0)  // S F F F: 3/4 = 75%
        #expect(b.state == .open)
    }

    @Test func minimumCallsIsCappedAtCountWindowSize() {
        var b = breaker(window: .count(size: 3), minimumCalls: 100)
        for _ in 0..<3 { _ = call(&b, .failure(.zero), at: t0) }
        #expect(b.state == .open)
    }

    @Test func timeWindowEvictsBucketsAsSecondsPass() {
        var b = breaker(window: .time(seconds: 10), minimumCalls: 4, failureRate: 50)
        _ = call(&b, .failure(.zero), at: at(ms: 0))
        _ = call(&b, .failure(.zero), at: at(ms: 500))  // same second
        _ = call(&b, .success(.zero), at: at(ms: 5000))
        #expect(b.metrics(now: at(ms: 9999)).bufferedCalls == 3)
        // At t0+10s, the bucket of second t0 leaves the window (window covers the last 10 seconds).
        #expect(b.metrics(now: at(ms: 10_000)).bufferedCalls == 1)
        _ = call(&b, .failure(.zero), at: at(ms: 10_000))
        _ = call(&b, .success(.zero), at: at(ms: 11_000))
        _ = call(&b, .success(.zero), at: at(ms: 12_000))  // 1 of 4 failed
        #expect(b.state == .closed)
        #expect(b.metrics(now: at(ms: 12_000)).failureRate == 25)
        // Far in the future every bucket is gone.
        #expect(b.metrics(now: at(ms: 100_000)).bufferedCalls == 0)
    }

    @Test func timeWindowDoesNotOpenOnFailuresSpreadBeyondTheWindow() {
        var b = breaker(window: .time(seconds: 2), minimumCalls: 3)
        for s in 0..<10 { _ = call(&b, .failure(.zero), at: at(ms: Int64(s) * 1000)) }
        #expect(b.state == .closed)  // never more than 2 calls in a 2-second window
        _ = call(&b, .failure(.zero), at: at(ms: 9500))
        #expect(b.state == .open)
    }

    @Test func slowCallsOpenTheCircuitAtTheSlowRateThreshold() {
        var b = breaker(minimumCalls: 4, failureRate: 100, slowDuration: .seconds(2), slowRate: 50)
        _ = call(&b, .success(.seconds(2)), at: t0)  // exactly the threshold: not slow (resilience4j uses >)
        _ = call(&b, .success(.milliseconds(100)), at: t0)
        _ = call(&b, .success(.milliseconds(2001)), at: t0)
        #expect(b.metrics(now: t0).slowCalls == 1)
        let t = call(&b, .success(.seconds(5)), at: t0)  // 2 of 4 slow
        #expect(t.map(\.to) == [.open])
    }

    @Test func maxWaitInHalfOpenReopensUndecidedTrials() {
        var b = breaker(minimumCalls: 1, wait: .seconds(1), halfOpen: 1, maxWaitInHalfOpen: .seconds(5))
        _ = call(&b, .failure(.zero), at: t0)
        #expect(b.tryAcquire(now: at(ms: 1000)).isPermitted)  // trial never reports
        let a = b.tryAcquire(now: at(ms: 6000))
        #expect(a.transition?.to == .open)
        #expect(a.permission == .rejected(retryAfter: .seconds(1)))
    }

    @Test func forcedOpenAndDisabledAreManualStates() {
        var b = breaker(minimumCalls: 1)
        #expect(b.forceOpen(now: t0).map(\.to) == [.forcedOpen])
        #expect(!b.tryAcquire(now: at(ms: 1_000_000)).isPermitted)
        #expect(b.disable(now: t0).map(\.to) == [.disabled])
        for _ in 0..<5 { _ = call(&b, .failure(.zero), at: t0) }
        #expect(b.state == .disabled)
        #expect(b.reset(now: t0) == [.init(from: .disabled, to: .closed, at: t0)])
    }

    @Test func outcomesFollowTheFailurePredicate() {
        let c = CircuitBreakerConfiguration()
        #expect(c.outcome(of: .http(503), duration: .zero) == .failure(.zero))
        #expect(c.outcome(of: .http(408), duration: .zero) == .failure(.zero))
        #expect(c.outcome(of: .http(404), duration: .zero) == .success(.zero))
        #expect(c.outcome(of: .http(429), duration: .zero) == .ignored)
        #expect(c.outcome(of: .kind(.connectionReset), duration: .zero) == .failure(.zero))
        #expect(c.outcome(of: .kind(.cancelled), duration: .zero) == .ignored)
        #expect(c.outcome(of: nil, duration: .seconds(1)) == .success(.seconds(1)))
    }
}
