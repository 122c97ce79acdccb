import Testing

@testable import SwitchboardResilience

@Suite struct JitterTests {
    let base = Duration.milliseconds(100)
    let cap = Duration.seconds(2)

    func draws(_ jitter: Jitter, retry: Int, count: Int = 10_000) -> [Duration] {
        var rng = SeededRandomNumberGenerator(seed: 99)
        return (0..<count).map { _ in
            jitter.delay(retry: retry, base: base, cap: cap, multiplier: 2, previous: base, using: &rng)
        }
    }

    @Test func noneIsTheCappedExponential() {
        var rng = SeededRandomNumberGenerator(seed: 1)
        let delays = (1...7).map { Jitter.none.delay(retry: $0, base: base, cap: cap, multiplier: 2, previous: base, using: &rng) }
        #expect(delays == [100, 200, 400, 800, 1600, 2000, 2000].map { .milliseconds($0) })
    }

    @Test func fullJitterIsUniformBetweenZeroAndTheExponential() {
        let d = draws(.full, retry: 3)  // v = 400 ms
        #expect(d.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(d.contains { $0 < .milliseconds(20) })
        #expect(d.contains { $0 > .milliseconds(380) })
        let mean = d.reduce(0.0) { $0 + $1.milliseconds } / Double(d.count)
        #expect(abs(mean - 200) < 10)
    }

    @Test func equalJitterKeepsHalfTheExponential() {
        let d = draws(.equal, retry: 3)  // v/2 + random(0, v/2) with v = 400 ms
        #expect(d.allSatisfy { $0 >= .milliseconds(200) && $0 <= .milliseconds(400) })
        #expect(d.contains { $0 < .milliseconds(210) })
        #expect(d.contains { $0 > .milliseconds(390) })
    }

    @Test func fullJitterRespectsTheCap() {
        let d = draws(.full, retry: 20)
        #expect(d.allSatisfy { $0 >= .zero && $0 <= cap })
        #expect(d.contains { $0 > .milliseconds(1900) })
    }

    @Test func decorrelatedJitterStaysBetweenBaseAndThreeTimesPreviousCapped() {
        var rng = SeededRandomNumberGenerator(seed: 5)
        var previous = base
        var sawCap = false
        for retry in 1...10_000 {
            let d = Jitter.decorrelated.delay(retry: retry, base: base, cap: cap, multiplier: 2, previous: previous, using: &rng)
            #expect(d >= base)
            #expect(d <= min(cap, previous * 3))
            if d == cap { sawCap = true }
            previous = d
        }
        #expect(sawCap)
    }
}

@Suite struct RetryAfterTests {
    let now = ResilienceInstant(secondsSinceEpoch: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func deltaSeconds() {
        #expect(RetryAfter.delay(from: "120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(from: " 0 ", now: now) == .zero)
        #expect(RetryAfter.delay(from: "-1", now: now) == nil)
        #expect(RetryAfter.delay(from: "1.5", now: now) == nil)
    }

    @Test func httpDateInAllThreeFormats() {
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:51:37 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.delay(from: "Sunday, 06-Nov-94 08:51:37 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.delay(from: "Sun Nov  6 08:51:37 1994", now: now) == .seconds(120))
    }

    @Test func pastDateMeansNoWait() {
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
    }

    @Test func garbageIsRejected() {
        #expect(RetryAfter.delay(from: "soon", now: now) == nil)
        #expect(RetryAfter.delay(from: "Sun, 31 Feb 1994 08:51:37 GMT", now: now) == nil)
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 25:51:37 GMT", now: now) == nil)
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:51:37 PST", now: now) == nil)
    }

    @Test func httpDateRoundTripsAndResolvesTwoDigitYears() {
        let instant = ResilienceInstant(secondsSinceEpoch: 1_763_719_200)
        let text = HTTPDate.format(instant)
        #expect(text == "Fri, 21 Nov 2025 10:00:00 GMT")
        #expect(HTTPDate.parse(text, now: instant) == instant)
        // RFC 850 "25" read in 2025 is 2025, "80" is 1980 (2080 would be more than 50 years ahead).
        #expect(HTTPDate.parse("Friday, 21-Nov-25 10:00:00 GMT", now: instant) == instant)
        #expect(HTTPDate.parse("Friday, 21-Nov-80 10:00:00 GMT", now: instant).map(HTTPDate.format) == "Fri, 21 Nov 1980 10:00:00 GMT")
    }
}

@Suite struct RetryStateMachineTests {
    var rng = SeededRandomNumberGenerator(seed: 3)

    func machine(_ c: RetryConfiguration = .init(jitter: .none), method: String? = "GET") -> RetryStateMachine {
        RetryStateMachine(configuration: c, startedAt: t0, httpMethod: method)
    }

    @Test mutating func retriesRetryableFailuresUntilMaxAttemptsFirstCallIncluded() {
        var m = machine(.init(maxAttempts: 3, initialDelay: .milliseconds(100), jitter: .none))
        #expect(m.attemptFailed(.http(503), now: t0, using: &rng) == .retry(after: .milliseconds(100), source: .backoff))
        #expect(m.attempt == 2)
        #expect(m.attemptFailed(.kind(.timeout), now: t0, using: &rng) == .retry(after: .milliseconds(200), source: .backoff))
        #expect(m.attemptFailed(.http(503), now: t0, using: &rng) == .giveUp(.attemptsExhausted))
        #expect(m.attempt == 3)
    }

    @Test mutating func nonRetryableFailuresEndAtOnce() {
        var m = machine()
        #expect(m.attemptFailed(.http(400), now: t0, using: &rng) == .giveUp(.notRetryable))
        #expect(m.attemptFailed(.kind(.other), now: t0, using: &rng) == .giveUp(.notRetryable))
        #expect(m.attemptFailed(.http(501), now: t0, using: &rng) == .giveUp(.notRetryable))
    }

    @Test mutating func defaultRetryableStatusesAndKinds() {
        for status in [408, 425, 429, 500, 502, 503, 504] {
            var m = machine()
            #expect(m.attemptFailed(.http(status), now: t0, using: &rng) != .giveUp(.notRetryable), "\(status)")
        }
        for kind in [FailureKind.timeout, .connectionReset, .connectionRefused, .dnsFailure, .networkUnreachable] {
            var m = machine()
            #expect(m.attemptFailed(.kind(kind), now: t0, using: &rng) != .giveUp(.notRetryable), "\(kind)")
        }
    }

    @Test mutating func postAndPatchAreNotRetriedUnlessOptedIn() {
        for method in ["POST", "PATCH"] {
            var m = machine(method: method)
            #expect(m.attemptFailed(.http(503), now: t0, using: &rng) == .giveUp(.notIdempotent))
        }
        for method in ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"] {
            var m = machine(method: method)
            #expect(m.attemptFailed(.http(503), now: t0, using: &rng) != .giveUp(.notIdempotent))
        }
        var optedIn = machine(.init(jitter: .none, retryNonIdempotent: true), method: "POST")
        #expect(optedIn.attemptFailed(.http(503), now: t0, using: &rng) != .giveUp(.notIdempotent))
        let keyed = RetryConfiguration(idempotencyKeyHeader: "Idempotency-Key")
        var withKey = machine(keyed, method: "POST")
        #expect(withKey.attemptFailed(.http(503), now: t0, using: &rng) != .giveUp(.notIdempotent))
        #expect(keyed.sendsIdempotencyKey(httpMethod: "POST"))
        #expect(!keyed.sendsIdempotencyKey(httpMethod: "GET"))
    }

    @Test mutating func failuresBeforeSendingAreRetriedEvenForPost() {
        var m = machine(method: "POST")
        #expect(m.attemptFailed(.kind(.connectionRefused), now: t0, using: &rng) != .giveUp(.notIdempotent))
        #expect(m.attemptFailed(.kind(.connectionReset), now: t0, using: &rng) == .giveUp(.notIdempotent))
    }

    @Test mutating func retryAfterReplacesBackoffInBothForms() {
        var m = machine(.init(maxAttempts: 5, jitter: .none))
        let seconds = AttemptFailure.http(429, headers: ["Retry-After": "7"])
        #expect(m.attemptFailed(seconds, now: t0, using: &rng) == .retry(after: .seconds(7), source: .retryAfter))
        let date = AttemptFailure.http(503, headers: ["retry-after": HTTPDate.format(t0 + .seconds(12))])
        #expect(m.attemptFailed(date, now: t0, using: &rng) == .retry(after: .seconds(12), source: .retryAfter))
    }

    @Test mutating func retryAfterBeyondTheDeadlineGivesUpAsThrottled() {
        var m = machine(.init(jitter: .none, totalDeadline: .seconds(10)))
        let f = AttemptFailure.http(429, headers: ["Retry-After": "30"])
        #expect(m.attemptFailed(f, now: t0, using: &rng) == .giveUp(.throttled(retryAfter: .seconds(30))))
        var lenient = machine(.init(jitter: .none, maxServerDelay: .seconds(20)))
        #expect(lenient.attemptFailed(f, now: t0, using: &rng) == .giveUp(.throttled(retryAfter: .seconds(30))))
    }

    @Test mutating func backoffPastTheDeadlineGivesUp() {
        var m = machine(.init(maxAttempts: 10, initialDelay: .seconds(1), jitter: .none, totalDeadline: .seconds(4)))
        #expect(m.attemptFailed(.http(503), now: at(ms: 0), using: &rng) == .retry(after: .seconds(1), source: .backoff))
        #expect(m.attemptFailed(.http(503), now: at(ms: 1000), using: &rng) == .retry(after: .seconds(2), source: .backoff))
        #expect(m.attemptFailed(.http(503), now: at(ms: 3000), using: &rng) == .giveUp(.deadlineExceeded))
    }

    @Test mutating func providerResetHeadersAsEpochOrDeltaSeconds() {
        let epoch = RateLimitResetHeaders(resetFormat: .epochSeconds)
        var m = machine(.init(jitter: .none, rateLimitHeaders: epoch))
        let reset = "\(t0.secondsSinceEpoch + 9)"
        let exhausted = AttemptFailure.http(429, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset])
        #expect(m.attemptFailed(exhausted, now: t0, using: &rng) == .retry(after: .seconds(9), source: .rateLimitReset))

        let delta = RateLimitResetHeaders(resetFormat: .deltaSeconds)
        var d = machine(.init(jitter: .none, rateLimitHeaders: delta))
        let f = AttemptFailure.http(403, headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "4"])
        #expect(d.attemptFailed(f, now: t0, using: &rng) == .retry(after: .seconds(4), source: .rateLimitReset))

        // Quota not exhausted: the header is not a reason to wait, and 403 is not retryable.
        var n = machine(.init(jitter: .none, rateLimitHeaders: delta))
        let notExhausted = AttemptFailure.http(403, headers: ["x-ratelimit-remaining": "3", "x-ratelimit-reset": "4"])
        #expect(n.attemptFailed(notExhausted, now: t0, using: &rng) == .giveUp(.notRetryable))
    }

    @Test mutating func resetBeyondTheDeadlineGivesUpWithTheResetTime() {
        let headers = RateLimitResetHeaders(resetFormat: .deltaSeconds)
        var m = machine(.init(jitter: .none, totalDeadline: .seconds(30), rateLimitHeaders: headers))
        let f = AttemptFailure.http(429, headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "45"])
        #expect(m.attemptFailed(f, now: t0, using: &rng) == .giveUp(.throttled(retryAfter: .seconds(45))))
    }

    @Test func idempotencyKeysAreUUIDv4() {
        var rng = SeededRandomNumberGenerator(seed: 1)
        let a = IdempotencyKey.make(using: &rng)
        let b = IdempotencyKey.make(using: &rng)
        #expect(a != b)
        #expect(a.count == 36)
        #expect(Array(a)[14] == "4")
        #expect("89ab".contains(Array(a)[19]))
    }
}
