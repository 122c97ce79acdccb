/// The answer of a rate limiter to a request for permits.
public enum RateLimitDecision: Sendable, Equatable {
    /// Admitted now.
    case admitted
    /// Admitted after waiting `delay` (only when the caller allowed waiting): the permits are
    /// reserved, so later callers queue behind this one instead of piling onto the same instant.
    case delayed(Duration)
    /// Not admitted. `retryAfter` is exact: the same request made `retryAfter` later is admitted,
    /// provided nobody else takes the capacity first.
    case rejected(retryAfter: Duration)
    /// The request costs more permits than the limiter can ever admit at once.
    case exceedsCapacity

    /// Whether the request may proceed (now or after the delay).
    public var isAdmitted: Bool {
        switch self {
        case .admitted, .delayed: true
        case .rejected, .exceedsCapacity: false
        }
    }
}

extension Duration {
    /// `ns` nanoseconds, saturating.
    @inlinable
    static func nanosecondsSaturating(_ ns: Int128) -> Duration {
        .nanoseconds(Int64(clamping: ns))
    }
}

/// Ceiling division for non-negative numerators and positive denominators.
@inlinable
func ceilDiv(_ a: Int128, _ b: Int128) -> Int128 {
    (a + b - 1) / b
}
