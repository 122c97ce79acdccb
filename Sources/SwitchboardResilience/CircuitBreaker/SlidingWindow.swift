/// The calls a circuit breaker remembers: the last N calls, or the calls of the last N seconds.
///
/// Count-based: a ring of the last `size` outcomes; recording a call evicts the oldest.
/// Time-based: `size` per-second buckets keyed by wall-clock second; a bucket is emptied when its
/// second falls out of the window (`second <= now - size`), as resilience4j's `SlidingTimeWindowMetrics`.
/// Totals are kept incrementally, so every operation is O(1) (time-based: O(seconds elapsed), at most `size`).
struct SlidingWindow: Sendable {
    /// Totals over the window.
    struct Tally: Sendable, Equatable {
        var calls = 0
        var failures = 0
        var slow = 0

        mutating func add(failed: Bool, slow isSlow: Bool) {
            calls += 1
            if failed { failures += 1 }
            if isSlow { slow += 1 }
        }
    }

    private struct Bucket: Sendable {
        var second: Int64 = .min
        var tally = Tally()
    }

    let isTimeBased: Bool
    let size: Int
    private(set) var total = Tally()

    private var ring: [UInt8]  // count-based: bit 0 failed, bit 1 slow
    private var head = 0
    private var buckets: [Bucket]  // time-based
    private var latestSecond: Int64 = .min

    init(_ window: CircuitBreakerConfiguration.Window) {
        switch window {
        case .count(let size):
            isTimeBased = false
            self.size = max(1, size)
            ring = []
            ring.reserveCapacity(self.size)
            buckets = []
        case .time(let seconds):
            isTimeBased = true
            size = max(1, seconds)
            ring = []
            buckets = Array(repeating: Bucket(), count: size)
        }
    }

    /// Records one call at `now`.
    mutating func record(failed: Bool, slow: Bool, now: ResilienceInstant) {
        if isTimeBased {
            let second = advance(to: now)
            let i = bucketIndex(second)
            buckets[i].second = second
            buckets[i].tally.add(failed: failed, slow: slow)
        } else {
            let code: UInt8 = (failed ? 1 : 0) | (slow ? 2 : 0)
            if ring.count < size {
                ring.append(code)
            } else {
                let old = ring[head]
                total.calls -= 1
                if old & 1 != 0 { total.failures -= 1 }
                if old & 2 != 0 { total.slow -= 1 }
                ring[head] = code
                head = head + 1 == size ? 0 : head + 1
            }
        }
        total.add(failed: failed, slow: slow)
    }

    /// Evicts what has aged out by `now` (time-based only) and returns the totals.
    mutating func tally(now: ResilienceInstant) -> Tally {
        if isTimeBased { _ = advance(to: now) }
        return total
    }

    /// Forgets every call.
    mutating func reset() {
        total = Tally()
        ring.removeAll(keepingCapacity: true)
        head = 0
        if isTimeBased {
            for i in buckets.indices { buckets[i] = Bucket() }
            latestSecond = .min
        }
    }

    private func bucketIndex(_ second: Int64) -> Int {
        let n = Int64(size)
        return Int((second % n + n) % n)
    }

    /// Empties the buckets of seconds that left the window; returns the current second.
    private mutating func advance(to now: ResilienceInstant) -> Int64 {
        let second = now.secondsSinceEpoch
        guard second > latestSecond else { return max(second, latestSecond) }
        if latestSecond == .min || second - latestSecond >= Int64(size) {
            if total.calls != 0 {
                for i in buckets.indices { buckets[i] = Bucket() }
                total = Tally()
            }
        } else {
            var s = latestSecond + 1
            while s <= second {
                let i = bucketIndex(s)
                let b = buckets[i]
                if b.second != .min && b.second <= second - Int64(size) {
                    total.calls -= b.tally.calls
                    total.failures -= b.tally.failures
                    total.slow -= b.tally.slow
                    buckets[i] = Bucket()
                }
                s += 1
            }
        }
        latestSecond = second
        return second
    }
}
