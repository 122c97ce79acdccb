import Synchronization

/// A ``CircuitBreakerStateMachine`` shared by concurrent calls (one per connection, or per
/// connection and method), behind a lock.
public final class CircuitBreaker: Sendable {
    private let machine: Mutex<CircuitBreakerStateMachine>

    public init(configuration: CircuitBreakerConfiguration) {
        machine = Mutex(CircuitBreakerStateMachine(configuration: configuration))
    }

    public var configuration: CircuitBreakerConfiguration { machine.withLock { $0.configuration } }
    public var state: CircuitBreakerStateMachine.State { machine.withLock { $0.state } }

    public func tryAcquire(now: ResilienceInstant) -> CircuitBreakerStateMachine.Acquisition {
        machine.withLock { $0.tryAcquire(now: now) }
    }

    @discardableResult
    public func record(_ outcome: CircuitBreakerStateMachine.Outcome, now: ResilienceInstant) -> [CircuitBreakerStateMachine.StateTransition] {
        machine.withLock { $0.record(outcome, now: now) }
    }

    @discardableResult
    public func record(failure: AttemptFailure?, duration: Duration, now: ResilienceInstant) -> [CircuitBreakerStateMachine.StateTransition] {
        machine.withLock { $0.record(failure: failure, duration: duration, now: now) }
    }

    public func metrics(now: ResilienceInstant) -> CircuitBreakerStateMachine.Metrics {
        machine.withLock { $0.metrics(now: now) }
    }

    public func forceOpen(now: ResilienceInstant) -> [CircuitBreakerStateMachine.StateTransition] {
        machine.withLock { $0.forceOpen(now: now) }
    }

    public func disable(now: ResilienceInstant) -> [CircuitBreakerStateMachine.StateTransition] {
        machine.withLock { $0.disable(now: now) }
    }

    public func reset(now: ResilienceInstant) -> [CircuitBreakerStateMachine.StateTransition] {
        machine.withLock { $0.reset(now: now) }
    }
}
