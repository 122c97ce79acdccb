/// Any of the four limiters, chosen by a ``RateLimitConfiguration``.
///
/// (Stored as optionals rather than an enum with payloads so that mutating the sliding log's
/// arrays happens in place, without copy-on-write.)
public struct RateLimiter: Sendable {
    public let configuration: RateLimitConfiguration
    var fixedWindow: FixedWindowLimiter?
    var slidingLog: SlidingLogLimiter?
    var tokenBucket: TokenBucketLimiter?
    var gcra: GCRALimiter?

    public init(configuration c: RateLimitConfiguration) {
        configuration = c
        switch c.algorithm {
        case .fixedWindow: fixedWindow = FixedWindowLimiter(limit: c.limit, period: c.period)
        case .slidingWindow: slidingLog = SlidingLogLimiter(limit: c.limit, period: c.period)
        case .tokenBucket: tokenBucket = TokenBucketLimiter(capacity: c.burst, refill: c.limit, period: c.period)
        case .gcra: gcra = GCRALimiter(limit: c.limit, period: c.period, burst: c.burst)
        }
    }

    /// Asks for `permits` at `now`, waiting at most `maxWait` (zero: answer now).
    public mutating func acquire(permits: Int = 1, now: ResilienceInstant, maxWait: Duration = .zero) -> RateLimitDecision {
        if tokenBucket != nil { return tokenBucket!.acquire(permits: permits, now: now, maxWait: maxWait) }
        if gcra != nil { return gcra!.acquire(permits: permits, now: now, maxWait: maxWait) }
        if fixedWindow != nil { return fixedWindow!.acquire(permits: permits, now: now, maxWait: maxWait) }
        return slidingLog!.acquire(permits: permits, now: now, maxWait: maxWait)
    }
}
