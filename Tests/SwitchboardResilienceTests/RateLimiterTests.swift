import Testing

@testable import SwitchboardResilience

@Suite struct FixedWindowTests {
    @Test func admitsLimitPerWindowAndRejectsWithTimeToNextWindow() {
        var l = FixedWindowLimiter(limit: 3, period: .seconds(1))
        for _ in 0..<3 { #expect(l.acquire(now: at(ms: 100)) == .admitted) }
        #expect(l.acquire(now: at(ms: 250)) == .rejected(retryAfter: .milliseconds(750)))
        #expect(l.acquire(now: at(ms: 1000)) == .admitted)
    }

    @Test func admitsTwiceTheLimitAcrossTheBoundary() {
        var l = FixedWindowLimiter(limit: 5, period: .seconds(1))
        var admitted = 0
        for _ in 0..<10 where l.acquire(now: at(ms: 999)).isAdmitted { admitted += 1 }
        for _ in 0..<10 where l.acquire(now: at(ms: 1000)).isAdmitted { admitted += 1 }
        #expect(admitted == 10)  // within 1 ms: the known fixed-window weakness
    }

    @Test func windowsAreAlignedToTheEpoch() {
        var l = FixedWindowLimiter(limit: 1, period: .seconds(60))
        let start = ResilienceInstant(secondsSinceEpoch: 600 + 59)  // one second before a minute boundary
        #expect(l.acquire(now: start) == .admitted)
        #expect(l.acquire(now: start) == .rejected(retryAfter: .seconds(1)))
        #expect(l.windowStart == 600 * 1_000_000_000)
    }

    @Test func waitingReservesFutureWindowsInOrder() {
        var l = FixedWindowLimiter(limit: 2, period: .seconds(1))
        let now = at(ms: 200)
        #expect(l.acquire(now: now, maxWait: .seconds(5)) == .admitted)
        #expect(l.acquire(now: now, maxWait: .seconds(5)) == .admitted)
        #expect(l.acquire(now: now, maxWait: .seconds(5)) == .delayed(.milliseconds(800)))
        #expect(l.acquire(now: now, maxWait: .seconds(5)) == .delayed(.milliseconds(800)))
        #expect(l.acquire(now: now, maxWait: .seconds(5)) == .delayed(.milliseconds(1800)))
        #expect(l.acquire(now: now, maxWait: .seconds(5)) == .delayed(.milliseconds(1800)))
        #expect(l.acquire(now: now, maxWait: .seconds(1)) == .rejected(retryAfter: .milliseconds(2800)))
        // At the next window the reservations are still counted: windows +0 and +1 are taken.
        #expect(l.acquire(now: at(ms: 1000)) == .rejected(retryAfter: .seconds(2)))
    }

    @Test func multiPermitRequestsDoNotStraddleWindowsAndOversizedAreRefused() {
        var l = FixedWindowLimiter(limit: 3, period: .seconds(1))
        #expect(l.acquire(permits: 2, now: t0) == .admitted)
        #expect(l.acquire(permits: 2, now: t0) == .rejected(retryAfter: .seconds(1)))
        #expect(l.acquire(permits: 1, now: t0) == .admitted)
        #expect(l.acquire(permits: 4, now: t0) == .exceedsCapacity)
    }
}

@Suite struct SlidingLogTests {
    @Test func neverAdmitsMoreThanLimitInAnyWindow() {
        var l = SlidingLogLimiter(limit: 5, period: .seconds(1))
        var admittedAt: [Int64] = []
        for ms in stride(from: Int64(0), to: 5000, by: 37) {
            if l.acquire(now: at(ms: ms)) == .admitted { admittedAt.append(ms) }
        }
        for (i, a) in admittedAt.enumerated() {
            let inWindow = admittedAt[i...].prefix { $0 < a + 1000 }.count
            #expect(inWindow <= 5)
        }
        #expect(admittedAt.count >= 24)  // 5 per second over 5 s, minus sampling granularity
    }

    @Test func noBoundaryBurst() {
        var l = SlidingLogLimiter(limit: 5, period: .seconds(1))
        for _ in 0..<5 { #expect(l.acquire(now: at(ms: 999)) == .admitted) }
        #expect(l.acquire(now: at(ms: 1000)) == .rejected(retryAfter: .milliseconds(999)))
        #expect(l.acquire(now: at(ms: 1998)) == .rejected(retryAfter: .milliseconds(1)))
        #expect(l.acquire(now: at(ms: 1999)) == .admitted)
    }

    @Test func retryAfterIsWhenTheOldestNeededEntryExpires() {
        var l = SlidingLogLimiter(limit: 3, period: .seconds(10))
        #expect(l.acquire(now: at(ms: 0)) == .admitted)
        #expect(l.acquire(now: at(ms: 2000)) == .admitted)
        #expect(l.acquire(now: at(ms: 4000)) == .admitted)
        #expect(l.acquire(now: at(ms: 5000)) == .rejected(retryAfter: .seconds(5)))
        #expect(l.acquire(permits: 2, now: at(ms: 5000)) == .rejected(retryAfter: .seconds(7)))
        #expect(l.acquire(now: at(ms: 10_000)) == .admitted)
    }

    @Test func waitersAreQueuedAtDistinctInstants() {
        var l = SlidingLogLimiter(limit: 2, period: .seconds(1))
        #expect(l.acquire(now: at(ms: 0)) == .admitted)
        #expect(l.acquire(now: at(ms: 500)) == .admitted)
        #expect(l.acquire(now: at(ms: 600), maxWait: .seconds(3)) == .delayed(.milliseconds(400)))  // at 1000
        #expect(l.acquire(now: at(ms: 600), maxWait: .seconds(3)) == .delayed(.milliseconds(900)))  // at 1500
        #expect(l.acquire(now: at(ms: 600), maxWait: .seconds(3)) == .delayed(.milliseconds(1400)))  // at 2000
        #expect(l.acquire(now: at(ms: 700)) == .rejected(retryAfter: .milliseconds(1800)))  // queued behind, at 2500
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenSteadyRate() {
        var l = TokenBucketLimiter(capacity: 5, refill: 10, period: .seconds(1))  // one token per 100 ms
        for _ in 0..<5 { #expect(l.acquire(now: t0) == .admitted) }
        #expect(l.acquire(now: t0) == .rejected(retryAfter: .milliseconds(100)))
        #expect(l.acquire(now: at(ms: 99)) == .rejected(retryAfter: .milliseconds(1)))
        #expect(l.acquire(now: at(ms: 100)) == .admitted)
        #expect(l.acquire(now: at(ms: 150)) == .rejected(retryAfter: .milliseconds(50)))
        #expect(l.acquire(now: at(ms: 200)) == .admitted)
        // Idle long enough refills to capacity, not beyond.
        for _ in 0..<5 { #expect(l.acquire(now: at(ms: 60_000)) == .admitted) }
        #expect(!l.acquire(now: at(ms: 60_000)).isAdmitted)
    }

    @Test func refillIsExactForNonIntegralIntervals() {
        var l = TokenBucketLimiter(capacity: 2, refill: 3, period: .seconds(1))  // one token per 333.33 ms
        #expect(l.acquire(permits: 2, now: t0) == .admitted)
        #expect(l.acquire(now: t0) == .rejected(retryAfter: .nanoseconds(333_333_334)))
        // Coming back exactly at each retryAfter is admitted, and 3 tokens take exactly one second.
        var now = t0
        for _ in 0..<9 {
            guard case .rejected(let wait) = l.acquire(now: now) else {
                Issue.record("expected a rejection")
                return
            }
            now += wait
            #expect(l.acquire(now: now) == .admitted)
        }
        #expect(now == at(ms: 3000))
    }

    @Test func costAndWaitersSpacedAtTheRefillRate() {
        var l = TokenBucketLimiter(capacity: 4, refill: 4, period: .seconds(1))
        #expect(l.acquire(permits: 3, now: t0) == .admitted)
        #expect(l.acquire(permits: 2, now: t0, maxWait: .seconds(2)) == .delayed(.milliseconds(250)))
        #expect(l.acquire(permits: 2, now: t0, maxWait: .seconds(2)) == .delayed(.milliseconds(750)))
        #expect(l.acquire(permits: 1, now: t0, maxWait: .milliseconds(500)) == .rejected(retryAfter: .seconds(1)))
        #expect(l.acquire(permits: 5, now: t0) == .exceedsCapacity)
    }
}

@Suite struct GCRATests {
    @Test func strictSpacingWithBurstOne() {
        var l = GCRALimiter(limit: 10, period: .seconds(1), burst: 1)  // T = 100 ms
        #expect(l.emissionInterval == .milliseconds(100))
        #expect(l.acquire(now: t0) == .admitted)
        #expect(l.acquire(now: at(ms: 1)) == .rejected(retryAfter: .milliseconds(99)))
        #expect(l.acquire(now: at(ms: 100)) == .admitted)
        #expect(l.acquire(now: at(ms: 150)) == .rejected(retryAfter: .milliseconds(50)))
        #expect(l.acquire(now: at(ms: 200)) == .admitted)
        #expect(l.theoreticalArrivalTime == at(ms: 300))
    }

    @Test func burstThenOnePerEmissionInterval() {
        var l = GCRALimiter(limit: 10, period: .seconds(1), burst: 3)
        for _ in 0..<3 { #expect(l.acquire(now: t0) == .admitted) }
        #expect(l.acquire(now: t0) == .rejected(retryAfter: .milliseconds(100)))
        var pattern: [Int64] = []
        for ms in stride(from: Int64(0), through: 1000, by: 10) where l.acquire(now: at(ms: ms)) == .admitted {
            pattern.append(ms)
        }
        #expect(pattern == [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    }

    @Test func waitersAreSpacedByTheEmissionInterval() {
        var l = GCRALimiter(limit: 10, period: .seconds(1), burst: 1)
        #expect(l.acquire(now: t0, maxWait: .seconds(1)) == .admitted)
        #expect(l.acquire(now: t0, maxWait: .seconds(1)) == .delayed(.milliseconds(100)))
        #expect(l.acquire(now: t0, maxWait: .seconds(1)) == .delayed(.milliseconds(200)))
        #expect(l.acquire(now: t0, maxWait: .milliseconds(250)) == .rejected(retryAfter: .milliseconds(300)))
    }

    @Test func matchesTheTokenBucketWithTheSameParameters() {
        var g = GCRALimiter(limit: 7, period: .seconds(1), burst: 4)
        var b = TokenBucketLimiter(capacity: 4, refill: 7, period: .seconds(1))
        var rng = SeededRandomNumberGenerator(seed: 7)
        var ms: Int64 = 0
        for _ in 0..<5000 {
            ms += Int64.random(in: 0...300, using: &rng)
            let permits = Int.random(in: 1...3, using: &rng)
            #expect(g.acquire(permits: permits, now: at(ms: ms)) == b.acquire(permits: permits, now: at(ms: ms)))
        }
    }
}

@Suite struct RateLimiterRegistryTests {
    @Test func keysAreIndependentAndConfigurationChangesResetState() {
        let registry = RateLimiterRegistry()
        let config = RateLimitConfiguration(algorithm: .fixedWindow, limit: 1, period: .seconds(1))
        let a = RateLimitKey(scope: .connectionMethod, connectionID: "c1", method: "m", definitionID: "d")
        let b = RateLimitKey(scope: .connectionMethod, connectionID: "c2", method: "m", definitionID: "d")
        #expect(registry.acquireNow(key: a, configuration: config, now: t0) == .admitted)
        #expect(registry.acquireNow(key: a, configuration: config, now: t0) == .rejected(retryAfter: .seconds(1)))
        #expect(registry.acquireNow(key: b, configuration: config, now: t0) == .admitted)
        var bigger = config
        bigger.limit = 2
        #expect(registry.acquireNow(key: a, configuration: bigger, now: t0) == .admitted)
        #expect(registry.count == 2)
        #expect(registry.removeIdle(before: at(ms: 1)) == 2)
    }

    @Test func definitionScopeIsSharedAcrossConnections() async throws {
        let registry = RateLimiterRegistry()
        let config = RateLimitConfiguration(algorithm: .gcra, limit: 2, period: .seconds(1), scope: .definition)
        var admitted = 0
        for conn in ["c1", "c2", "c3"] {
            let key = RateLimitKey(scope: .definition, connectionID: conn, method: "m", definitionID: "stripe")
            #expect(key.description == "definition:stripe")
            if try await registry.acquire(key: key, configuration: config, permits: 1, now: t0, maxWait: .zero).isAdmitted {
                admitted += 1
            }
        }
        #expect(admitted == 2)
    }
}

@Suite struct RateLimiterStateTests {
    @Test(arguments: RateLimitConfiguration.Algorithm.allCases)
    func persistingAndRestoringStateAfterEveryDecisionChangesNothing(algorithm: RateLimitConfiguration.Algorithm) {
        let config = RateLimitConfiguration(algorithm: algorithm, limit: 5, period: .seconds(1), burst: 3)
        var continuous = RateLimiter(configuration: config)
        var stored = RateLimiterState.fresh
        var rng = SeededRandomNumberGenerator(seed: 11)
        var ms: Int64 = 0
        for _ in 0..<3000 {
            ms += Int64.random(in: 0...250, using: &rng)
            let permits = Int.random(in: 1...2, using: &rng)
            let maxWait: Duration = Bool.random(using: &rng) ? .zero : .milliseconds(700)
            var restored = RateLimiter(configuration: config, state: stored)
            let expected = continuous.acquire(permits: permits, now: at(ms: ms), maxWait: maxWait)
            #expect(restored.acquire(permits: permits, now: at(ms: ms), maxWait: maxWait) == expected)
            stored = restored.state
        }
        #expect(stored != .fresh)
    }
}
