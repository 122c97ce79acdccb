/// Why a call through the resilience pipeline failed, with a stable machine code.
///
/// | code | meaning | `retryAfter` |
/// |---|---|---|
/// | `CIRCUIT_OPEN` | the circuit breaker rejected the call; the upstream was not touched | time left in open |
/// | `RATE_LIMIT_EXCEEDED` | a rate limit rejected the call, or the upstream asked to wait longer than allowed | exact |
/// | `BULKHEAD_FULL` | too many concurrent calls and the wait queue was full, or the queue wait timed out | - |
/// | `TIMEOUT` | the total timeout of the call expired | - |
/// | `ATTEMPT_TIMEOUT` | the single attempt (retries disabled or not applicable) timed out | - |
/// | `RETRIES_EXHAUSTED` | every allowed attempt failed (or the retry deadline left no room); wraps the last error | - |
/// | `OPERATION_FAILED` | the operation failed in a way that is not retried; wraps its error | - |
/// | `CANCELLED` | the caller cancelled the call | - |
public struct ResilienceError: Error, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case circuitOpen = "CIRCUIT_OPEN"
        case rateLimitExceeded = "RATE_LIMIT_EXCEEDED"
        case bulkheadFull = "BULKHEAD_FULL"
        case timeout = "TIMEOUT"
        case attemptTimeout = "ATTEMPT_TIMEOUT"
        case retriesExhausted = "RETRIES_EXHAUSTED"
        case operationFailed = "OPERATION_FAILED"
        case cancelled = "CANCELLED"
    }

    public var code: Code
    /// A human message (never contains secrets: only durations, counts and codes).
    public var message: String
    /// When the caller may try again, if known.
    public var retryAfter: Duration?
    /// Attempts made on the upstream (0 when a layer rejected the call before any attempt).
    public var attempts: Int
    /// The operation's last error, for `RETRIES_EXHAUSTED`, `OPERATION_FAILED` and upstream throttling.
    public var underlying: (any Error)?
    /// The classification of the last failed attempt.
    public var lastFailure: AttemptFailure?

    public init(
        code: Code,
        message: String,
        retryAfter: Duration? = nil,
        attempts: Int = 0,
        underlying: (any Error)? = nil,
        lastFailure: AttemptFailure? = nil
    ) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.attempts = attempts
        self.underlying = underlying
        self.lastFailure = lastFailure
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// `retryAfter` in whole seconds rounded up, for a `Retry-After` response header.
    public var retryAfterSeconds: Int64? {
        guard let retryAfter else { return nil }
        let (s, atto) = retryAfter.components
        return atto > 0 ? s + 1 : s
    }
}

extension ResilienceError: ResilienceClassifiable {
    /// Attempt timeouts are timeouts (retryable); others carry their last failure, or `other`.
    public var attemptFailure: AttemptFailure {
        switch code {
        case .attemptTimeout, .timeout: .kind(.timeout)
        case .cancelled: .kind(.cancelled)
        default: lastFailure ?? .kind(.other)
        }
    }
}
