/// An exact sliding-window limiter (a sliding log): at most `limit` permits in any window of
/// length `period`, i.e. for every instant `t`, the permits admitted in `(t - period, t]`.
///
/// Keeps one entry per admission instant (permits admitted at the same instant share an entry), so
/// memory is O(limit) per key; suited to the small limits of per-connection quotas. It never admits
/// the 2x burst a fixed window allows at its boundary.
///
/// Waiting: requests are placed in FIFO order at the earliest instant no earlier than the last
/// entry at which the window has room; the entry is written at that future instant, so later
/// requests queue behind it.
///
/// **Persisted state** (for a shared SQL store): the admission instants and their permit counts
/// per key (e.g. a table `(key, at_ns, permits)`, trimmed to `at_ns > now - period`); a decision
/// sums the rows in the window and inserts one, under a row lock on the key.
public struct SlidingLogLimiter: Sendable, Equatable {
    public let limit: Int
    public let period: Duration
    private let periodNs: Int64
    var times: [Int64] = []
    var counts: [Int] = []
    var head = 0
    var total = 0

    public init(limit: Int, period: Duration) {
        precondition(limit > 0 && period > .zero, "limit and period must be positive")
        self.limit = limit
        self.period = period
        periodNs = period.nanosecondsClamped
    }

    /// Permits currently remembered (in the window, or reserved in the future).
    public var permitsInLog: Int { total }

    /// Asks for `permits` at `now`, waiting at most `maxWait` (zero: answer now).
    public mutating func acquire(permits: Int = 1, now: ResilienceInstant, maxWait: Duration = .zero) -> RateLimitDecision {
        guard permits <= limit else { return .exceedsCapacity }
        let t = now.nanosecondsSinceEpoch
        // Forget entries that left the window (an entry at `a` counts while t < a + period).
        while head < times.count, times[head] <= t - periodNs {
            total -= counts[head]
            head += 1
        }
        compactIfNeeded()
        var x = max(t, times.last ?? t)
        var remaining = total
        var i = head
        while i < times.count, times[i] <= x - periodNs || remaining + permits > limit {
            if times[i] > x - periodNs { x = times[i] + periodNs }
            remaining -= counts[i]
            i += 1
        }
        let wait = x - t
        if wait == 0 {
            append(at: t, permits: permits)
            return .admitted
        }
        if maxWait > .zero, Duration.nanoseconds(wait) <= maxWait {
            append(at: x, permits: permits)
            return .delayed(.nanoseconds(wait))
        }
        return .rejected(retryAfter: .nanoseconds(wait))
    }

    private mutating func append(at time: Int64, permits: Int) {
        if let last = times.last, last == time, times.count > head {
            counts[counts.count - 1] += permits
        } else {
            times.append(time)
            counts.append(permits)
        }
        total += permits
    }

    private mutating func compactIfNeeded() {
        if head == times.count {
            times.removeAll(keepingCapacity: true)
            counts.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32, head * 2 >= times.count {
            times.removeFirst(head)
            counts.removeFirst(head)
            head = 0
        }
    }
}
