import Synchronization

/// The in-process ``RateLimitStore``: limiters keyed by ``RateLimitKey`` behind one lock.
///
/// Used alone with SQLite (a single node) and in tests; a decision costs one dictionary lookup
/// and one limiter step under a `Mutex`.
public final class RateLimiterRegistry: RateLimitStore {
    private struct Entry {
        var limiter: RateLimiter
        var lastUsed: ResilienceInstant
    }

    private let entries = Mutex<[RateLimitKey: Entry]>([:])

    public init() {}

    /// The synchronous decision (see ``RateLimitStore/acquire(key:configuration:permits:now:maxWait:)``).
    public func acquireNow(
        key: RateLimitKey,
        configuration: RateLimitConfiguration,
        permits: Int = 1,
        now: ResilienceInstant,
        maxWait: Duration = .zero
    ) -> RateLimitDecision {
        entries.withLock { entries in
            if entries[key] == nil || !entries[key]!.limiter.configuration.sameLimiter(as: configuration) {
                entries[key] = Entry(limiter: RateLimiter(configuration: configuration), lastUsed: now)
            }
            entries[key]!.lastUsed = now
            return entries[key]!.limiter.acquire(permits: permits, now: now, maxWait: maxWait)
        }
    }

    public func acquire(
        key: RateLimitKey,
        configuration: RateLimitConfiguration,
        permits: Int,
        now: ResilienceInstant,
        maxWait: Duration
    ) async throws -> RateLimitDecision {
        acquireNow(key: key, configuration: configuration, permits: permits, now: now, maxWait: maxWait)
    }

    /// The number of keys held.
    public var count: Int { entries.withLock { $0.count } }

    /// Drops limiters not used since `cutoff` (their state has usually decayed to "full" by then;
    /// pick a cutoff older than the longest period). Returns how many were dropped.
    @discardableResult
    public func removeIdle(before cutoff: ResilienceInstant) -> Int {
        entries.withLock { entries in
            let before = entries.count
            entries = entries.filter { $0.value.lastUsed >= cutoff }
            return before - entries.count
        }
    }
}
