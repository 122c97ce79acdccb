/// Runs an operation through every configured resilience layer, in a fixed order:
///
/// ```
/// bulkhead → total timeout → rate limiter → cache → circuit breaker → retry → attempt timeout → operation
/// ```
///
/// Consequences of the order (each is tested):
/// - a call rejected by the bulkhead takes no rate-limit permit and no time of the total timeout;
/// - the total timeout covers rate-limit waits, retries and their delays;
/// - a rate limit counts calls, not attempts: a cache hit or a `CIRCUIT_OPEN` still took its permit,
///   and retries of an admitted call take none (the retry budget bounds them);
/// - a cache hit never consults the breaker and makes no attempt;
/// - the breaker sees one outcome per call (after retries), with the call's whole duration;
/// - an attempt timeout is a retryable `timeout` failure; the total timeout is `TIMEOUT`.
///
/// The pipeline itself holds no mutable state: the shared components (breaker, limiter store,
/// bulkhead, cache) are passed in, so the engine decides their scope (per connection, per method).
/// It is a class so the layer closures capture one reference instead of copying the configuration.
///
/// ```swift
/// let pipeline = ResiliencePipeline<JSON, SystemResilienceClock>(
///     configuration: config, clock: SystemResilienceClock(),
///     circuitBreaker: breakers.breaker(for: connectionID), rateLimitStore: registry)
/// let result = try await pipeline.execute(request) { context in
///     try await adapter.call(method, params, idempotencyKey: context.idempotencyKey)
/// }
/// ```
public final class ResiliencePipeline<Value: Sendable, Clock: ResilienceClock>: Sendable {
    public let configuration: ResilienceConfiguration
    public let clock: Clock
    public let bulkhead: Bulkhead?
    public let rateLimitStore: (any RateLimitStore)?
    public let circuitBreaker: CircuitBreaker?
    public let cache: ResponseCacheStore<Value>?
    public let observer: any ResilienceObserver
    public let random: SharedRandomNumberGenerator

    /// - Parameters: each component is used only if `configuration` enables its layer.
    public init(
        configuration: ResilienceConfiguration,
        clock: Clock,
        bulkhead: Bulkhead? = nil,
        rateLimitStore: (any RateLimitStore)? = nil,
        circuitBreaker: CircuitBreaker? = nil,
        cache: ResponseCacheStore<Value>? = nil,
        observer: any ResilienceObserver = NoResilienceObserver(),
        random: SharedRandomNumberGenerator = SharedRandomNumberGenerator()
    ) {
        self.configuration = configuration
        self.clock = clock
        self.bulkhead = bulkhead
        self.rateLimitStore = rateLimitStore
        self.circuitBreaker = circuitBreaker
        self.cache = cache
        self.observer = observer
        self.random = random
    }

    /// Runs `operation` through the layers.
    ///
    /// - Parameter operation: one attempt; it throws a ``ResilienceClassifiable`` error so the
    ///   retry and breaker layers can tell statuses and failure kinds apart.
    /// - Throws: ``ResilienceError`` with one of its stable codes.
    public func execute(
        _ request: ResilienceRequest,
        operation: @escaping @Sendable (AttemptContext) async throws -> Value
    ) async throws(ResilienceError) -> ResilienceResult<Value> {
        do {
            let result: ResilienceResult<Value>
            if outerLayersAreOff {
                // Nothing to do above the retry layer: skip the five nested layer closures (their contexts and async
                // frames are a measurable part of a fast call's CPU).
                result = try await retried(request, operation)
            } else {
                result = try await layered(request, operation)
            }
            observer.observe(.succeeded(attempts: result.attempts, cached: result.cached), request: request)
            return result
        } catch let error as ResilienceError {
            throw error
        } catch is CancellationError {
            throw ResilienceError(code: .cancelled, message: "the call was cancelled")
        } catch {
            throw ResilienceError(code: .operationFailed, message: "the operation failed", underlying: error, lastFailure: .classify(error))
        }
    }

    /// True when the bulkhead, total timeout, rate limit, cache and breaker layers are all off (or have no component).
    var outerLayersAreOff: Bool {
        (bulkhead == nil || configuration.bulkhead == nil) && configuration.timeout == nil
            && (rateLimitStore == nil || configuration.rateLimits.isEmpty) && (cache == nil || configuration.cache == nil)
            && (circuitBreaker == nil || configuration.circuitBreaker == nil)
    }

    private func layered(
        _ request: ResilienceRequest,
        _ operation: @escaping @Sendable (AttemptContext) async throws -> Value
    ) async throws -> ResilienceResult<Value> {
        try await bulkheaded(request) {
            try await self.totalTimed(request) {
                try await self.rateLimited(request) {
                    try await self.cached(request) {
                        try await self.circuitBroken(request) {
                            try await self.retried(request, operation)
                        }
                    }
                }
            }
        }
    }

    // MARK: - Layers, outermost first

    private func bulkheaded(
        _ request: ResilienceRequest,
        _ body: @escaping @Sendable () async throws -> ResilienceResult<Value>
    ) async throws -> ResilienceResult<Value> {
        guard let bulkhead, configuration.bulkhead != nil else { return try await body() }
        do {
            try await bulkhead.acquire(clock: clock)
        } catch let error as ResilienceError {
            observer.observe(.bulkheadRejected, request: request)
            throw error
        }
        defer { bulkhead.release() }
        return try await body()
    }

    private func totalTimed(
        _ request: ResilienceRequest,
        _ body: @escaping @Sendable () async throws -> ResilienceResult<Value>
    ) async throws -> ResilienceResult<Value> {
        guard let timeout = configuration.timeout else { return try await body() }
        do {
            return try await withTimeout(timeout, clock: clock, error: .timeout(after: timeout), operation: body)
        } catch let error as ResilienceError where error.code == .timeout {
            observer.observe(.timedOut(.timeout), request: request)
            throw error
        }
    }

    private func rateLimited(
        _ request: ResilienceRequest,
        _ body: @escaping @Sendable () async throws -> ResilienceResult<Value>
    ) async throws -> ResilienceResult<Value> {
        guard let store = rateLimitStore else { return try await body() }
        for limit in configuration.rateLimits {
            let key = request.rateLimitKey(for: limit)
            let decision: RateLimitDecision
            do {
                decision = try await store.acquire(
                    key: key, configuration: limit, permits: request.permits ?? limit.cost, now: clock.now, maxWait: limit.allowedWait)
            } catch {
                observer.observe(.rateLimitStoreFailed(key: key, error: error), request: request)
                continue
            }
            switch decision {
            case .admitted:
                continue
            case .delayed(let delay):
                observer.observe(.rateLimitDelayed(key: key, delay: delay), request: request)
                try await clock.sleep(for: delay)
            case .rejected(let retryAfter):
                observer.observe(.rateLimitRejected(key: key, retryAfter: retryAfter), request: request)
                throw ResilienceError(
                    code: .rateLimitExceeded,
                    message: "rate limit of \(limit.limit) per \(ResilienceError.formatted(limit.period)) reached (\(key.scope.rawValue))",
                    retryAfter: retryAfter)
            case .exceedsCapacity:
                observer.observe(.rateLimitRejected(key: key, retryAfter: nil), request: request)
                throw ResilienceError(code: .rateLimitExceeded, message: "the call costs more permits than the rate limit allows at once")
            }
        }
        return try await body()
    }

    private func cached(
        _ request: ResilienceRequest,
        _ body: @escaping @Sendable () async throws -> ResilienceResult<Value>
    ) async throws -> ResilienceResult<Value> {
        guard let cache, configuration.cache != nil, let key = request.cacheKey else { return try await body() }
        if let value = cache.value(forKey: key, now: clock.now) {
            observer.observe(.cacheHit(key), request: request)
            return ResilienceResult(value: value, attempts: 0, cached: true)
        }
        observer.observe(.cacheMiss(key), request: request)
        let result = try await body()
        cache.insert(result.value, forKey: key, now: clock.now)
        observer.observe(.cacheStored(key), request: request)
        return result
    }

    private func circuitBroken(
        _ request: ResilienceRequest,
        _ body: @escaping @Sendable () async throws -> ResilienceResult<Value>
    ) async throws -> ResilienceResult<Value> {
        guard let breaker = circuitBreaker, configuration.circuitBreaker != nil else { return try await body() }
        let acquisition = breaker.tryAcquire(now: clock.now)
        if let t = acquisition.transition { observer.observe(.circuitTransition(t), request: request) }
        if case .rejected(let retryAfter) = acquisition.permission {
            observer.observe(.circuitRejected(retryAfter: retryAfter), request: request)
            throw ResilienceError(
                code: .circuitOpen, message: "the circuit breaker is open; the upstream was not called",
                retryAfter: retryAfter)
        }
        let start = clock.now
        let outcome: CircuitBreakerStateMachine.Outcome
        let result: Result<ResilienceResult<Value>, any Error>
        do {
            let value = try await body()
            result = .success(value)
            outcome = .success(clock.now - start)
        } catch {
            result = .failure(error)
            if Task.isCancelled || error is CancellationError {
                outcome = .ignored
            } else {
                let failure = (error as? any ResilienceClassifiable)?.attemptFailure ?? .classify(error)
                outcome = breaker.configuration.outcome(of: failure, duration: clock.now - start)
            }
        }
        for t in breaker.record(outcome, now: clock.now) {
            observer.observe(.circuitTransition(t), request: request)
        }
        return try result.get()
    }

    private func retried(
        _ request: ResilienceRequest,
        _ operation: @escaping @Sendable (AttemptContext) async throws -> Value
    ) async throws -> ResilienceResult<Value> {
        var machine = configuration.retry.map {
            RetryStateMachine(configuration: $0, startedAt: clock.now, httpMethod: request.httpMethod)
        }
        var rng = random
        var idempotencyKey: HeaderFields.Field?
        if let retry = configuration.retry, let header = retry.idempotencyKeyHeader, retry.sendsIdempotencyKey(httpMethod: request.httpMethod) {
            idempotencyKey = HeaderFields.Field(name: header, value: IdempotencyKey.make(using: &rng))
        }
        var attempt = 1
        while true {
            let context = AttemptContext(attempt: attempt, idempotencyKey: idempotencyKey)
            let start = clock.now
            do {
                let value = try await attemptTimed(request) { try await operation(context) }
                return ResilienceResult(value: value, attempts: attempt, cached: false)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let failure = AttemptFailure.classify(error)
                observer.observe(.attemptFailed(attempt: attempt, failure: failure, duration: clock.now - start), request: request)
                guard machine != nil else { throw finalError(error, failure: failure, attempts: attempt, reason: nil) }
                switch machine!.attemptFailed(failure, now: clock.now, using: &rng) {
                case .retry(let delay, let source):
                    observer.observe(.retryScheduled(nextAttempt: attempt + 1, delay: delay, source: source), request: request)
                    try await clock.sleep(for: delay)
                    attempt += 1
                case .giveUp(let reason):
                    observer.observe(.retryGaveUp(reason: reason, attempts: attempt), request: request)
                    throw finalError(error, failure: failure, attempts: attempt, reason: reason)
                }
            }
        }
    }

    private func attemptTimed(
        _ request: ResilienceRequest,
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let timeout = configuration.attemptTimeout else { return try await body() }
        do {
            return try await withTimeout(timeout, clock: clock, error: .attemptTimeout(after: timeout), operation: body)
        } catch let error as ResilienceError where error.code == .attemptTimeout {
            observer.observe(.timedOut(.attemptTimeout), request: request)
            throw error
        }
    }

    /// The error a call ends with once no attempt follows. When the last response named a
    /// `Retry-After`, it is passed on as the error's `retryAfter`.
    private func finalError(
        _ error: any Error,
        failure: AttemptFailure,
        attempts: Int,
        reason: RetryStateMachine.GiveUpReason?
    ) -> ResilienceError {
        var result = classifiedError(error, failure: failure, attempts: attempts, reason: reason)
        if result.retryAfter == nil, let header = failure.headers["retry-after"] {
            result.retryAfter = RetryAfter.delay(from: header, now: clock.now)
        }
        return result
    }

    private func classifiedError(
        _ error: any Error,
        failure: AttemptFailure,
        attempts: Int,
        reason: RetryStateMachine.GiveUpReason?
    ) -> ResilienceError {
        switch reason {
        case .throttled(let retryAfter):
            return ResilienceError(
                code: .rateLimitExceeded,
                message: "the upstream asked to wait \(ResilienceError.formatted(retryAfter)), longer than allowed",
                retryAfter: retryAfter, attempts: attempts, underlying: error, lastFailure: failure)
        case .attemptsExhausted?, .deadlineExceeded?:
            guard attempts > 1 else { fallthrough }
            let why = reason == .deadlineExceeded ? "the retry deadline left no room for another attempt" : "all attempts failed"
            return ResilienceError(
                code: .retriesExhausted, message: "\(why) (\(attempts) attempts)",
                attempts: attempts, underlying: error, lastFailure: failure)
        default:
            if var own = error as? ResilienceError {
                own.attempts = attempts
                own.lastFailure = own.lastFailure ?? failure
                return own
            }
            return ResilienceError(
                code: .operationFailed, message: "the operation failed", attempts: attempts, underlying: error, lastFailure: failure)
        }
    }
}
