import JSONValue

/// Every resilience setting of one method on one connection: the `resilience` block of a
/// definition's method, merged with the definition-level block below it and the connection's
/// overrides above it.
///
/// A layer is on when its key is present (`retry: {}` or `retry: true` for defaults) and off when
/// absent or `false`. See `docs/resilience.md` for every setting.
///
/// ```swift
/// let config = try ResilienceConfiguration.layered(
///     definition: definition["resilience"], method: method["resilience"], connection: overrides["resilience"])
/// ```
public struct ResilienceConfiguration: Sendable, Equatable {
    public var retry: RetryConfiguration?
    public var circuitBreaker: CircuitBreakerConfiguration?
    /// Checked in order; all must admit.
    public var rateLimits: [RateLimitConfiguration]
    public var bulkhead: BulkheadConfiguration?
    /// The total time for a call, retries and waits included (`timeoutMs`).
    public var timeout: Duration?
    /// The time for one attempt (`attemptTimeoutMs`).
    public var attemptTimeout: Duration?
    public var cache: CacheConfiguration?
    public var fallback: FallbackConfiguration?

    public init(
        retry: RetryConfiguration? = nil,
        circuitBreaker: CircuitBreakerConfiguration? = nil,
        rateLimits: [RateLimitConfiguration] = [],
        bulkhead: BulkheadConfiguration? = nil,
        timeout: Duration? = nil,
        attemptTimeout: Duration? = nil,
        cache: CacheConfiguration? = nil,
        fallback: FallbackConfiguration? = nil
    ) {
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.rateLimits = rateLimits
        self.bulkhead = bulkhead
        self.timeout = timeout
        self.attemptTimeout = attemptTimeout
        self.cache = cache
        self.fallback = fallback
    }

    /// Decodes a `resilience` object.
    ///
    /// - Throws: ``ConfigurationError`` listing every problem in every layer, with field paths.
    public init(json: JSON, path: String = "resilience") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init()
        retry = Self.layer("retry", &r) { j, p throws(ConfigurationError) in try RetryConfiguration(json: j, path: p) }
        circuitBreaker = Self.layer("circuitBreaker", &r) { j, p throws(ConfigurationError) in
            try CircuitBreakerConfiguration(json: j, path: p)
        }
        rateLimits =
            Self.layer("rateLimit", &r) { j, p throws(ConfigurationError) in try RateLimitConfiguration.list(json: j, path: p) } ?? []
        bulkhead = Self.layer("bulkhead", &r) { j, p throws(ConfigurationError) in try BulkheadConfiguration(json: j, path: p) }
        cache = Self.layer("cache", &r) { j, p throws(ConfigurationError) in try CacheConfiguration(json: j, path: p) }
        timeout = r.optionalMilliseconds("timeoutMs", allowZero: false)
        attemptTimeout = r.optionalMilliseconds("attemptTimeoutMs", allowZero: false)
        if let f = r.value("fallback"), f.boolValue != false {
            do throws(ConfigurationError) {
                fallback = try FallbackConfiguration(json: f, path: r.fieldPath("fallback"))
            } catch {
                r.adopt(error.issues)
            }
        }
        r.rejectUnknownKeys()
        try r.finish()
    }

    /// Merges the three levels (see ``ResilienceMerging``) and decodes the result.
    public static func layered(definition: JSON?, method: JSON?, connection: JSON?) throws(ConfigurationError) -> ResilienceConfiguration {
        try ResilienceConfiguration(json: ResilienceMerging.merge([definition, method, connection]))
    }

    private static func layer<T>(
        _ key: String,
        _ r: inout ConfigurationReader,
        _ decode: (JSON, String) throws(ConfigurationError) -> T
    ) -> T? {
        guard let v = r.value(key) else { return nil }
        if let b = v.boolValue {
            if !b { return nil }
            do throws(ConfigurationError) {
                return try decode(.object(JSONObject()), r.fieldPath(key))
            } catch {
                r.adopt(error.issues)
                return nil
            }
        }
        do throws(ConfigurationError) {
            return try decode(v, r.fieldPath(key))
        } catch {
            r.adopt(error.issues)
            return nil
        }
    }
}
