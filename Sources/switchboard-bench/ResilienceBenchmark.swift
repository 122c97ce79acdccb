import SwitchboardResilience

/// `switchboard-bench resilience`: the in-process cost of one breaker or limiter decision.
///
/// Options: `--decisions N` (2,000,000 per measurement), `--iterations K` (5; the best pass is
/// reported). Time advances by a fixed step per decision (passed in, as the state machines take
/// it), so each limiter sees a realistic mix of admissions and rejections. Prints ns/decision;
/// the target is under 1 µs.
enum ResilienceBenchmark {
    static func run(arguments: [String]) throws {
        var decisions = 2_000_000
        var iterations = 5
        var i = 0
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--decisions": decisions = max(1, Int(value) ?? decisions)
            case "--iterations": iterations = max(1, Int(value) ?? iterations)
            default: print("unknown argument \(arguments[i]); options: --decisions N --iterations K")
            }
            i += 2
        }
        let start = ResilienceInstant(secondsSinceEpoch: 1_700_000_000)
        let step: Int64 = 1000  // 1 µs per decision, in nanoseconds (the clock hands out instants directly)
        print("decisions per pass: \(decisions), best of \(iterations) passes")

        report("breaker count window (tryAcquire + record)", decisions, iterations) { n in
            var b = CircuitBreakerStateMachine(configuration: .init(window: .count(size: 100), minimumCalls: 20))
            var now = start
            var permitted = 0
            for k in 0..<n {
                now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                if b.tryAcquire(now: now).isPermitted {
                    permitted += 1
                    _ = b.record(k % 10 == 0 ? .failure(.milliseconds(5)) : .success(.milliseconds(5)), now: now)
                }
            }
            return permitted
        }
        report("breaker time window 60 s (tryAcquire + record)", decisions, iterations) { n in
            var b = CircuitBreakerStateMachine(configuration: .init(window: .time(seconds: 60), minimumCalls: 20))
            var now = start
            var permitted = 0
            for k in 0..<n {
                now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                if b.tryAcquire(now: now).isPermitted {
                    permitted += 1
                    _ = b.record(k % 10 == 0 ? .failure(.milliseconds(5)) : .success(.milliseconds(5)), now: now)
                }
            }
            return permitted
        }
        report("breaker open (tryAcquire rejects)", decisions, iterations) { n in
            var b = CircuitBreakerStateMachine(configuration: .init(minimumCalls: 1, waitInOpen: .seconds(3600)))
            _ = b.tryAcquire(now: start)
            _ = b.record(.failure(.zero), now: start)
            var now = start
            var rejected = 0
            for _ in 0..<n {
                now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                if !b.tryAcquire(now: now).isPermitted { rejected += 1 }
            }
            return rejected
        }
        report("shared CircuitBreaker (Mutex; tryAcquire + record)", decisions, iterations) { n in
            let b = CircuitBreaker(configuration: .init(window: .count(size: 100), minimumCalls: 20))
            var now = start
            var permitted = 0
            for _ in 0..<n {
                now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                if b.tryAcquire(now: now).isPermitted {
                    permitted += 1
                    b.record(.success(.milliseconds(5)), now: now)
                }
            }
            return permitted
        }

        // 1000 permits per second, one request per microsecond: about 0.1% admitted in steady state.
        let limits: [(String, RateLimitConfiguration)] = [
            ("fixed window", .init(algorithm: .fixedWindow, limit: 1000, period: .seconds(1))),
            ("sliding log", .init(algorithm: .slidingWindow, limit: 1000, period: .seconds(1))),
            ("token bucket", .init(algorithm: .tokenBucket, limit: 1000, period: .seconds(1), burst: 100)),
            ("gcra", .init(algorithm: .gcra, limit: 1000, period: .seconds(1), burst: 100)),
        ]
        for (name, config) in limits {
            report("limiter \(name) acquire", decisions, iterations) { n in
                var limiter = RateLimiter(configuration: config)
                var now = start
                var admitted = 0
                for _ in 0..<n {
                    now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                    if limiter.acquire(now: now).isAdmitted { admitted += 1 }
                }
                return admitted
            }
        }
        for (name, config) in limits {
            report("limiter \(name) acquire, 100% admitted (rate above demand)", decisions, iterations) { n in
                var c = config
                c.limit = 2_000_000
                c.burst = 2_000_000
                var limiter = RateLimiter(configuration: c)
                var now = start
                var admitted = 0
                for _ in 0..<n {
                    now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                    if limiter.acquire(now: now).isAdmitted { admitted += 1 }
                }
                return admitted
            }
        }
        report("RateLimiterRegistry.acquireNow (Mutex + keyed lookup, gcra)", decisions, iterations) { n in
            let registry = RateLimiterRegistry()
            let config = RateLimitConfiguration(algorithm: .gcra, limit: 1000, period: .seconds(1), burst: 100)
            let keys = (0..<64).map { RateLimitKey(scope: .connectionMethod, key: "conn_\($0)/contacts.list") }
            var now = start
            var admitted = 0
            for k in 0..<n {
                now = ResilienceInstant(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch &+ step)
                if registry.acquireNow(key: keys[k & 63], configuration: config, now: now).isAdmitted { admitted += 1 }
            }
            return admitted
        }
    }

    /// The pipeline end to end (async): a call rejected by an open circuit (`CIRCUIT_OPEN`, the
    /// upstream untouched), and a successful call through every layer with a trivial operation.
    /// Separate from ``run(arguments:)`` because it must await; call it from an async context.
    static func runPipeline(calls: Int = 200_000) async {
        let clock = SystemResilienceClock()
        let openBreaker = CircuitBreaker(configuration: .init(waitInOpen: .seconds(3600)))
        _ = openBreaker.forceOpen(now: clock.now)
        let request = ResilienceRequest(definitionID: "d", connectionID: "c", method: "m", httpMethod: "GET")
        let rejecting = ResiliencePipeline<Int, SystemResilienceClock>(
            configuration: .init(retry: .init(), circuitBreaker: .init()), clock: clock, circuitBreaker: openBreaker)
        var rejected = 0
        let started = ContinuousClock.now
        for _ in 0..<calls {
            do { _ = try await rejecting.execute(request) { _ in 1 } } catch { if error.code == .circuitOpen { rejected += 1 } }
        }
        let openElapsed = ContinuousClock.now - started
        let openNs = Double(openElapsed.components.seconds) * 1e9 + Double(openElapsed.components.attoseconds) / 1e9
        print("pipeline CIRCUIT_OPEN rejection: \(Int(openNs / Double(calls))) ns/call (\(rejected) rejected)")

        let config = ResilienceConfiguration(
            retry: .init(), circuitBreaker: .init(),
            rateLimits: [.init(algorithm: .gcra, limit: 1_000_000_000, period: .seconds(1))],
            bulkhead: .init(maxConcurrent: 10), timeout: nil, attemptTimeout: nil)
        let full = ResiliencePipeline<Int, SystemResilienceClock>(
            configuration: config, clock: clock, bulkhead: Bulkhead(configuration: .init(maxConcurrent: 10)),
            rateLimitStore: RateLimiterRegistry(), circuitBreaker: CircuitBreaker(configuration: .init()))
        var succeeded = 0
        let t1 = ContinuousClock.now
        for _ in 0..<calls {
            if let r = try? await full.execute(request, operation: { _ in 1 }) { succeeded += r.value }
        }
        let elapsed = ContinuousClock.now - t1
        let okNs = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        print("pipeline success through bulkhead, rate limiter, breaker, retry: \(Int(okNs / Double(calls))) ns/call (\(succeeded) ok)")
    }

    private static func report(_ name: String, _ decisions: Int, _ iterations: Int, _ body: (Int) -> Int) {
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000_000)
        var sink = 0
        for _ in 0..<iterations {
            var result = 0
            let elapsed = clock.measure { result = body(decisions) }
            sink &+= result
            best = min(best, elapsed)
        }
        let ns = Double(best.components.seconds) * 1e9 + Double(best.components.attoseconds) / 1e9
        let perDecision = ns / Double(decisions)
        let rounded = (perDecision * 10).rounded() / 10
        print("\(name): \(rounded) ns/decision (\(sink / iterations) passed per pass)")
    }
}
