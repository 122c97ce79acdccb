/// How a retry delay is randomised, as in the AWS Architecture Blog article
/// "Exponential Backoff and Jitter" (Marc Brooker, 2015).
///
/// With `base` the initial delay, `cap` the maximum delay, `m` the multiplier and `n` the retry
/// number (1 for the first retry), let `v = min(cap, base * m^(n-1))`:
///
/// | jitter | delay |
/// |---|---|
/// | `none` | `v` |
/// | `full` | `random(0, v)` |
/// | `equal` | `v/2 + random(0, v/2)` |
/// | `decorrelated` | `min(cap, random(base, previous * 3))`, with `previous` starting at `base` (the multiplier is not used) |
public enum Jitter: String, Sendable, Hashable, CaseIterable {
    case none
    case full
    case equal
    case decorrelated

    /// The delay before retry number `retry` (1-based).
    ///
    /// - Parameters:
    ///   - retry: 1 for the first retry, 2 for the second, ...
    ///   - base: the initial delay.
    ///   - cap: the maximum delay.
    ///   - multiplier: the exponential growth factor (the article uses 2).
    ///   - previous: the previous delay, for `decorrelated` (pass `base` before the first retry).
    ///   - rng: the random source.
    public func delay(
        retry: Int,
        base: Duration,
        cap: Duration,
        multiplier: Double,
        previous: Duration,
        using rng: inout some RandomNumberGenerator
    ) -> Duration {
        let baseNs = Double(base.nanosecondsClamped)
        let capNs = Double(cap.nanosecondsClamped)
        switch self {
        case .decorrelated:
            let upper = Double(previous.nanosecondsClamped) * 3
            let drawn = upper > baseNs ? Double.random(in: baseNs...upper, using: &rng) : baseNs
            return .nanoseconds(Int64(min(capNs, drawn)))
        case .none, .full, .equal:
            let exponential = baseNs * pow(multiplier, Double(max(0, retry - 1)))
            let v = min(capNs, exponential.isFinite ? exponential : capNs)
            let ns: Double
            switch self {
            case .none: ns = v
            case .full: ns = v > 0 ? Double.random(in: 0...v, using: &rng) : 0
            default: ns = v / 2 + (v > 0 ? Double.random(in: 0...(v / 2), using: &rng) : 0)
            }
            return .nanoseconds(Int64(ns))
        }
    }
}

@inline(__always)
private func pow(_ x: Double, _ y: Double) -> Double {
    // Integral exponents only (retry numbers); avoids importing libm for one call.
    var result = 1.0
    var factor = x
    var e = Int(y)
    while e > 0 {
        if e & 1 == 1 { result *= factor }
        factor *= factor
        e >>= 1
    }
    return result
}
