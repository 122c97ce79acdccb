/// A TTL + LRU cache of responses, as a value type with `now` passed in.
///
/// A lookup returns only fresh entries (stored less than `ttl` ago) and marks them most recently
/// used; inserting beyond `maxEntries` evicts the least recently used entry. Expired entries stay
/// until evicted or overwritten, so ``staleValue(forKey:)`` can serve the "last good response"
/// fallback.
///
/// All operations are O(1): a dictionary from key to slot and a doubly linked list over slots.
public struct ResponseCache<Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var key: ResponseCacheKey
        var value: Value
        var storedAt: ResilienceInstant
        var prev: Int
        var next: Int
    }

    public let ttl: Duration
    public let maxEntries: Int
    private var index: [ResponseCacheKey: Int] = [:]
    private var slots: [Slot] = []
    private var head = -1  // most recently used
    private var tail = -1  // least recently used

    public init(ttl: Duration, maxEntries: Int) {
        precondition(maxEntries > 0, "maxEntries must be positive")
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    public var count: Int { index.count }

    /// The fresh value for `key` at `now`, marking it most recently used.
    public mutating func value(forKey key: ResponseCacheKey, now: ResilienceInstant) -> Value? {
        guard let i = index[key], now - slots[i].storedAt < ttl else { return nil }
        moveToFront(i)
        return slots[i].value
    }

    /// The value for `key` however old, with when it was stored (for the last-good-response fallback).
    public func staleValue(forKey key: ResponseCacheKey) -> (value: Value, storedAt: ResilienceInstant)? {
        guard let i = index[key] else { return nil }
        return (slots[i].value, slots[i].storedAt)
    }

    /// Stores `value` for `key` at `now`, evicting the least recently used entry when full.
    public mutating func insert(_ value: Value, forKey key: ResponseCacheKey, now: ResilienceInstant) {
        if let i = index[key] {
            slots[i].value = value
            slots[i].storedAt = now
            moveToFront(i)
            return
        }
        let i: Int
        if slots.count < maxEntries {
            i = slots.count
            slots.append(Slot(key: key, value: value, storedAt: now, prev: -1, next: -1))
        } else {
            i = tail
            unlink(i)
            index[slots[i].key] = nil
            slots[i] = Slot(key: key, value: value, storedAt: now, prev: -1, next: -1)
        }
        index[key] = i
        linkAtFront(i)
    }

    /// Removes `key`; returns whether it was present.
    @discardableResult
    public mutating func removeValue(forKey key: ResponseCacheKey) -> Bool {
        guard let i = index[key] else { return false }
        // Keep slots dense: move the last slot into the hole.
        unlink(i)
        index[key] = nil
        let last = slots.count - 1
        if i != last {
            let moved = slots[last]
            unlink(last)
            slots[i] = moved
            slots[i].prev = -1
            slots[i].next = -1
            index[moved.key] = i
            linkAtFront(i)
        }
        slots.removeLast()
        return true
    }

    private mutating func unlink(_ i: Int) {
        let p = slots[i].prev
        let n = slots[i].next
        if p >= 0 { slots[p].next = n } else { head = n }
        if n >= 0 { slots[n].prev = p } else { tail = p }
        slots[i].prev = -1
        slots[i].next = -1
    }

    private mutating func linkAtFront(_ i: Int) {
        slots[i].prev = -1
        slots[i].next = head
        if head >= 0 { slots[head].prev = i }
        head = i
        if tail < 0 { tail = i }
    }

    private mutating func moveToFront(_ i: Int) {
        guard head != i else { return }
        unlink(i)
        linkAtFront(i)
    }
}
