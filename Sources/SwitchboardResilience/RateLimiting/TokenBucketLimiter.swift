/// A token bucket: holds up to `capacity` tokens, refilled continuously at `refill` tokens per
/// `period`; a request takes `permits` tokens. Starts full, so a burst of `capacity` passes at
/// once, then the steady rate applies.
///
/// Arithmetic is exact: tokens are kept in units of `1 / (period in ns)` of a token, so refills and
/// `retryAfter` have no rounding drift (`retryAfter` is rounded up to the nanosecond).
///
/// Waiting: the bucket may go negative by the reserved tokens, and each waiter is told how long
/// until its own tokens have refilled, so waiters are spaced at the refill rate.
///
/// **Persisted state** (for a shared SQL store): `(tokens, updated_at)` per key. Equivalently
/// (and simpler in SQL) a single GCRA theoretical arrival time: see ``GCRALimiter``; both admit the
/// same pattern for the same limit, period and burst.
public struct TokenBucketLimiter: Sendable, Equatable {
    public let capacity: Int
    public let refill: Int
    public let period: Duration
    private let periodNs: Int128
    private let fullScaled: Int128
    /// Tokens times `periodNs`; negative while waiters hold reservations.
    var scaledTokens: Int128
    var last: Int64 = .min

    /// - Parameters:
    ///   - capacity: the burst size (bucket size).
    ///   - refill: tokens added per `period`.
    public init(capacity: Int, refill: Int, period: Duration) {
        precondition(capacity > 0 && refill > 0 && period > .zero, "capacity, refill and period must be positive")
        self.capacity = capacity
        self.refill = refill
        self.period = period
        periodNs = Int128(period.nanosecondsClamped)
        fullScaled = Int128(capacity) * periodNs
        scaledTokens = fullScaled
    }

    /// The tokens available at the last decision (fractional; negative while reserved).
    public var tokens: Double { Double(scaledTokens) / Double(periodNs) }

    /// Asks for `permits` at `now`, waiting at most `maxWait` (zero: answer now).
    public mutating func acquire(permits: Int = 1, now: ResilienceInstant, maxWait: Duration = .zero) -> RateLimitDecision {
        guard permits <= capacity else { return .exceedsCapacity }
        let t = now.nanosecondsSinceEpoch
        if t > last {
            if last != .min {
                let added = Int128(t - last) * Int128(refill)
                scaledTokens = min(fullScaled, scaledTokens + added)
            }
            last = t
        }
        let need = Int128(permits) * periodNs
        if scaledTokens >= need {
            scaledTokens -= need
            return .admitted
        }
        let wait = Duration.nanosecondsSaturating(ceilDiv(need - scaledTokens, Int128(refill)))
        if maxWait > .zero, wait <= maxWait {
            scaledTokens -= need
            return .delayed(wait)
        }
        return .rejected(retryAfter: wait)
    }
}
