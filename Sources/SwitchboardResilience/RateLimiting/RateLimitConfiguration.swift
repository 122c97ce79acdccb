import JSONValue

/// One rate limit of a method: algorithm, rate, burst, scope and what to do when it is hit.
///
/// ```yaml
/// rateLimit: {algorithm: token_bucket, limit: 100, periodMs: 1000, burst: 20, scope: connection_method, onLimit: reject}
/// # or several, checked in order (e.g. the provider's global quota and a per-connection one):
/// rateLimit:
///   - {algorithm: gcra, limit: 5000, periodMs: 3600000, scope: definition}
///   - {algorithm: sliding_window, limit: 10, periodMs: 1000, onLimit: wait, maxWaitMs: 2000}
/// ```
public struct RateLimitConfiguration: Sendable, Equatable {
    /// The algorithm; see each limiter's documentation for its exact admission pattern.
    public enum Algorithm: String, Sendable, CaseIterable {
        /// ``FixedWindowLimiter``.
        case fixedWindow = "fixed_window"
        /// ``SlidingLogLimiter`` (exact sliding log).
        case slidingWindow = "sliding_window"
        /// ``TokenBucketLimiter``.
        case tokenBucket = "token_bucket"
        /// ``GCRALimiter`` (leaky bucket as a meter); `leaky_bucket` is accepted as a synonym.
        case gcra
    }

    /// Which calls share one limiter.
    public enum Scope: String, Sendable, CaseIterable {
        /// One limiter per connection and method.
        case connectionMethod = "connection_method"
        /// One limiter per connection, shared by its methods.
        case connection
        /// One limiter per definition across all its connections (a provider's global quota).
        case definition
    }

    /// What a call does when the limit is reached.
    public enum OnLimit: String, Sendable, CaseIterable {
        /// Fail at once with `RATE_LIMIT_EXCEEDED` and the exact `retryAfter`.
        case reject
        /// Wait for a reserved slot if it comes within `maxWait`, else fail as `reject`.
        case wait
    }

    /// Default `.tokenBucket`.
    public var algorithm: Algorithm
    /// Permits per `period`. Default 100.
    public var limit: Int
    /// Default 1 s.
    public var period: Duration
    /// Permits admissible back to back from idle (token bucket capacity, GCRA burst); ignored by the
    /// window algorithms. Default `limit`.
    public var burst: Int
    /// Default `.connectionMethod`.
    public var scope: Scope
    /// Default `.reject`.
    public var onLimit: OnLimit
    /// The longest wait with `onLimit: wait`. Default 1 s.
    public var maxWait: Duration
    /// Permits one call takes. Default 1.
    public var cost: Int

    public init(
        algorithm: Algorithm = .tokenBucket,
        limit: Int = 100,
        period: Duration = .seconds(1),
        burst: Int? = nil,
        scope: Scope = .connectionMethod,
        onLimit: OnLimit = .reject,
        maxWait: Duration = .seconds(1),
        cost: Int = 1
    ) {
        self.algorithm = algorithm
        self.limit = limit
        self.period = period
        self.burst = burst ?? limit
        self.scope = scope
        self.onLimit = onLimit
        self.maxWait = maxWait
        self.cost = cost
    }

    /// Decodes one `rateLimit` object, with defaults for absent fields.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid or unknown field.
    public init(json: JSON, path: String = "rateLimit") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init()
        if r.value("algorithm")?.stringValue == "leaky_bucket" {
            algorithm = .gcra
        } else {
            algorithm = r.choice("algorithm", default: algorithm)
        }
        limit = r.int("limit", default: limit, in: 1...1_000_000_000)
        period = r.milliseconds("periodMs", default: period, allowZero: false)
        burst = r.int("burst", default: limit, in: 1...1_000_000_000)
        scope = r.choice("scope", default: scope)
        onLimit = r.choice("onLimit", default: onLimit)
        maxWait = r.milliseconds("maxWaitMs", default: maxWait)
        cost = r.int("cost", default: cost, in: 1...1_000_000_000)
        let capacity = algorithm == .tokenBucket || algorithm == .gcra ? burst : limit
        if cost > capacity {
            r.fail("cost", "must not exceed \(algorithm == .tokenBucket || algorithm == .gcra ? "burst" : "limit") (\(capacity))")
        }
        r.rejectUnknownKeys()
        try r.finish()
    }

    /// Decodes `rateLimit`: one object or a list of them.
    public static func list(json: JSON, path: String = "rateLimit") throws(ConfigurationError) -> [RateLimitConfiguration] {
        guard case .array(let items) = json else { return [try RateLimitConfiguration(json: json, path: path)] }
        var result: [RateLimitConfiguration] = []
        var issues: [ConfigurationError.Issue] = []
        for (i, item) in items.enumerated() {
            do throws(ConfigurationError) {
                result.append(try RateLimitConfiguration(json: item, path: "\(path)[\(i)]"))
            } catch {
                issues += error.issues
            }
        }
        if !issues.isEmpty { throw ConfigurationError(issues: issues) }
        return result
    }

    /// The wait a call may spend on this limit (zero when rejecting).
    public var allowedWait: Duration { onLimit == .wait ? maxWait : .zero }

    /// Whether `other` needs a limiter with different state (algorithm, limit, period or burst changed).
    func sameLimiter(as other: RateLimitConfiguration) -> Bool {
        algorithm == other.algorithm && limit == other.limit && period == other.period && burst == other.burst
    }
}
