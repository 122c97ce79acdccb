/// The Generic Cell Rate Algorithm: a leaky bucket as a meter (ITU-T I.371, virtual scheduling form).
///
/// One permit is emitted every `T = period / limit` (the emission interval); `burst` permits may
/// arrive back to back from idle (burst tolerance `tau = (burst - 1) * T`). The only state is the
/// theoretical arrival time `TAT`. A request for `n` permits at `t`:
///
/// ```
/// newTAT  = max(TAT, t) + n * T
/// allowAt = newTAT - burst * T          // = newTAT - (tau + T)
/// admit when allowAt <= t (TAT = newTAT), else retryAfter = allowAt - t
/// ```
///
/// Arithmetic is exact: times are kept multiplied by `limit`, so `T` is an integer.
///
/// Waiting: the request is admitted at `allowAt` and TAT moves on, so waiters are spaced by `T`.
///
/// **Persisted state** (for a shared SQL store): a single timestamp per key, `tat`, in nanoseconds
/// since the epoch (store `ceil(TAT / limit)`; the rounding is below a nanosecond per decision).
/// One atomic statement decides:
/// ```sql
/// INSERT INTO rate_limits (key, tat) VALUES ($key, $now + $n * $T)
/// ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $now) + $n * $T
/// WHERE GREATEST(rate_limits.tat, $now) + $n * $T - $burst * $T <= $now
/// RETURNING tat;   -- no row: rejected; retryAfter = GREATEST(tat, now) + n*T - burst*T - now
/// ```
public struct GCRALimiter: Sendable, Equatable {
    public let limit: Int
    public let period: Duration
    public let burst: Int
    private let scale: Int128
    private let emissionScaled: Int128  // T * limit = period in ns
    /// TAT times `limit`; `.min` until the first request.
    var tatScaled: Int128 = .min

    /// - Parameters:
    ///   - limit: permits per `period` (the steady rate).
    ///   - period: the period of `limit`.
    ///   - burst: permits admissible back to back from idle (1: strict spacing).
    public init(limit: Int, period: Duration, burst: Int) {
        precondition(limit > 0 && burst > 0 && period > .zero, "limit, burst and period must be positive")
        self.limit = limit
        self.period = period
        self.burst = burst
        scale = Int128(limit)
        emissionScaled = Int128(period.nanosecondsClamped)
    }

    /// The emission interval `T`.
    public var emissionInterval: Duration { period / limit }

    /// The theoretical arrival time, as persisted (rounded up to the nanosecond); `nil` before the first request.
    public var theoreticalArrivalTime: ResilienceInstant? {
        tatScaled == .min ? nil : ResilienceInstant(nanosecondsSinceEpoch: Int64(clamping: ceilDiv(tatScaled, scale)))
    }

    /// Asks for `permits` at `now`, waiting at most `maxWait` (zero: answer now).
    public mutating func acquire(permits: Int = 1, now: ResilienceInstant, maxWait: Duration = .zero) -> RateLimitDecision {
        guard permits <= burst else { return .exceedsCapacity }
        let t = Int128(now.nanosecondsSinceEpoch) * scale
        let newTAT = max(tatScaled, t) + Int128(permits) * emissionScaled
        let allowAt = newTAT - Int128(burst) * emissionScaled
        if allowAt <= t {
            tatScaled = newTAT
            return .admitted
        }
        let wait = Duration.nanosecondsSaturating(ceilDiv(allowAt - t, scale))
        if maxWait > .zero, wait <= maxWait {
            tatScaled = newTAT
            return .delayed(wait)
        }
        return .rejected(retryAfter: wait)
    }
}
