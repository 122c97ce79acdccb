/// A point in wall-clock time, as nanoseconds since the Unix epoch.
///
/// Every resilience state machine takes `now` as one of these instead of reading a clock, so
/// tests drive time by hand and the PostgreSQL-backed limiter state can be compared across nodes
/// (which is why this is wall time, not a monotonic instant). Good until the year 2262.
///
/// ```swift
/// let t0 = ResilienceInstant(secondsSinceEpoch: 1_700_000_000)
/// let t1 = t0 + .milliseconds(250)
/// t1 - t0  // .milliseconds(250)
/// ```
public struct ResilienceInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanosecondsSinceEpoch: Int64

    @inlinable
    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    @inlinable
    public init(secondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = secondsSinceEpoch &* 1_000_000_000
    }

    /// The Unix epoch, handy as the origin of a manual clock.
    public static let epoch = ResilienceInstant(nanosecondsSinceEpoch: 0)

    /// Whole seconds since the epoch, rounded down.
    @inlinable
    public var secondsSinceEpoch: Int64 {
        let (q, r) = nanosecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000_000)
        return r < 0 ? q - 1 : q
    }

    @inlinable
    public static func < (lhs: ResilienceInstant, rhs: ResilienceInstant) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Saturates at the representable range instead of overflowing.
    @inlinable
    public static func + (lhs: ResilienceInstant, rhs: Duration) -> ResilienceInstant {
        let (sum, overflow) = lhs.nanosecondsSinceEpoch.addingReportingOverflow(rhs.nanosecondsClamped)
        return ResilienceInstant(nanosecondsSinceEpoch: overflow ? (rhs > .zero ? .max : .min) : sum)
    }

    /// Saturates at the representable range instead of overflowing.
    @inlinable
    public static func - (lhs: ResilienceInstant, rhs: Duration) -> ResilienceInstant {
        let (difference, overflow) = lhs.nanosecondsSinceEpoch.subtractingReportingOverflow(rhs.nanosecondsClamped)
        return ResilienceInstant(nanosecondsSinceEpoch: overflow ? (rhs > .zero ? .min : .max) : difference)
    }

    @inlinable
    public static func += (lhs: inout ResilienceInstant, rhs: Duration) { lhs = lhs + rhs }

    /// The signed time from `rhs` to `lhs`.
    @inlinable
    public static func - (lhs: ResilienceInstant, rhs: ResilienceInstant) -> Duration {
        .nanoseconds(lhs.nanosecondsSinceEpoch &- rhs.nanosecondsSinceEpoch)
    }

    /// `ns@<nanoseconds>`; enough to read test failures.
    public var description: String { "ns@\(nanosecondsSinceEpoch)" }
}

extension Duration {
    /// This duration in whole nanoseconds (truncated), clamped to the `Int64` range.
    @inlinable
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// This duration in milliseconds as a `Double` (for messages and metrics).
    @inlinable
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
