import JSONValue
import Testing

@testable import SwitchboardResilience

/// Records every pipeline event.
final class RecordingObserver: ResilienceObserver {
    let events = Recorder<ResilienceEvent>()
    func observe(_ event: ResilienceEvent, request: ResilienceRequest) { events.append(event) }

    var retries: Int { events.all.filter { if case .retryScheduled = $0 { true } else { false } }.count }
    var transitions: [CircuitBreakerStateMachine.State] {
        events.all.compactMap { if case .circuitTransition(let t) = $0 { t.to } else { nil } }
    }
    var rateLimitRejections: Int { events.all.filter { if case .rateLimitRejected = $0 { true } else { false } }.count }
}

@Suite struct PipelineTests {
    let request = ResilienceRequest(definitionID: "d", connectionID: "c", method: "m", httpMethod: "GET")
    let quickRetry = RetryConfiguration(maxAttempts: 3, initialDelay: .zero, maxDelay: .zero, jitter: .none)

    func pipeline(
        _ configuration: ResilienceConfiguration,
        clock: ManualClock = ManualClock(start: t0),
        observer: RecordingObserver = RecordingObserver(),
        breaker: CircuitBreaker? = nil,
        store: RateLimiterRegistry? = nil,
        bulkhead: Bulkhead? = nil,
        cache: ResponseCacheStore<String>? = nil
    ) -> ResiliencePipeline<String, ManualClock> {
        ResiliencePipeline(
            configuration: configuration, clock: clock,
            bulkhead: bulkhead ?? configuration.bulkhead.map(Bulkhead.init),
            rateLimitStore: store ?? RateLimiterRegistry(),
            circuitBreaker: breaker ?? configuration.circuitBreaker.map(CircuitBreaker.init),
            cache: cache ?? configuration.cache.map { ResponseCacheStore(configuration: $0) },
            observer: observer,
            random: SharedRandomNumberGenerator(SeededRandomNumberGenerator(seed: 1)))
    }

    func code(_ body: () async throws(ResilienceError) -> some Any) async -> ResilienceError.Code? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test func retriesUntilSuccessAndCountsAttempts() async throws {
        let observer = RecordingObserver()
        let p = pipeline(.init(retry: quickRetry), observer: observer)
        let calls = Counter()
        let result = try await p.execute(request) { _ in
            if calls.increment() < 3 { throw UpstreamError.status(503) }
            return "ok"
        }
        #expect(result == ResilienceResult(value: "ok", attempts: 3, cached: false))
        #expect(observer.retries == 2)
    }

    @Test func exhaustedRetriesWrapTheLastError() async {
        let p = pipeline(.init(retry: quickRetry))
        let calls = Counter()
        do {
            _ = try await p.execute(request) { _ in
                calls.increment()
                throw UpstreamError.status(502)
            }
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == .retriesExhausted)
            #expect(error.attempts == 3)
            #expect(error.underlying as? UpstreamError == .status(502))
            #expect(calls.count == 3)
        }
    }

    @Test func nonRetryableFailsAfterOneAttempt() async {
        let p = pipeline(.init(retry: quickRetry))
        let calls = Counter()
        let c = await code {
            () async throws(ResilienceError) in
            try await p.execute(request) { _ in
                calls.increment()
                throw UpstreamError.status(404)
            }
        }
        #expect(c == .operationFailed)
        #expect(calls.count == 1)
    }

    @Test func postIsNotRetriedWithoutOptInAndKeyedPostReusesItsKey() async throws {
        let post = ResilienceRequest(definitionID: "d", connectionID: "c", method: "m", httpMethod: "POST")
        let plain = pipeline(.init(retry: quickRetry))
        let calls = Counter()
        let c = await code { () async throws(ResilienceError) in
            try await plain.execute(post) { _ in
                calls.increment()
                throw UpstreamError.status(503)
            }
        }
        #expect(c == .operationFailed)
        #expect(calls.count == 1)

        var keyedRetry = quickRetry
        keyedRetry.idempotencyKeyHeader = "Idempotency-Key"
        let keyed = pipeline(.init(retry: keyedRetry))
        let keys = Recorder<HeaderFields.Field?>()
        let result = try await keyed.execute(post) { context in
            keys.append(context.idempotencyKey)
            if context.attempt < 3 { throw UpstreamError.status(503) }
            return "created"
        }
        #expect(result.attempts == 3)
        #expect(keys.all.count == 3)
        #expect(keys.all[0]?.name == "Idempotency-Key")
        #expect(keys.all[0]?.value.count == 36)
        #expect(Set(keys.all.map { $0?.value }).count == 1)
    }

    @Test func retryAfterIsWaitedOnTheClock() async throws {
        let clock = ManualClock(start: t0)
        let p = pipeline(.init(retry: quickRetry), clock: clock)
        let task = Task {
            try await p.execute(request) { context in
                if context.attempt == 1 { throw UpstreamError.status(429, ["Retry-After": "5"]) }
                return "ok"
            }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(try await task.value.attempts == 2)
    }

    @Test func upstreamAskingToWaitTooLongIsRateLimitExceededWithItsRetryAfter() async {
        let p = pipeline(.init(retry: quickRetry))
        do {
            _ = try await p.execute(request) { _ in throw UpstreamError.status(429, ["Retry-After": "3600"]) }
        } catch {
            #expect(error.code == .rateLimitExceeded)
            #expect(error.retryAfter == .seconds(3600))
            #expect(error.attempts == 1)
        }
    }

    @Test func exhaustedRetriesPassOnTheLastRetryAfter() async {
        var twoAttempts = quickRetry
        twoAttempts.maxAttempts = 2
        let clock = ManualClock(start: t0)
        let p = pipeline(.init(retry: twoAttempts), clock: clock)
        let task = Task { () -> ResilienceError? in
            do throws(ResilienceError) {
                _ = try await p.execute(request) { _ in throw UpstreamError.status(503, ["Retry-After": "2"]) }
                return nil
            } catch {
                return error
            }
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(2))
        let error = await task.value
        #expect(error?.code == .retriesExhausted)
        #expect(error?.attempts == 2)
        #expect(error?.retryAfter == .seconds(2))
    }

    @Test func breakerOpensAfterFailuresThenRejectsWithoutCallingTheUpstream() async {
        let observer = RecordingObserver()
        let clock = ManualClock(start: t0)
        let breakerConfig = CircuitBreakerConfiguration(
            window: .count(size: 4), minimumCalls: 4, waitInOpen: .seconds(30), permittedInHalfOpen: 1)
        let p = pipeline(.init(retry: quickRetry, circuitBreaker: breakerConfig), clock: clock, observer: observer)
        let calls = Counter()
        for _ in 0..<4 {
            _ = await code { () async throws(ResilienceError) in
                try await p.execute(request) { _ in
                    calls.increment()
                    throw UpstreamError.status(503)
                }
            }
        }
        #expect(calls.count == 12)  // 4 calls x 3 attempts: the breaker sees one outcome per call
        #expect(observer.transitions == [.open])
        clock.advance(by: .seconds(10))
        do {
            _ = try await p.execute(request) { _ in
                calls.increment()
                return "never"
            }
        } catch {
            #expect(error.code == .circuitOpen)
            #expect(error.retryAfter == .seconds(20))
            #expect(error.attempts == 0)
        }
        #expect(calls.count == 12)
        clock.advance(by: .seconds(20))
        let result = try? await p.execute(request) { _ in "recovered" }
        #expect(result?.value == "recovered")
        #expect(observer.transitions == [.open, .halfOpen, .closed])
    }

    @Test func anOutageCostsAtMostTheRetryBudgetOfTheCallsTheBreakerLetsThrough() async {
        let clock = ManualClock(start: t0)
        let breakerConfig = CircuitBreakerConfiguration(
            window: .count(size: 10), minimumCalls: 10, waitInOpen: .seconds(30), permittedInHalfOpen: 2)
        let p = pipeline(.init(retry: quickRetry, circuitBreaker: breakerConfig), clock: clock)
        let upstream = Counter()
        var codes: [ResilienceError.Code: Int] = [:]
        for round in 0..<2 {
            if round == 1 { clock.advance(by: .seconds(30)) }
            for _ in 0..<100 {
                let c = await code { () async throws(ResilienceError) in
                    try await p.execute(request) { _ in
                        upstream.increment()
                        throw UpstreamError.status(503)
                    }
                }
                codes[c!, default: 0] += 1
            }
        }
        // 10 calls to open x 3 attempts, then 2 half-open trials x 3 attempts; everything else is rejected.
        #expect(upstream.count == 36)
        #expect(codes == [.retriesExhausted: 12, .circuitOpen: 188])
    }

    @Test func anOpenCircuitStillTakesARateLimitPermitBecauseTheLimiterComesFirst() async {
        let breaker = CircuitBreaker(configuration: .init())
        _ = breaker.forceOpen(now: t0)
        let limit = RateLimitConfiguration(algorithm: .fixedWindow, limit: 2, period: .seconds(60))
        let p = pipeline(.init(circuitBreaker: .init(), rateLimits: [limit]), breaker: breaker)
        var codes: [ResilienceError.Code?] = []
        for _ in 0..<3 {
            codes.append(await code { () async throws(ResilienceError) in try await p.execute(request) { _ in "x" } })
        }
        #expect(codes == [.circuitOpen, .circuitOpen, .rateLimitExceeded])
    }

    @Test func cacheHitSkipsBreakerAndUpstreamButTakesARateLimitPermit() async throws {
        let observer = RecordingObserver()
        let limit = RateLimitConfiguration(algorithm: .fixedWindow, limit: 2, period: .seconds(60))
        let breaker = CircuitBreaker(configuration: .init())
        let p = pipeline(
            .init(circuitBreaker: .init(), rateLimits: [limit], cache: .init(ttl: .seconds(60))),
            observer: observer, breaker: breaker)
        var cacheable = request
        cacheable.cacheKey = ResponseCacheKey(connectionID: "c", method: "m", params: ["q": "x"])
        let calls = Counter()
        let first = try await p.execute(cacheable) { _ in
            calls.increment()
            return "fresh"
        }
        _ = breaker.forceOpen(now: t0)  // a hit must not consult the breaker
        let second = try await p.execute(cacheable) { _ in
            calls.increment()
            return "fresh"
        }
        #expect(first == ResilienceResult(value: "fresh", attempts: 1, cached: false))
        #expect(second == ResilienceResult(value: "fresh", attempts: 0, cached: true))
        #expect(calls.count == 1)
        let third = await code { () async throws(ResilienceError) in try await p.execute(cacheable) { _ in "x" } }
        #expect(third == .rateLimitExceeded)
    }

    @Test func bulkheadRejectionTakesNoRateLimitPermit() async throws {
        let clock = ManualClock(start: t0)
        let limit = RateLimitConfiguration(algorithm: .fixedWindow, limit: 2, period: .seconds(60))
        let config = ResilienceConfiguration(rateLimits: [limit], bulkhead: .init(maxConcurrent: 1, maxQueue: 0))
        let p = pipeline(config, clock: clock)
        let holding = Task {
            try await p.execute(request) { _ in
                try await clock.sleep(for: .seconds(1))
                return "slow"
            }
        }
        await clock.waitForSleepers(count: 1)
        let rejected = await code { () async throws(ResilienceError) in try await p.execute(request) { _ in "x" } }
        #expect(rejected == .bulkheadFull)
        clock.advance(by: .seconds(1))
        _ = try await holding.value
        let third = try await p.execute(request) { _ in "third" }  // the second permit is still free
        #expect(third.value == "third")
    }

    @Test func attemptTimeoutIsRetriedAndDistinctFromTotalTimeout() async throws {
        let clock = ManualClock(start: t0)
        let observer = RecordingObserver()
        let p = pipeline(.init(retry: quickRetry, attemptTimeout: .seconds(1)), clock: clock, observer: observer)
        let task = Task {
            try await p.execute(request) { context in
                if context.attempt == 1 { try await clock.sleep(for: .seconds(10)) }
                return "second"
            }
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        let result = try await task.value
        #expect(result.attempts == 2)
        #expect(observer.events.all.contains { if case .timedOut(.attemptTimeout) = $0 { true } else { false } })
    }

    @Test func singleAttemptTimeoutIsAttemptTimeout() async throws {
        let clock = ManualClock(start: t0)
        let p = pipeline(.init(attemptTimeout: .seconds(1)), clock: clock)
        let task = Task { () -> ResilienceError.Code? in
            await self.code { () async throws(ResilienceError) in
                try await p.execute(request) { _ in
                    try await clock.sleep(for: .seconds(10))
                    return "late"
                }
            }
        }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(1))
        #expect(await task.value == .attemptTimeout)
    }

    @Test func totalTimeoutCoversRetryDelaysAndIsIgnoredByTheBreaker() async throws {
        let clock = ManualClock(start: t0)
        var slowRetry = quickRetry
        slowRetry.initialDelay = .seconds(5)
        slowRetry.maxDelay = .seconds(5)
        let breaker = CircuitBreaker(configuration: .init(minimumCalls: 1))
        let p = pipeline(.init(retry: slowRetry, circuitBreaker: .init(minimumCalls: 1), timeout: .seconds(3)), clock: clock, breaker: breaker)
        let task = Task { () -> ResilienceError.Code? in
            await self.code { () async throws(ResilienceError) in
                try await p.execute(request) { _ in throw UpstreamError.status(503) }
            }
        }
        await clock.waitForSleepers(count: 2)  // the total timer and the 5 s retry delay
        clock.advance(by: .seconds(3))
        #expect(await task.value == .timeout)
        #expect(breaker.state == .closed)
        #expect(breaker.metrics(now: clock.now).bufferedCalls == 0)
    }

    @Test func rateLimitWaitModeDelaysOnTheClock() async throws {
        let clock = ManualClock(start: t0)
        let observer = RecordingObserver()
        let limit = RateLimitConfiguration(algorithm: .gcra, limit: 1, period: .seconds(1), onLimit: .wait, maxWait: .seconds(2))
        let p = pipeline(.init(rateLimits: [limit]), clock: clock, observer: observer)
        _ = try await p.execute(request) { _ in "first" }
        let second = Task { try await p.execute(request) { _ in "second" } }
        await clock.waitForSleepers(count: 1)
        #expect(observer.events.all.contains { if case .rateLimitDelayed(_, .seconds(1)) = $0 { true } else { false } })
        clock.advance(by: .seconds(1))
        #expect(try await second.value.value == "second")
        // Now t0+1 s with the next slot at t0+2 s: two more waiters queue 1 s apart, a third would
        // wait 3 s, beyond maxWait, and is rejected with that time.
        let third = Task { try await p.execute(request) { _ in "third" } }
        await clock.waitForSleepers(count: 1)
        let fourth = Task { try await p.execute(request) { _ in "fourth" } }
        await clock.waitForSleepers(count: 2)
        do {
            _ = try await p.execute(request) { _ in "fifth" }
            Issue.record("expected a rejection")
        } catch {
            #expect(error.code == .rateLimitExceeded)
            #expect(error.retryAfter == .seconds(3))
        }
        clock.advance(by: .seconds(1))
        #expect(try await third.value.value == "third")
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(try await fourth.value.value == "fourth")
    }

    @Test func rateLimitRejectionCarriesTheExactRetryAfter() async {
        let limit = RateLimitConfiguration(algorithm: .tokenBucket, limit: 10, period: .seconds(1), burst: 1)
        let p = pipeline(.init(rateLimits: [limit]))
        _ = try? await p.execute(request) { _ in "x" }
        do {
            _ = try await p.execute(request) { _ in "x" }
        } catch {
            #expect(error.code == .rateLimitExceeded)
            #expect(error.retryAfter == .milliseconds(100))
        }
    }

    @Test func cancellationIsCancelled() async {
        let clock = ManualClock(start: t0)
        let p = pipeline(.init(retry: quickRetry), clock: clock)
        let task = Task { () -> ResilienceError.Code? in
            await self.code { () async throws(ResilienceError) in
                try await p.execute(request) { _ in
                    try await clock.sleep(for: .seconds(10))
                    return "never"
                }
            }
        }
        await clock.waitForSleepers(count: 1)
        task.cancel()
        #expect(await task.value == .cancelled)
    }
}
