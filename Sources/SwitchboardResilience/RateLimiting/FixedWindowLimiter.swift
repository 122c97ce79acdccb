/// A fixed-window counter: at most `limit` permits per window of `period`, windows aligned to the
/// Unix epoch (so every node agrees on the boundaries).
///
/// Known property: a client can get `2 * limit` permits across a boundary (the end of one window
/// and the start of the next).
///
/// Waiting: a delayed request is counted against the first future window with room; `used` then
/// exceeds `limit` and the excess carries into later windows as time passes. A multi-permit request
/// never straddles two windows (the rest of a window it does not fit in is skipped).
///
/// **Persisted state** (for a shared SQL store): `(window_start, used)` per key, both integers.
/// Without waiting, one statement decides:
/// ```sql
/// INSERT INTO rate_limits (key, window_start, used) VALUES ($key, $windowStart, $cost)
/// ON CONFLICT (key) DO UPDATE SET
///   window_start = EXCLUDED.window_start,
///   used = CASE WHEN rate_limits.window_start = EXCLUDED.window_start THEN rate_limits.used + $cost ELSE $cost END
/// WHERE rate_limits.window_start <> EXCLUDED.window_start OR rate_limits.used + $cost <= $limit
/// RETURNING used;   -- no row returned: rejected, retryAfter = window_start + period - now
/// ```
public struct FixedWindowLimiter: Sendable, Equatable {
    public let limit: Int
    public let period: Duration
    private let periodNs: Int64
    /// The start of the window `used` counts from, in nanoseconds since the epoch.
    public internal(set) var windowStart: Int64 = .min
    /// Permits counted from `windowStart` on (may exceed `limit` when waiting requests reserved later windows).
    public internal(set) var used = 0

    public init(limit: Int, period: Duration) {
        precondition(limit > 0 && period > .zero, "limit and period must be positive")
        self.limit = limit
        self.period = period
        periodNs = period.nanosecondsClamped
    }

    /// Asks for `permits` at `now`, waiting at most `maxWait` (zero: answer now).
    public mutating func acquire(permits: Int = 1, now: ResilienceInstant, maxWait: Duration = .zero) -> RateLimitDecision {
        guard permits <= limit else { return .exceedsCapacity }
        let t = now.nanosecondsSinceEpoch
        let current = floorDiv(t, periodNs) * periodNs
        if current > windowStart {
            if windowStart == .min {
                used = 0
            } else {
                let elapsed = (current - windowStart) / periodNs
                used = elapsed >= Int64(Int.max / limit) ? 0 : max(0, used - Int(elapsed) * limit)
            }
            windowStart = current
        }
        var k = used / limit
        var start = used
        if used % limit + permits > limit {
            k += 1
            start = k * limit
        }
        if k == 0 {
            used = start + permits
            return .admitted
        }
        let wait = Duration.nanoseconds(windowStart + Int64(k) * periodNs - t)
        if maxWait > .zero, wait <= maxWait {
            used = start + permits
            return .delayed(wait)
        }
        return .rejected(retryAfter: wait)
    }
}

@inlinable
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
