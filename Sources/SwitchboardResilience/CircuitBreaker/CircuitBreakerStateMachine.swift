/// A circuit breaker as a pure state machine, with resilience4j's semantics.
///
/// - **closed**: calls pass; outcomes go into the sliding window. Once the window holds
///   `minimumCalls` calls, the breaker opens when the failure rate or the slow-call rate
///   reaches its threshold (`>=`).
/// - **open**: calls are rejected with the time left (`retryAfter`) until `waitInOpen` has passed;
///   the next ``tryAcquire(now:)`` then moves to half-open. The wait grows by `waitMultiplier`
///   (up to `maxWaitInOpen`) each time half-open trials reopen the circuit, and resets on closing.
/// - **half-open**: exactly `permittedInHalfOpen` trial calls are let through; when all have
///   reported, the breaker closes (rates below thresholds) or reopens. An ignored outcome gives its
///   permit back. With `maxWaitInHalfOpen`, undecided trials reopen the circuit after that long.
/// - **forcedOpen** / **disabled**: manual states; everything is rejected / permitted and nothing
///   is recorded, until ``reset(now:)``.
///
/// Outcomes of calls permitted in an earlier state are recorded in the current one (as resilience4j
/// does); in open they only feed the metrics.
///
/// ```swift
/// var breaker = CircuitBreakerStateMachine(configuration: .init())
/// switch breaker.tryAcquire(now: now).permission {
/// case .rejected(let retryAfter): throw ResilienceError.circuitOpen(retryAfter: retryAfter)
/// case .permitted: let transitions = breaker.record(.success(elapsed), now: clock.now)
/// }
/// ```
public struct CircuitBreakerStateMachine: Sendable {
    public enum State: String, Sendable, Hashable {
        case closed
        case open
        case halfOpen = "half_open"
        case forcedOpen = "forced_open"
        case disabled
    }

    /// The outcome of a permitted call.
    public enum Outcome: Sendable, Equatable {
        /// Completed and counted as healthy; `duration` decides whether it was slow.
        case success(Duration)
        /// Failed in a way that counts against the upstream.
        case failure(Duration)
        /// Not counted (e.g. cancelled, or 429); in half-open the permit is given back.
        case ignored
    }

    /// A change of state, returned so the caller can emit `integration.circuit.opened` and friends.
    public struct StateTransition: Sendable, Equatable {
        public var from: State
        public var to: State
        public var at: ResilienceInstant
        /// How long the circuit stays open, when `to` is `.open`.
        public var openFor: Duration?

        public init(from: State, to: State, at: ResilienceInstant, openFor: Duration? = nil) {
            self.from = from
            self.to = to
            self.at = at
            self.openFor = openFor
        }

        /// The event name: `integration.circuit.opened`, `.half_opened` or `.closed` (forced/disabled: `.forced_open`, `.disabled`).
        public var eventName: String {
            switch to {
            case .open: "integration.circuit.opened"
            case .halfOpen: "integration.circuit.half_opened"
            case .closed: "integration.circuit.closed"
            case .forcedOpen: "integration.circuit.forced_open"
            case .disabled: "integration.circuit.disabled"
            }
        }
    }

    public enum Permission: Sendable, Equatable {
        case permitted
        case rejected(retryAfter: Duration)
    }

    /// The answer to ``tryAcquire(now:)``, with the open → half-open transition if it happened then.
    public struct Acquisition: Sendable, Equatable {
        public var permission: Permission
        public var transition: StateTransition?

        public var isPermitted: Bool { permission == .permitted }
    }

    /// What the breaker knows, for `GET /v1/connections/{id}/health` and metrics.
    public struct Metrics: Sendable, Equatable {
        public var state: State
        /// Calls in the window (in half-open: trial calls reported so far).
        public var bufferedCalls: Int
        public var failedCalls: Int
        public var slowCalls: Int
        /// Percent, or `nil` while fewer than the minimum calls are buffered.
        public var failureRate: Double?
        /// Percent, or `nil` while fewer than the minimum calls are buffered.
        public var slowCallRate: Double?
        /// Calls rejected since the breaker was created.
        public var notPermittedCalls: Int
        /// When the open state ends, while open.
        public var openUntil: ResilienceInstant?
    }

    /// The retryAfter given to calls rejected in half-open (all trial permits taken) and forced-open.
    public static let busyRetryAfter: Duration = .seconds(1)

    public let configuration: CircuitBreakerConfiguration
    public private(set) var state: State = .closed
    private var window: SlidingWindow
    private var openUntil = ResilienceInstant.epoch
    private var consecutiveOpens = 0
    private var halfOpenSince = ResilienceInstant.epoch
    private var halfOpenPermits = 0
    private var halfOpenTally = SlidingWindow.Tally()
    private var notPermitted = 0
    private let slowCallDuration: Duration
    private let minimumCalls: Int

    public init(configuration: CircuitBreakerConfiguration) {
        self.configuration = configuration
        window = SlidingWindow(configuration.window)
        slowCallDuration = configuration.slowCallDuration
        if case .count(let size) = configuration.window {
            minimumCalls = min(configuration.minimumCalls, size)
        } else {
            minimumCalls = configuration.minimumCalls
        }
    }

    /// Asks to make a call at `now`.
    public mutating func tryAcquire(now: ResilienceInstant) -> Acquisition {
        switch state {
        case .closed, .disabled:
            return Acquisition(permission: .permitted, transition: nil)
        case .open:
            if now < openUntil {
                notPermitted += 1
                return Acquisition(permission: .rejected(retryAfter: openUntil - now), transition: nil)
            }
            let t = enterHalfOpen(now: now)
            halfOpenPermits = 1
            return Acquisition(permission: .permitted, transition: t)
        case .halfOpen:
            if let limit = configuration.maxWaitInHalfOpen, now - halfOpenSince >= limit {
                let t = open(from: .halfOpen, now: now)
                notPermitted += 1
                return Acquisition(permission: .rejected(retryAfter: openUntil - now), transition: t)
            }
            if halfOpenPermits < configuration.permittedInHalfOpen {
                halfOpenPermits += 1
                return Acquisition(permission: .permitted, transition: nil)
            }
            notPermitted += 1
            return Acquisition(permission: .rejected(retryAfter: Self.busyRetryAfter), transition: nil)
        case .forcedOpen:
            notPermitted += 1
            return Acquisition(permission: .rejected(retryAfter: Self.busyRetryAfter), transition: nil)
        }
    }

    /// Records the outcome of a permitted call that finished at `now`; returns the transitions it caused.
    @discardableResult
    public mutating func record(_ outcome: Outcome, now: ResilienceInstant) -> [StateTransition] {
        let failed: Bool
        let slow: Bool
        switch outcome {
        case .ignored:
            if state == .halfOpen, halfOpenPermits > 0 { halfOpenPermits -= 1 }
            return []
        case .success(let d):
            failed = false
            slow = d > slowCallDuration
        case .failure(let d):
            failed = true
            slow = d > slowCallDuration
        }
        switch state {
        case .disabled, .forcedOpen:
            return []
        case .open:
            window.record(failed: failed, slow: slow, now: now)
            return []
        case .closed:
            window.record(failed: failed, slow: slow, now: now)
            let tally = window.tally(now: now)
            guard tally.calls >= minimumCalls, exceedsThresholds(tally) else { return [] }
            return [open(from: .closed, now: now)]
        case .halfOpen:
            halfOpenTally.add(failed: failed, slow: slow)
            guard halfOpenTally.calls >= configuration.permittedInHalfOpen else { return [] }
            if exceedsThresholds(halfOpenTally) { return [open(from: .halfOpen, now: now)] }
            return [close(from: .halfOpen, now: now)]
        }
    }

    /// Convenience: classifies `failure` (`nil` for success) with the configuration and records it.
    @discardableResult
    public mutating func record(failure: AttemptFailure?, duration: Duration, now: ResilienceInstant) -> [StateTransition] {
        record(configuration.outcome(of: failure, duration: duration), now: now)
    }

    /// Forces the circuit open until ``reset(now:)``.
    public mutating func forceOpen(now: ResilienceInstant) -> [StateTransition] {
        manual(.forcedOpen, now: now)
    }

    /// Disables the breaker (always permits, records nothing) until ``reset(now:)``.
    public mutating func disable(now: ResilienceInstant) -> [StateTransition] {
        manual(.disabled, now: now)
    }

    /// Back to closed with an empty window and the initial open wait.
    public mutating func reset(now: ResilienceInstant) -> [StateTransition] {
        guard state != .closed else { return [] }
        return [close(from: state, now: now)]
    }

    /// A snapshot of the window and state at `now` (time-based windows evict first).
    public mutating func metrics(now: ResilienceInstant) -> Metrics {
        let tally = state == .halfOpen ? halfOpenTally : window.tally(now: now)
        let minimum = state == .halfOpen ? configuration.permittedInHalfOpen : minimumCalls
        let rated = tally.calls >= minimum && tally.calls > 0
        return Metrics(
            state: state,
            bufferedCalls: tally.calls,
            failedCalls: tally.failures,
            slowCalls: tally.slow,
            failureRate: rated ? Double(tally.failures) * 100 / Double(tally.calls) : nil,
            slowCallRate: rated ? Double(tally.slow) * 100 / Double(tally.calls) : nil,
            notPermittedCalls: notPermitted,
            openUntil: state == .open ? openUntil : nil
        )
    }

    /// The wait the next opening would use.
    public var nextWaitInOpen: Duration { waitInOpen(forOpening: consecutiveOpens + 1) }

    private func exceedsThresholds(_ t: SlidingWindow.Tally) -> Bool {
        let calls = Double(t.calls)
        return Double(t.failures) * 100 >= configuration.failureRateThreshold * calls
            || Double(t.slow) * 100 >= configuration.slowCallRateThreshold * calls
    }

    private func waitInOpen(forOpening n: Int) -> Duration {
        let c = configuration
        guard n > 1, c.waitMultiplier > 1 else { return c.waitInOpen }
        var ns = Double(c.waitInOpen.nanosecondsClamped)
        let cap = Double(c.maxWaitInOpen.nanosecondsClamped)
        for _ in 1..<n where ns < cap { ns *= c.waitMultiplier }
        return .nanoseconds(Int64(min(ns, cap)))
    }

    private mutating func open(from: State, now: ResilienceInstant) -> StateTransition {
        consecutiveOpens = from == .halfOpen ? consecutiveOpens + 1 : 1
        let wait = waitInOpen(forOpening: consecutiveOpens)
        state = .open
        openUntil = now + wait
        return StateTransition(from: from, to: .open, at: now, openFor: wait)
    }

    private mutating func enterHalfOpen(now: ResilienceInstant) -> StateTransition {
        state = .halfOpen
        halfOpenSince = now
        halfOpenPermits = 0
        halfOpenTally = SlidingWindow.Tally()
        return StateTransition(from: .open, to: .halfOpen, at: now)
    }

    private mutating func close(from: State, now: ResilienceInstant) -> StateTransition {
        state = .closed
        consecutiveOpens = 0
        window.reset()
        return StateTransition(from: from, to: .closed, at: now)
    }

    private mutating func manual(_ target: State, now: ResilienceInstant) -> [StateTransition] {
        guard state != target else { return [] }
        let from = state
        state = target
        window.reset()
        consecutiveOpens = 0
        return [StateTransition(from: from, to: target, at: now)]
    }
}
