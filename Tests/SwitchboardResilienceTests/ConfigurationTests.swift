import JSONValue
import Testing

@testable import SwitchboardResilience

@Suite struct ConfigurationTests {
    @Test func decodesTheDocumentedExample() throws {
        let json = try JSON(
            parsing: """
                {
                  "retry": {"maxAttempts": 3, "initialDelayMs": 200, "maxDelayMs": 5000, "multiplier": 2, "jitter": "full",
                            "retryOn": [429, 503], "totalDeadlineMs": 30000},
                  "circuitBreaker": {"window": {"type": "count", "size": 20}, "minimumCalls": 10, "failureRateThreshold": 50,
                                     "slowCallDurationMs": 2000, "slowCallRateThreshold": 80, "waitInOpenMs": 30000,
                                     "permittedInHalfOpen": 3},
                  "rateLimit": {"algorithm": "token_bucket", "limit": 100, "periodMs": 1000, "burst": 20,
                                "scope": "connection_method", "onLimit": "reject"},
                  "bulkhead": {"maxConcurrent": 10, "maxQueue": 50, "maxWaitMs": 1000},
                  "timeoutMs": 10000,
                  "cache": {"ttlMs": 60000, "maxEntries": 1000},
                  "fallback": {"type": "static", "value": {"items": []}}
                }
                """)
        let c = try ResilienceConfiguration(json: json)
        let retry = try #require(c.retry)
        #expect(retry.maxAttempts == 3)
        #expect(retry.initialDelay == .milliseconds(200))
        #expect(retry.maxDelay == .seconds(5))
        #expect(retry.jitter == .full)
        #expect(retry.retryOn.statuses == [429, 503])
        #expect(retry.retryOn.kinds == RetryConfiguration.defaultRetryOn.kinds)  // statuses only replace statuses
        #expect(retry.totalDeadline == .seconds(30))
        let cb = try #require(c.circuitBreaker)
        #expect(cb.window == .count(size: 20))
        #expect(cb.slowCallDuration == .seconds(2))
        #expect(cb.slowCallRateThreshold == 80)
        #expect(cb.permittedInHalfOpen == 3)
        #expect(c.rateLimits == [RateLimitConfiguration(algorithm: .tokenBucket, limit: 100, period: .seconds(1), burst: 20)])
        #expect(c.bulkhead == BulkheadConfiguration(maxConcurrent: 10, maxQueue: 50, maxWait: .seconds(1)))
        #expect(c.timeout == .seconds(10))
        #expect(c.attemptTimeout == nil)
        #expect(c.cache == CacheConfiguration(ttl: .seconds(60), maxEntries: 1000))
        #expect(c.fallback?.action == .staticValue(["items": []]))
        #expect(c.fallback?.applies(to: ResilienceError(code: .circuitOpen, message: "")) == true)
        #expect(c.fallback?.applies(to: ResilienceError(code: .cancelled, message: "")) == false)
    }

    @Test func absentLayersAreOffAndTrueMeansDefaults() throws {
        let c = try ResilienceConfiguration(json: ["retry": true, "circuitBreaker": false])
        #expect(c.retry == RetryConfiguration())
        #expect(c.circuitBreaker == nil)
        #expect(c.rateLimits.isEmpty)
        #expect(c.bulkhead == nil)
    }

    @Test func everyProblemIsReportedWithItsPath() {
        let json: JSON = [
            "retry": ["maxAttempts": 0, "jitter": "random", "retryOn": [429, "sometimes"], "maxAtempts": 3],
            "rateLimit": [["algorithm": "leaky", "limit": -1], ["cost": 5, "burst": 2]],
            "timeoutMs": "10s",
            "unknown": 1,
        ]
        do {
            _ = try ResilienceConfiguration(json: json)
            Issue.record("expected a configuration error")
        } catch {
            let paths = error.issues.map(\.path)
            #expect(
                paths == [
                    "resilience.retry.maxAttempts", "resilience.retry.jitter", "resilience.retry.retryOn[1]",
                    "resilience.retry.maxAtempts", "resilience.rateLimit[0].algorithm", "resilience.rateLimit[0].limit",
                    "resilience.rateLimit[1].cost", "resilience.timeoutMs", "resilience.unknown",
                ])
            #expect(error.issues[0].message == "must be an integer between 1 and 100 (got 0)")
            #expect(error.issues[3].message == "is not a known setting")
        }
    }

    @Test func leakyBucketIsGCRAAndListsAreAccepted() throws {
        let c = try ResilienceConfiguration(json: [
            "rateLimit": [
                ["algorithm": "leaky_bucket", "limit": 10, "periodMs": 1000, "scope": "definition"],
                ["algorithm": "sliding_window", "limit": 5, "onLimit": "wait", "maxWaitMs": 500],
            ]
        ])
        #expect(c.rateLimits.map(\.algorithm) == [.gcra, .slidingWindow])
        #expect(c.rateLimits[0].scope == .definition)
        #expect(c.rateLimits[0].burst == 10)
        #expect(c.rateLimits[1].allowedWait == .milliseconds(500))
    }

    @Test func connectionOverridesMethodOverridesDefinition() throws {
        let definition: JSON = ["retry": ["maxAttempts": 5, "jitter": "equal"], "timeoutMs": 30000, "bulkhead": ["maxConcurrent": 4]]
        let method: JSON = ["retry": ["maxAttempts": 2], "cache": ["ttlMs": 1000]]
        let connection: JSON = ["retry": ["initialDelayMs": 50], "timeoutMs": nil, "bulkhead": false]
        let c = try ResilienceConfiguration.layered(definition: definition, method: method, connection: connection)
        #expect(c.retry?.maxAttempts == 2)
        #expect(c.retry?.jitter == .equal)
        #expect(c.retry?.initialDelay == .milliseconds(50))
        #expect(c.timeout == nil)  // null removes the lower level's setting
        #expect(c.bulkhead == nil)  // false disables the layer
        #expect(c.cache?.ttl == .seconds(1))
    }

    @Test func failureMatcherAcceptsStatusClassesAndKinds() throws {
        let r = try RetryConfiguration(json: ["retryOn": ["5xx", 429, "timeout"]])
        #expect(r.retryOn.matches(.http(599)))
        #expect(r.retryOn.matches(.http(429)))
        #expect(!r.retryOn.matches(.http(408)))
        #expect(r.retryOn.matches(.kind(.timeout)))
        #expect(!r.retryOn.matches(.kind(.connectionReset)))  // kinds listed: they replace the default kinds
    }

    @Test func fallbackVariantsDecode() throws {
        #expect(try FallbackConfiguration(json: ["type": "last_good", "maxAgeMs": 1000]).action == .lastGoodResponse(maxAge: .seconds(1)))
        let m = try FallbackConfiguration(json: ["type": "method", "method": "contacts.cached", "on": ["CIRCUIT_OPEN"]])
        #expect(m.action == .method(name: "contacts.cached", params: nil))
        #expect(m.on == [.circuitOpen])
        #expect(throws: ConfigurationError.self) { try FallbackConfiguration(json: ["type": "method"]) }
    }

    /// `on: [ATTEMPT_TIMEOUT]` covers every call the API answers `ATTEMPT_TIMEOUT`: one whose retries were all used up
    /// by attempts that ran out of time (`RETRIES_EXHAUSTED`), and one whose operation timed out by itself
    /// (`OPERATION_FAILED` of kind timeout: the method's own `timeoutMs`).
    @Test func anAttemptTimeoutFallbackCoversTimeoutsAfterRetriesAndTheOperationsOwn() throws {
        let f = try FallbackConfiguration(json: ["type": "static", "value": 1, "on": ["ATTEMPT_TIMEOUT"]])
        let timedOut = AttemptFailure.kind(.timeout)
        #expect(f.applies(to: ResilienceError(code: .attemptTimeout, message: "")))
        #expect(f.applies(to: ResilienceError(code: .retriesExhausted, message: "", attempts: 3, lastFailure: timedOut)))
        #expect(f.applies(to: ResilienceError(code: .operationFailed, message: "", lastFailure: timedOut)))
        // Other failures are not timeouts.
        #expect(!f.applies(to: ResilienceError(code: .retriesExhausted, message: "", attempts: 3, lastFailure: .http(503))))
        #expect(!f.applies(to: ResilienceError(code: .operationFailed, message: "", lastFailure: .kind(.connectionRefused))))
        #expect(!f.applies(to: ResilienceError(code: .timeout, message: "", lastFailure: timedOut)))
        #expect(!f.applies(to: ResilienceError(code: .circuitOpen, message: "")))
    }

    @Test func resetHeadersDecode() throws {
        let r = try RetryConfiguration(json: [
            "rateLimitHeaders": ["remaining": "x-rate-remaining", "reset": "x-rate-reset", "resetFormat": "delta_seconds"]
        ])
        #expect(
            r.rateLimitHeaders == RateLimitResetHeaders(remainingHeader: "x-rate-remaining", resetHeader: "x-rate-reset", resetFormat: .deltaSeconds))
    }
}

@Suite struct InstantTests {
    @Test func arithmeticSaturatesAndRoundTrips() {
        let t = ResilienceInstant(secondsSinceEpoch: 1_700_000_000)
        #expect((t + .milliseconds(1500)) - t == .milliseconds(1500))
        #expect((t - .seconds(2)).secondsSinceEpoch == 1_699_999_998)
        #expect((t + .seconds(Int64.max)).nanosecondsSinceEpoch == .max)
        #expect(ResilienceInstant(nanosecondsSinceEpoch: -1).secondsSinceEpoch == -1)
    }
}
