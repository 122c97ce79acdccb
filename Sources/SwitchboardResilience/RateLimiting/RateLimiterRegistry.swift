import Synchronization

/// The in-process ``RateLimitStore``: limiters keyed by ``RateLimitKey`` behind one lock.
///
/// Used alone with SQLite (a single node) and in tests; a decision costs one hash of the key and
/// one limiter step under a `Mutex` (limiters live in an array indexed by a dictionary, so the
/// step mutates in place).
public final class RateLimiterRegistry: RateLimitStore {
    private struct Entry {
        var limiter: RateLimiter
        var lastUsed: ResilienceInstant
    }

    private struct State {
        var index: [RateLimitKey: Int] = [:]
        var keys: [RateLimitKey] = []
        var entries: [Entry] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The synchronous decision (see ``RateLimitStore/acquire(key:configuration:permits:now:maxWait:)``).
    public func acquireNow(
        key: RateLimitKey,
        configuration: RateLimitConfiguration,
        permits: Int = 1,
        now: ResilienceInstant,
        maxWait: Duration = .zero
    ) -> RateLimitDecision {
        state.withLock { s in
            guard let i = s.index[key] else {
                var limiter = RateLimiter(configuration: configuration)
                let decision = limiter.acquire(permits: permits, now: now, maxWait: maxWait)
                s.index[key] = s.entries.count
                s.keys.append(key)
                s.entries.append(Entry(limiter: limiter, lastUsed: now))
                return decision
            }
            if !s.entries[i].limiter.configuration.sameLimiter(as: configuration) {
                s.entries[i].limiter = RateLimiter(configuration: configuration)
            }
            s.entries[i].lastUsed = now
            return s.entries[i].limiter.acquire(permits: permits, now: now, maxWait: maxWait)
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
    public var count: Int { state.withLock { $0.entries.count } }

    /// Drops limiters not used since `cutoff` (their state has usually decayed to "full" by then;
    /// pick a cutoff older than the longest period). Returns how many were dropped.
    @discardableResult
    public func removeIdle(before cutoff: ResilienceInstant) -> Int {
        state.withLock { s in
            var kept = State()
            for (i, entry) in s.entries.enumerated() where entry.lastUsed >= cutoff {
                kept.index[s.keys[i]] = kept.entries.count
                kept.keys.append(s.keys[i])
                kept.entries.append(entry)
            }
            let dropped = s.entries.count - kept.entries.count
            s = kept
            return dropped
        }
    }
}
