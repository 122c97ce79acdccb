import JSONValue

/// How a circuit breaker measures health and when it opens, with resilience4j's semantics.
///
/// ```yaml
/// circuitBreaker: {window: {type: count, size: 20}, minimumCalls: 10, failureRateThreshold: 50,
///                  slowCallDurationMs: 2000, slowCallRateThreshold: 80, waitInOpenMs: 30000,
///                  permittedInHalfOpen: 3, waitMultiplier: 2, maxWaitInOpenMs: 300000}
/// ```
public struct CircuitBreakerConfiguration: Sendable, Equatable {
    /// The sliding window over which rates are computed.
    public enum Window: Sendable, Equatable {
        /// The last `size` calls.
        case count(size: Int)
        /// The calls of the last `seconds` seconds, aggregated in per-second buckets (aligned to wall-clock seconds).
        case time(seconds: Int)
    }

    /// Default `.count(size: 20)`.
    public var window: Window
    /// Calls the window must hold before any rate is computed (capped at a count window's size). Default 10.
    public var minimumCalls: Int
    /// Open when the failure rate, in percent, is at or above this. Default 50.
    public var failureRateThreshold: Double
    /// A call taking longer than this is slow. Default 60 s.
    public var slowCallDuration: Duration
    /// Open when the slow-call rate, in percent, is at or above this. Default 100 (only when every call is slow).
    public var slowCallRateThreshold: Double
    /// How long the circuit stays open before letting trial calls through. Default 30 s.
    public var waitInOpen: Duration
    /// Each reopening straight from half-open multiplies the wait by this (1 keeps it constant). Default 1.
    public var waitMultiplier: Double
    /// The cap on a grown wait. Default 5 minutes.
    public var maxWaitInOpen: Duration
    /// Trial calls let through in half-open; their outcomes decide between closed and open. Default 3.
    public var permittedInHalfOpen: Int
    /// Reopen if half-open lasts longer than this without deciding (`nil`: wait indefinitely). Default `nil`.
    public var maxWaitInHalfOpen: Duration?
    /// Failures that count against the upstream. Default statuses 408 and 5xx, kinds timeout,
    /// connection_reset, connection_refused, dns_failure, network_unreachable, tls_failure and other.
    /// Other error statuses (4xx) count as successes: the upstream is healthy, the request was not.
    public var failOn: FailureMatcher
    /// Failures that are not recorded at all. Default status 429 and kind cancelled.
    public var ignore: FailureMatcher

    public static let defaultFailOn = FailureMatcher(
        statuses: [408], statusClasses: [5],
        kinds: [.timeout, .connectionReset, .connectionRefused, .dnsFailure, .networkUnreachable, .tlsFailure, .other]
    )
    public static let defaultIgnore = FailureMatcher(statuses: [429], kinds: [.cancelled])

    public init(
        window: Window = .count(size: 20),
        minimumCalls: Int = 10,
        failureRateThreshold: Double = 50,
        slowCallDuration: Duration = .seconds(60),
        slowCallRateThreshold: Double = 100,
        waitInOpen: Duration = .seconds(30),
        waitMultiplier: Double = 1,
        maxWaitInOpen: Duration = .seconds(300),
        permittedInHalfOpen: Int = 3,
        maxWaitInHalfOpen: Duration? = nil,
        failOn: FailureMatcher = CircuitBreakerConfiguration.defaultFailOn,
        ignore: FailureMatcher = CircuitBreakerConfiguration.defaultIgnore
    ) {
        self.window = window
        self.minimumCalls = minimumCalls
        self.failureRateThreshold = failureRateThreshold
        self.slowCallDuration = slowCallDuration
        self.slowCallRateThreshold = slowCallRateThreshold
        self.waitInOpen = waitInOpen
        self.waitMultiplier = waitMultiplier
        self.maxWaitInOpen = maxWaitInOpen
        self.permittedInHalfOpen = permittedInHalfOpen
        self.maxWaitInHalfOpen = maxWaitInHalfOpen
        self.failOn = failOn
        self.ignore = ignore
    }

    /// Decodes the `circuitBreaker` object of a definition, with defaults for absent fields.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid or unknown field.
    public init(json: JSON, path: String = "circuitBreaker") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init()
        if let w = r.value("window") {
            var wr = ConfigurationReader(w, path: r.fieldPath("window"))
            enum Kind: String, CaseIterable { case count, time }
            switch wr.choice("type", default: Kind.count) {
            case .count: window = .count(size: wr.int("size", default: 20, in: 1...10_000))
            case .time: window = .time(seconds: wr.int("size", default: 60, in: 1...3600))
            }
            wr.rejectUnknownKeys()
            r.adopt(wr.issues)
        }
        minimumCalls = r.int("minimumCalls", default: minimumCalls, in: 1...100_000)
        failureRateThreshold = r.double("failureRateThreshold", default: failureRateThreshold, in: 1...100)
        slowCallDuration = r.milliseconds("slowCallDurationMs", default: slowCallDuration, allowZero: false)
        slowCallRateThreshold = r.double("slowCallRateThreshold", default: slowCallRateThreshold, in: 1...100)
        waitInOpen = r.milliseconds("waitInOpenMs", default: waitInOpen, allowZero: false)
        waitMultiplier = r.double("waitMultiplier", default: waitMultiplier, in: 1...100)
        maxWaitInOpen = r.milliseconds("maxWaitInOpenMs", default: max(maxWaitInOpen, waitInOpen), allowZero: false)
        permittedInHalfOpen = r.int("permittedInHalfOpen", default: permittedInHalfOpen, in: 1...1000)
        maxWaitInHalfOpen = r.optionalMilliseconds("maxWaitInHalfOpenMs", allowZero: false)
        failOn = r.failureMatcher("failOn", default: failOn)
        ignore = r.failureMatcher("ignore", default: ignore)
        if maxWaitInOpen < waitInOpen { r.fail("maxWaitInOpenMs", "must not be less than waitInOpenMs") }
        r.rejectUnknownKeys()
        try r.finish()
    }

    /// How a finished call is recorded: ignored, a failure, or a success (4xx and anything not in `failOn`).
    public func outcome(of failure: AttemptFailure?, duration: Duration) -> CircuitBreakerStateMachine.Outcome {
        guard let failure else { return .success(duration) }
        if ignore.matches(failure) { return .ignored }
        return failOn.matches(failure) ? .failure(duration) : .success(duration)
    }
}
