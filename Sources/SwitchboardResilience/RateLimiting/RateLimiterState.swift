/// The state of one limiter, for stores that keep it outside the process (PostgreSQL): read it
/// after a decision with ``RateLimiter/state``, write it back with ``RateLimiter/init(configuration:state:)``.
///
/// A store that cannot do the decision in one SQL statement can run it in Swift inside a
/// transaction: `SELECT … FOR UPDATE`, restore, `acquire`, `UPDATE`. Times are nanoseconds since
/// the Unix epoch; "scaled" values are multiplied by the limiter's `limit` (GCRA) or period in ns
/// (token bucket), which keeps the arithmetic exact (store them as `NUMERIC`).
public enum RateLimiterState: Sendable, Equatable {
    /// Never used (equivalent to a full bucket / empty window).
    case fresh
    /// ``FixedWindowLimiter``: the window start and the permits counted from it.
    case fixedWindow(windowStart: Int64, used: Int)
    /// ``SlidingLogLimiter``: admission instants and their permits, oldest first.
    case slidingLog([LogEntry])
    /// ``TokenBucketLimiter``: tokens × period-in-ns, and the time of the last refill.
    case tokenBucket(scaledTokens: Int128, updatedAt: Int64)
    /// ``GCRALimiter``: the theoretical arrival time × limit.
    case gcra(scaledTAT: Int128)

    /// One entry of a sliding log.
    public struct LogEntry: Sendable, Equatable {
        public var at: Int64
        public var permits: Int

        public init(at: Int64, permits: Int) {
            self.at = at
            self.permits = permits
        }
    }
}

extension RateLimiter {
    /// A limiter for `configuration` resuming from `state` (a state of another algorithm is ignored).
    public init(configuration: RateLimitConfiguration, state: RateLimiterState) {
        self.init(configuration: configuration)
        switch state {
        case .fresh: break
        case .fixedWindow(let start, let used):
            fixedWindow?.windowStart = start
            fixedWindow?.used = used
        case .slidingLog(let entries):
            slidingLog?.times = entries.map(\.at)
            slidingLog?.counts = entries.map(\.permits)
            slidingLog?.head = 0
            slidingLog?.total = entries.reduce(0) { $0 + $1.permits }
        case .tokenBucket(let tokens, let updatedAt):
            tokenBucket?.scaledTokens = tokens
            tokenBucket?.last = updatedAt
        case .gcra(let tat):
            gcra?.tatScaled = tat
        }
    }

    /// The state to persist after a decision.
    public var state: RateLimiterState {
        if let l = fixedWindow { return l.windowStart == .min ? .fresh : .fixedWindow(windowStart: l.windowStart, used: l.used) }
        if let l = tokenBucket { return l.last == .min ? .fresh : .tokenBucket(scaledTokens: l.scaledTokens, updatedAt: l.last) }
        if let l = gcra { return l.tatScaled == .min ? .fresh : .gcra(scaledTAT: l.tatScaled) }
        if let l = slidingLog {
            return .slidingLog((l.head..<l.times.count).map { RateLimiterState.LogEntry(at: l.times[$0], permits: l.counts[$0]) })
        }
        return .fresh
    }
}
