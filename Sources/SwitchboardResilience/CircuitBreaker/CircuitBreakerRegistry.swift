import Synchronization

/// One ``CircuitBreaker`` per key (a connection ID, or connection and method), created on first use.
///
/// A changed configuration replaces the breaker (it starts closed). ``all`` serves
/// `GET /v1/connections/{id}/health` and the breaker-state gauges.
public final class CircuitBreakerRegistry: Sendable {
    private let breakers = Mutex<[String: CircuitBreaker]>([:])

    public init() {}

    /// The breaker for `key`, created with `configuration` if absent or configured differently.
    public func breaker(for key: String, configuration: CircuitBreakerConfiguration) -> CircuitBreaker {
        breakers.withLock { all in
            if let b = all[key], b.configuration == configuration { return b }
            let b = CircuitBreaker(configuration: configuration)
            all[key] = b
            return b
        }
    }

    /// The breaker for `key`, if one exists.
    public func existingBreaker(for key: String) -> CircuitBreaker? {
        breakers.withLock { $0[key] }
    }

    /// Every breaker by key.
    public var all: [String: CircuitBreaker] { breakers.withLock { $0 } }
}
