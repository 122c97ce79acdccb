/// The retry schedule of one call: fed each failed attempt, it answers retry-after-delay or give up.
///
/// A pure state machine: no clock reads and no sleeping; the caller passes `now` and sleeps.
///
/// ```swift
/// var retry = RetryStateMachine(configuration: config, startedAt: clock.now, httpMethod: "GET")
/// while true {
///     do { return try await attempt() } catch {
///         switch retry.attemptFailed(.classify(error), now: clock.now, using: &rng) {
///         case .retry(let delay, _): try await clock.sleep(for: delay)
///         case .giveUp(let reason): throw ...
///         }
///     }
/// }
/// ```
public struct RetryStateMachine: Sendable {
    /// Why a retry is scheduled with the delay it has.
    public enum DelaySource: Sendable, Equatable {
        /// Exponential backoff with jitter.
        case backoff
        /// The response's `Retry-After` header.
        case retryAfter
        /// The provider's quota reset header.
        case rateLimitReset
    }

    /// Why the call ends without another attempt.
    public enum GiveUpReason: Sendable, Equatable {
        /// The failure is not in `retryOn`.
        case notRetryable
        /// The method is not idempotent and neither opts in nor sends an idempotency key.
        case notIdempotent
        /// `maxAttempts` attempts were made.
        case attemptsExhausted
        /// The next attempt would start after the total deadline.
        case deadlineExceeded
        /// The server asked to wait `retryAfter` (Retry-After or quota reset), longer than allowed
        /// (`maxServerDelay`) or past the deadline.
        case throttled(retryAfter: Duration)
    }

    /// The answer to a failed attempt.
    public enum Decision: Sendable, Equatable {
        case retry(after: Duration, source: DelaySource)
        case giveUp(GiveUpReason)
    }

    public let configuration: RetryConfiguration
    /// When the first attempt started; the total deadline counts from here.
    public let startedAt: ResilienceInstant
    /// Whether the call's method allows retries (see ``RetryConfiguration/allowsRetry(httpMethod:)``).
    public let retriesAllowed: Bool
    /// The number of the attempt in progress (1 for the first).
    public private(set) var attempt: Int = 1
    private var previousDelay: Duration

    public init(configuration: RetryConfiguration, startedAt: ResilienceInstant, httpMethod: String? = nil) {
        self.configuration = configuration
        self.startedAt = startedAt
        self.retriesAllowed = configuration.allowsRetry(httpMethod: httpMethod)
        self.previousDelay = configuration.initialDelay
    }

    /// The deadline after which no retry starts, if any.
    public var deadline: ResilienceInstant? { configuration.totalDeadline.map { startedAt + $0 } }

    /// Records that the current attempt failed with `failure` at `now`; on `.retry` the attempt
    /// number advances.
    public mutating func attemptFailed(
        _ failure: AttemptFailure,
        now: ResilienceInstant,
        using rng: inout some RandomNumberGenerator
    ) -> Decision {
        let c = configuration
        let quotaDelay = c.rateLimitHeaders?.delayUntilReset(failure.headers, now: now)
        let throttledByQuota =
            quotaDelay != nil && (failure.status == 429 || failure.status == 403) && failure.kind == .httpStatus
        guard c.retryOn.matches(failure) || throttledByQuota else { return .giveUp(.notRetryable) }
        guard retriesAllowed || failure.kind.provesRequestNotSent else { return .giveUp(.notIdempotent) }

        var serverDelay: Duration?
        var source = DelaySource.backoff
        if c.respectRetryAfter, let header = failure.headers["retry-after"], let d = RetryAfter.delay(from: header, now: now) {
            serverDelay = d
            source = .retryAfter
        }
        if let q = quotaDelay, q > (serverDelay ?? .zero) || serverDelay == nil {
            serverDelay = q
            source = .rateLimitReset
        }
        if let wait = serverDelay {
            if wait > c.maxServerDelay { return .giveUp(.throttled(retryAfter: wait)) }
            if let deadline, now + wait > deadline { return .giveUp(.throttled(retryAfter: wait)) }
        }
        guard attempt < c.maxAttempts else { return .giveUp(.attemptsExhausted) }

        let delay: Duration
        if let wait = serverDelay {
            delay = wait
        } else {
            delay = c.jitter.delay(
                retry: attempt, base: c.initialDelay, cap: c.maxDelay, multiplier: c.multiplier,
                previous: previousDelay, using: &rng)
            previousDelay = delay
        }
        if let deadline, now + delay > deadline { return .giveUp(.deadlineExceeded) }
        attempt += 1
        return .retry(after: delay, source: source)
    }
}
