import JSONValue

/// Provider rate-limit headers a definition names, e.g. `x-ratelimit-remaining` and `x-ratelimit-reset`.
///
/// When a failed response says the quota is used up (`remaining` is `0`) and carries a reset
/// time, the retry layer waits until that time (if it is within the deadline) instead of backing off.
/// A response whose status is 429 or 403 with `remaining: 0` is treated as retryable throttling
/// even if the status is not in `retryOn` (GitHub answers 403 when the quota is exhausted).
///
/// ```yaml
/// rateLimitHeaders: {remaining: x-ratelimit-remaining, reset: x-ratelimit-reset, resetFormat: epoch_seconds}
/// ```
public struct RateLimitResetHeaders: Sendable, Equatable {
    /// How the reset header's number is read.
    public enum ResetFormat: String, Sendable, CaseIterable {
        /// Unix time in seconds (GitHub's `x-ratelimit-reset`).
        case epochSeconds = "epoch_seconds"
        /// Unix time in milliseconds.
        case epochMilliseconds = "epoch_milliseconds"
        /// Seconds from now (many APIs' `x-ratelimit-reset`, IETF draft `RateLimit-Reset`).
        case deltaSeconds = "delta_seconds"
    }

    public var remainingHeader: String
    public var resetHeader: String
    public var resetFormat: ResetFormat

    public init(
        remainingHeader: String = "x-ratelimit-remaining",
        resetHeader: String = "x-ratelimit-reset",
        resetFormat: ResetFormat = .epochSeconds
    ) {
        self.remainingHeader = remainingHeader
        self.resetHeader = resetHeader
        self.resetFormat = resetFormat
    }

    /// Whether `headers` say the quota is exhausted.
    public func isExhausted(_ headers: HeaderFields) -> Bool {
        guard let remaining = headers[remainingHeader]?.trimmingSpaces() else { return false }
        return Double(remaining) == 0
    }

    /// The delay until the quota resets, when `headers` say it is exhausted and name a reset time.
    /// A reset time in the past gives `.zero`.
    public func delayUntilReset(_ headers: HeaderFields, now: ResilienceInstant) -> Duration? {
        guard isExhausted(headers), let text = headers[resetHeader]?.trimmingSpaces(), let value = Double(text),
            value.isFinite, value >= 0, value < 1e15
        else { return nil }
        let delay: Duration
        switch resetFormat {
        case .deltaSeconds: delay = .nanoseconds(Int64(value * 1e9))
        case .epochSeconds: delay = ResilienceInstant(nanosecondsSinceEpoch: Int64(value * 1e9)) - now
        case .epochMilliseconds: delay = ResilienceInstant(nanosecondsSinceEpoch: Int64(value * 1e6)) - now
        }
        return max(delay, .zero)
    }

    init(json: JSON, path: String) throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init(
            remainingHeader: r.string("remaining") ?? "x-ratelimit-remaining",
            resetHeader: r.string("reset") ?? "x-ratelimit-reset",
            resetFormat: r.choice("resetFormat", default: .epochSeconds)
        )
        r.rejectUnknownKeys()
        try r.finish()
    }
}
