import Synchronization

/// A ``ResponseCache`` shared between tasks (one per method, or one per node keyed by connection
/// and method), behind a lock.
public final class ResponseCacheStore<Value: Sendable>: Sendable {
    private let cache: Mutex<ResponseCache<Value>>

    public init(configuration: CacheConfiguration) {
        cache = Mutex(ResponseCache(ttl: configuration.ttl, maxEntries: configuration.maxEntries))
    }

    public func value(forKey key: ResponseCacheKey, now: ResilienceInstant) -> Value? {
        cache.withLock { $0.value(forKey: key, now: now) }
    }

    public func staleValue(forKey key: ResponseCacheKey) -> (value: Value, storedAt: ResilienceInstant)? {
        cache.withLock { $0.staleValue(forKey: key) }
    }

    public func insert(_ value: Value, forKey key: ResponseCacheKey, now: ResilienceInstant) {
        cache.withLock { $0.insert(value, forKey: key, now: now) }
    }

    @discardableResult
    public func removeValue(forKey key: ResponseCacheKey) -> Bool {
        cache.withLock { $0.removeValue(forKey: key) }
    }

    public var count: Int { cache.withLock { $0.count } }
}
