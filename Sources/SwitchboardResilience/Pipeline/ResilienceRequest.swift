/// Who is calling what, as the pipeline needs it for keys, idempotency and observer labels.
public struct ResilienceRequest: Sendable, Equatable {
    public var definitionID: String
    public var connectionID: String
    /// The method name in the definition (e.g. `contacts.list`).
    public var method: String
    /// The HTTP method of the upstream request, for the idempotency rules (`nil`: not HTTP, idempotent).
    public var httpMethod: String?
    /// The cache key; `nil` when the method is not cacheable.
    public var cacheKey: ResponseCacheKey?
    /// Rate-limit permits this call takes, overriding each limit's `cost`.
    public var permits: Int?

    public init(
        definitionID: String,
        connectionID: String,
        method: String,
        httpMethod: String? = nil,
        cacheKey: ResponseCacheKey? = nil,
        permits: Int? = nil
    ) {
        self.definitionID = definitionID
        self.connectionID = connectionID
        self.method = method
        self.httpMethod = httpMethod
        self.cacheKey = cacheKey
        self.permits = permits
    }

    /// The limiter key for `configuration`'s scope.
    public func rateLimitKey(for configuration: RateLimitConfiguration) -> RateLimitKey {
        RateLimitKey(scope: configuration.scope, connectionID: connectionID, method: method, definitionID: definitionID)
    }
}

/// What one attempt is told: its number and the idempotency key to send.
public struct AttemptContext: Sendable, Equatable {
    /// 1 for the first attempt.
    public var attempt: Int
    /// The header to set on the upstream request, the same on every attempt of the call.
    public var idempotencyKey: HeaderFields.Field?
}

/// A successful call.
public struct ResilienceResult<Value: Sendable>: Sendable {
    public var value: Value
    /// Attempts made on the upstream (0 when served from the cache).
    public var attempts: Int
    /// Served from the response cache (`meta.cached: true`).
    public var cached: Bool
}

extension ResilienceResult: Equatable where Value: Equatable {}
