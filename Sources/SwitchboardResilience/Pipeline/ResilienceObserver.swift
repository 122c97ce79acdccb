/// Something the pipeline decided, reported so the engine can count metrics and emit events.
public enum ResilienceEvent: Sendable {
    /// The bulkhead refused the call (`BULKHEAD_FULL`).
    case bulkheadRejected
    /// A rate limit rejected the call.
    case rateLimitRejected(key: RateLimitKey, retryAfter: Duration?)
    /// A rate limit reserved a slot; the call waits `delay` first.
    case rateLimitDelayed(key: RateLimitKey, delay: Duration)
    /// The rate-limit store failed; the call proceeded without that limit (fail open).
    case rateLimitStoreFailed(key: RateLimitKey, error: any Error)
    case cacheHit(ResponseCacheKey)
    case cacheMiss(ResponseCacheKey)
    case cacheStored(ResponseCacheKey)
    /// The breaker changed state: emit `transition.eventName`.
    case circuitTransition(CircuitBreakerStateMachine.StateTransition)
    /// The breaker rejected the call (`CIRCUIT_OPEN`).
    case circuitRejected(retryAfter: Duration)
    /// Attempt `attempt` failed after `duration`.
    case attemptFailed(attempt: Int, failure: AttemptFailure, duration: Duration)
    /// Attempt `nextAttempt` starts after `delay`.
    case retryScheduled(nextAttempt: Int, delay: Duration, source: RetryStateMachine.DelaySource)
    /// The retry layer gave up after `attempts` attempts.
    case retryGaveUp(reason: RetryStateMachine.GiveUpReason, attempts: Int)
    /// A timeout fired (`TIMEOUT` or `ATTEMPT_TIMEOUT`).
    case timedOut(ResilienceError.Code)
    /// The call succeeded.
    case succeeded(attempts: Int, cached: Bool)
}

/// Receives every decision of the pipeline for one call; must be cheap and must not block.
public protocol ResilienceObserver: Sendable {
    func observe(_ event: ResilienceEvent, request: ResilienceRequest)
}

/// An observer that is a closure.
public struct ClosureResilienceObserver: ResilienceObserver {
    private let body: @Sendable (ResilienceEvent, ResilienceRequest) -> Void

    public init(_ body: @escaping @Sendable (ResilienceEvent, ResilienceRequest) -> Void) {
        self.body = body
    }

    public func observe(_ event: ResilienceEvent, request: ResilienceRequest) { body(event, request) }
}

/// An observer that ignores everything.
public struct NoResilienceObserver: ResilienceObserver {
    public init() {}
    public func observe(_ event: ResilienceEvent, request: ResilienceRequest) {}
}
