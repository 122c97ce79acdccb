#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The source of time for the resilience layers: reads wall time and sleeps.
///
/// The state machines never read a clock; the pipeline, the bulkhead and `withTimeout` do, through
/// this protocol, so tests substitute ``ManualClock`` and advance time by hand.
public protocol ResilienceClock: Sendable {
    /// The current wall time.
    var now: ResilienceInstant { get }

    /// Suspends until `deadline` (returns at once when it has passed).
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: ResilienceInstant) async throws
}

extension ResilienceClock {
    /// Suspends for `duration` (returns at once for zero or negative durations).
    public func sleep(for duration: Duration) async throws {
        if duration <= .zero {
            try Task.checkCancellation()
            return
        }
        try await sleep(until: now + duration)
    }
}

/// The real clock: `CLOCK_REALTIME` for `now`, `ContinuousClock` for sleeping.
public struct SystemResilienceClock: ResilienceClock {
    public init() {}

    public var now: ResilienceInstant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ResilienceInstant(nanosecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    public func sleep(until deadline: ResilienceInstant) async throws {
        let remaining = deadline - now
        if remaining <= .zero {
            try Task.checkCancellation()
            return
        }
        try await ContinuousClock().sleep(for: remaining)
    }
}
