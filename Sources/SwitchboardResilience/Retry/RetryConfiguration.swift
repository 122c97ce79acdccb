import JSONValue

/// How failed attempts are retried: attempts, backoff, jitter, what is retryable, deadlines and idempotency.
///
/// ```yaml
/// retry: {maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5000, multiplier: 2, jitter: full,
///         retryOn: [429, 503, timeout], totalDeadlineMs: 30000, idempotencyKeyHeader: Idempotency-Key}
/// ```
public struct RetryConfiguration: Sendable, Equatable {
    /// Attempts in all, the first call included (1 disables retries). Default 3.
    public var maxAttempts: Int
    /// The delay before the first retry, before jitter. Default 200 ms.
    public var initialDelay: Duration
    /// The cap on any backoff delay. Default 5 s. Does not cap server-requested waits (see `maxServerDelay`).
    public var maxDelay: Duration
    /// The exponential growth factor between retries. Default 2.
    public var multiplier: Double
    /// The jitter formula. Default `.full`.
    public var jitter: Jitter
    /// Which failures are retried. Default statuses 408, 425, 429, 500, 502, 503, 504 and kinds
    /// timeout, connection_reset, connection_refused, dns_failure, network_unreachable.
    public var retryOn: FailureMatcher
    /// The time from the first attempt's start after which no retry is started; a retry whose delay
    /// would end past it is not scheduled. `nil` means only `maxAttempts` bounds retries. Default `nil`.
    public var totalDeadline: Duration?
    /// Honour `Retry-After` on retryable responses. Default `true`.
    public var respectRetryAfter: Bool
    /// Provider quota headers to honour, if the definition names them. Default `nil`.
    public var rateLimitHeaders: RateLimitResetHeaders?
    /// The longest server-requested wait (Retry-After or quota reset) the retry layer accepts;
    /// a longer one ends the call with `RATE_LIMIT_EXCEEDED` and that retryAfter. Default 60 s.
    public var maxServerDelay: Duration
    /// Retry non-idempotent methods (POST, PATCH) anyway. Default `false`.
    public var retryNonIdempotent: Bool
    /// The request header carrying an idempotency key; when set, non-idempotent methods are retried
    /// and every attempt of a call sends the same generated key. Default `nil`.
    public var idempotencyKeyHeader: String?

    public static let defaultRetryOn = FailureMatcher(
        statuses: [408, 425, 429, 500, 502, 503, 504],
        kinds: [.timeout, .connectionReset, .connectionRefused, .dnsFailure, .networkUnreachable]
    )

    public init(
        maxAttempts: Int = 3,
        initialDelay: Duration = .milliseconds(200),
        maxDelay: Duration = .seconds(5),
        multiplier: Double = 2,
        jitter: Jitter = .full,
        retryOn: FailureMatcher = RetryConfiguration.defaultRetryOn,
        totalDeadline: Duration? = nil,
        respectRetryAfter: Bool = true,
        rateLimitHeaders: RateLimitResetHeaders? = nil,
        maxServerDelay: Duration = .seconds(60),
        retryNonIdempotent: Bool = false,
        idempotencyKeyHeader: String? = nil
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.retryOn = retryOn
        self.totalDeadline = totalDeadline
        self.respectRetryAfter = respectRetryAfter
        self.rateLimitHeaders = rateLimitHeaders
        self.maxServerDelay = maxServerDelay
        self.retryNonIdempotent = retryNonIdempotent
        self.idempotencyKeyHeader = idempotencyKeyHeader
    }

    /// Decodes the `retry` object of a definition, with defaults for absent fields.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid or unknown field.
    public init(json: JSON, path: String = "retry") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init()
        maxAttempts = r.int("maxAttempts", default: maxAttempts, in: 1...100)
        initialDelay = r.milliseconds("initialDelayMs", default: initialDelay)
        maxDelay = r.milliseconds("maxDelayMs", default: maxDelay)
        multiplier = r.double("multiplier", default: multiplier, in: 1...100)
        jitter = r.choice("jitter", default: jitter)
        retryOn = r.failureMatcher("retryOn", default: retryOn)
        totalDeadline = r.optionalMilliseconds("totalDeadlineMs", allowZero: false)
        respectRetryAfter = r.bool("respectRetryAfter", default: respectRetryAfter)
        maxServerDelay = r.milliseconds("maxServerDelayMs", default: maxServerDelay)
        retryNonIdempotent = r.bool("retryNonIdempotent", default: retryNonIdempotent)
        idempotencyKeyHeader = r.string("idempotencyKeyHeader")
        if let headers = r.value("rateLimitHeaders") {
            do throws(ConfigurationError) {
                rateLimitHeaders = try RateLimitResetHeaders(json: headers, path: r.fieldPath("rateLimitHeaders"))
            } catch {
                r.adopt(error.issues)
            }
        }
        if initialDelay > maxDelay {
            r.fail("initialDelayMs", "must not exceed maxDelayMs")
        }
        r.rejectUnknownKeys()
        try r.finish()
    }

    /// Whether a call with `httpMethod` may be retried at all (failures that prove the request was
    /// never sent are retried regardless; see ``FailureKind/provesRequestNotSent``).
    public func allowsRetry(httpMethod: String?) -> Bool {
        IdempotencyKey.isIdempotent(httpMethod: httpMethod) || retryNonIdempotent || idempotencyKeyHeader != nil
    }

    /// Whether calls with `httpMethod` carry a generated idempotency key.
    public func sendsIdempotencyKey(httpMethod: String?) -> Bool {
        idempotencyKeyHeader != nil && !IdempotencyKey.isIdempotent(httpMethod: httpMethod)
    }
}
