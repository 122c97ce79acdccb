import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardCore
import SwitchboardEngine
import SwitchboardResilience
import SwitchboardTestSupport
import Testing

/// The resilience layers end to end through the API, against httpbin and our small flaky upstream
/// (`Tests/peers/flaky_server.py`, used where httpbin cannot fail N times then succeed).
@Suite struct ResilienceEndToEndTests {
    static func definition(baseURL: String, resilience: JSON, key: String = "flaky") -> JSON {
        [
            "key": .string(key), "name": "Flaky upstream", "version": "1.0.0", "baseUrl": .string(baseURL),
            "resilience": resilience,
            "methods": [
                [
                    "name": "get", "verb": "GET", "path": "/flaky/{key}",
                    "query": ["fail": "{{params.fail}}", "status": "{{params.status}}", "retryAfter": "{{params.retryAfter}}"],
                    "paramSchema": ["type": "object", "required": ["key"], "properties": ["key": ["type": "string"]]],
                ],
                ["name": "create", "verb": "POST", "path": "/flaky/{key}", "query": ["fail": "{{params.fail}}"],
                 "paramSchema": ["type": "object", "required": ["key"], "properties": ["key": ["type": "string"]]]],
            ],
        ]
    }

    /// How many requests the flaky upstream received for `key` (asked directly, not through Switchboard).
    func count(_ key: String) async throws -> Int {
        let peer = try await SharedPeers.flaky()
        let (data, _) = try await URLSession.shared.data(from: URL(string: "\(peer.baseURL)/count/\(key)")!)
        return try JSON(parsing: [UInt8](data))["count"]?.intValue ?? -1
    }

    func setUp(_ client: some TestClientProtocol, resilience: JSON) async throws -> String {
        let peer = try await SharedPeers.flaky()
        let r = try await client.call(.post, "/v1/definitions?publish=true", json: Self.definition(baseURL: peer.baseURL, resilience: resilience))
        #expect(r.status == 201, "\(r.body)")
        return try await client.call(.post, "/v1/connections", json: ["definitionKey": "flaky", "name": "f"]).body["id"]!.stringValue!
    }

    @Test(arguments: TestBackend.available)
    func retriesUntilSuccessAndCountsAttempts(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client, resilience: ["retry": ["maxAttempts": 4, "initialDelayMs": 5, "maxDelayMs": 20, "jitter": "none"]])
            let key = "retry-\(UUID().uuidString)"
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key), "fail": 2])
            #expect(r.status == 200, "\(r.body)")
            #expect(r.body["meta"]?["attempts"] == 3)
            #expect(try await count(key) == 3)
            // Exhausted: 4 attempts, then the upstream's error.
            let key2 = "exhaust-\(UUID().uuidString)"
            let failed = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key2), "fail": 10])
            #expect(failed.status == 502)
            #expect(failed.body["error"]?["code"] == "UPSTREAM_ERROR")
            #expect(failed.body["meta"]?["attempts"] == 4)
            #expect(try await count(key2) == 4)
            let execution = try await client.call(.get, "/v1/executions/\(failed.body["meta"]!["executionId"]!.stringValue!)").body
            #expect(execution["attempts"] == 4)
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.body.stringValue?.contains("switchboard_resilience_decisions_total{decision=\"retries\"} 5") == true)
        }
    }

    /// A provider's 429 that is not retried passes on the wait its `Retry-After` asks for, read as RFC 9110 says:
    /// delay-seconds or an HTTP-date. Anything else ("nan", "1e400", "-5", "soon") is no wait at all: it used to be
    /// read as a floating-point number, and a non-finite one stopped the server when the answer's header was made.
    @Test(arguments: TestBackend.available)
    func aProvidersRetryAfterIsReadAsTheStandardSays(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client, resilience: [:])
            func call(_ retryAfter: String) async throws -> (body: JSON, header: String?) {
                let params: JSON = ["key": .string("ra-\(UUID().uuidString)"), "fail": 1, "status": 429, "retryAfter": .string(retryAfter)]
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: params)
                #expect(r.status == 429, "\(retryAfter): \(r.body)")
                #expect(r.body["error"]?["code"] == "RATE_LIMIT_EXCEEDED", "\(retryAfter): \(r.body)")
                return (r.body, r.headers[.retryAfter])
            }
            for junk in ["nan", "inf", "1e400", "-5", "1.5", "soon", ""] {
                let r = try await call(junk)
                #expect(r.body["error"]?.objectValue?.keys.contains("retryAfter") == false, "\(junk): \(r.body)")
                #expect(r.header == nil, "\(junk)")
            }
            let seconds = try await call("120")
            #expect(seconds.body["error"]?["retryAfter"] == 120, "\(seconds.body)")
            #expect(seconds.header == "120")
            // An HTTP-date (IMF-fixdate) five minutes ahead: a wait of about 300 s.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try await call(formatter.string(from: Date().addingTimeInterval(300)))
            let wait = try #require(date.body["error"]?["retryAfter"]?.numberValue, "\(date.body)")
            #expect(wait > 240 && wait <= 300, "\(wait)")
            #expect(date.header.flatMap(Int.init).map { $0 > 240 && $0 <= 300 } == true, "\(date.header ?? "none")")
            // A date in the past: retry at once.
            #expect(try await call("Sun, 06 Nov 1994 08:49:37 GMT").body["error"]?["retryAfter"] == 0)
            // An absurd wait: the answer and its header say the same, at most 10^9 s (about 31 years).
            let huge = try await call("99999999999999999999")
            #expect(huge.body["error"]?["retryAfter"] == 1_000_000_000, "\(huge.body)")
            #expect(huge.header == "1000000000")
            // Server still up.
            #expect(try await client.call(.get, "/health").status == 200)
        }
    }

    @Test(arguments: TestBackend.available)
    func honoursRetryAfterAndKeepsPostsSafe(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client, resilience: ["retry": ["maxAttempts": 3, "initialDelayMs": 5, "jitter": "none"]])
            let key = "after-\(UUID().uuidString)"
            let started = ContinuousClock.now
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key), "fail": 1, "status": 429, "retryAfter": 1])
            let elapsed = ContinuousClock.now - started
            #expect(r.status == 200, "\(r.body)")
            #expect(r.body["meta"]?["attempts"] == 2)
            #expect(elapsed >= .milliseconds(950))  // waited for Retry-After, not the 5 ms backoff
            // A POST is not retried without an idempotency key.
            let postKey = "post-\(UUID().uuidString)"
            let post = try await client.call(.post, "/v1/connections/\(id)/methods/create", json: ["key": .string(postKey), "fail": 1])
            #expect(post.status == 502)
            #expect(post.body["meta"]?["attempts"] == 1)
            #expect(try await count(postKey) == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func breakerOpensRejectsWithoutTouchingUpstreamAndRecovers(_ backend: TestBackend) async throws {
        let clock = ManualClock(start: ResilienceInstant(secondsSinceEpoch: 1_800_000_000))
        let runtime = ResilienceRuntime(clock: clock)
        try await withApp(backend, resilience: runtime) { client in
            let id = try await setUp(
                client,
                resilience: [
                    "circuitBreaker": [
                        "window": ["type": "count", "size": 10], "minimumCalls": 4, "failureRateThreshold": 50, "waitInOpenMs": 30000,
                        "permittedInHalfOpen": 1,
                    ]
                ])
            let key = "breaker-\(UUID().uuidString)"
            for _ in 0..<4 {
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key), "fail": 1000])
                #expect(r.body["error"]?["code"] == "UPSTREAM_ERROR")
            }
            #expect(try await count(key) == 4)
            let rejected = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key), "fail": 1000])
            #expect(rejected.status == 503)
            #expect(rejected.body["error"]?["code"] == "CIRCUIT_OPEN")
            #expect(rejected.body["error"]?["retryAfter"]?.numberValue == 30)
            #expect(rejected.headers[.retryAfter] == "30")
            // The time left is given to the millisecond, rounded up (29.876543211 s left).
            clock.advance(by: .nanoseconds(123_456_789))
            let later = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key), "fail": 1000])
            #expect(later.body["error"]?["retryAfter"]?.numberValue == 29.877, "\(later.body)")
            #expect(later.headers[.retryAfter] == "30")
            #expect(try await count(key) == 4)  // the upstream was not called
            let health = try await client.call(.get, "/v1/connections/\(id)/health").body
            #expect(health["circuitBreakers"]?[0]?["state"] == "open")
            #expect(health["healthy"] == false)
            // When the breaker closes, in RFC 3339 like every other time in the API (it was epoch seconds).
            let openUntil = try #require(health["circuitBreakers"]?[0]?["openUntil"]?.stringValue, "\(health)")
            #expect(Timestamp(iso8601: openUntil) != nil, "\(openUntil)")

            // After the wait: half-open, a trial call that succeeds closes the circuit.
            clock.advance(by: .seconds(31))
            let trial = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": "recovered", "fail": 0])
            #expect(trial.status == 200, "\(trial.body)")
            #expect(try await client.call(.get, "/v1/connections/\(id)/health").body["circuitBreakers"]?[0]?["state"] == "closed")
            let events = try await client.call(.get, "/v1/events?type=integration.circuit.*&connectionId=\(id)").body
            #expect(events["items"]?.arrayValue?.compactMap { $0["type"]?.stringValue }.reversed() == [
                "integration.circuit.opened", "integration.circuit.half_opened", "integration.circuit.closed",
            ])
        }
    }

    @Test(arguments: TestBackend.available)
    func outageStaysWithinTheRetryBudget(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(
                client,
                resilience: [
                    "retry": ["maxAttempts": 3, "initialDelayMs": 1, "maxDelayMs": 2, "jitter": "none"],
                    "circuitBreaker": ["window": ["type": "count", "size": 10], "minimumCalls": 5, "failureRateThreshold": 50, "waitInOpenMs": 60000],
                ])
            let key = "outage-\(UUID().uuidString)"
            var codes: [String] = []
            for _ in 0..<50 {
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key), "fail": 100000])
                codes.append(r.body["error"]?["code"]?.stringValue ?? "?")
            }
            // 5 calls × 3 attempts reach the upstream before the circuit opens; the other 45 never leave.
            #expect(try await count(key) == 15)
            #expect(codes.filter { $0 == "CIRCUIT_OPEN" }.count == 45)
        }
    }

    @Test(arguments: TestBackend.available)
    func staticFallbackAndCache(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(
                client,
                resilience: ["cache": ["ttlMs": 60000], "fallback": ["type": "static", "value": ["fallback": true]]])
            let key = "cache-\(UUID().uuidString)"
            let first = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key)])
            let second = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": .string(key)])
            #expect(first.body["meta"]?["cached"] == nil)
            #expect(second.body["meta"]?["cached"] == true)
            #expect(second.body["data"] == first.body["data"])
            #expect(try await count(key) == 1)
            let failing = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": "fb-\(UUID().uuidString)", "fail": 5])
            #expect(failing.status == 200)
            #expect(failing.body["data"] == ["fallback": true])
            #expect(failing.body["meta"]?["fallback"] == true)
        }
    }

    /// Attempts that each run out of `attemptTimeoutMs` end the call `ATTEMPT_TIMEOUT` (504), retried or not: once the
    /// retries were exhausted the answer used to be a 502 `UPSTREAM_ERROR` ("the call failed"), as if the provider had failed.
    @Test(arguments: TestBackend.available)
    func attemptsThatRunOutOfTimeAnswerAttemptTimeoutAfterRetries(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await slowConnection(client)
            for (method, attempts) in [("retried", 2), ("once", 1)] {
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/\(method)", json: [:])
                #expect(r.status == 504, "\(method): \(r.body)")
                #expect(r.body["error"]?["code"] == "ATTEMPT_TIMEOUT", "\(method): \(r.body)")
                #expect(r.body["meta"]?["attempts"] == .number(Double(attempts)), "\(method): \(r.body)")
            }
        }
    }

    /// A fallback `on: [ATTEMPT_TIMEOUT]` answers every call that would answer `ATTEMPT_TIMEOUT`: after retries, and when
    /// the method's own `timeoutMs` ran out. It used to fire only for a single attempt cut by `attemptTimeoutMs`.
    @Test(arguments: TestBackend.available)
    func anAttemptTimeoutFallbackAnswersEveryAttemptTimeout(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await slowConnection(client)
            for method in ["retriedWithFallback", "methodTimeoutWithFallback"] {
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/\(method)", json: [:])
                #expect(r.status == 200, "\(method): \(r.body)")
                #expect(r.body["data"] == ["fallback": true], "\(method): \(r.body)")
                #expect(r.body["meta"]?["fallback"] == true, "\(method): \(r.body)")
            }
        }
    }

    /// A connection to httpbin whose methods call `/delay/10` and give up long before it answers.
    func slowConnection(_ client: some TestClientProtocol) async throws -> String {
        let retry: JSON = ["maxAttempts": 2, "initialDelayMs": 1, "jitter": "none"]
        let retried: JSON = ["attemptTimeoutMs": 100, "retry": retry]
        let fallback: JSON = ["type": "static", "value": ["fallback": true], "on": ["ATTEMPT_TIMEOUT"]]
        let definition: JSON = [
            "key": "slow", "name": "Slow upstream", "version": "1.0.0", "baseUrl": .string(try await SharedPeers.httpbin().baseURL),
            "methods": [
                ["name": "retried", "verb": "GET", "path": "/delay/10", "resilience": retried],
                ["name": "once", "verb": "GET", "path": "/delay/10", "resilience": ["attemptTimeoutMs": 100]],
                [
                    "name": "retriedWithFallback", "verb": "GET", "path": "/delay/10",
                    "resilience": ["attemptTimeoutMs": 100, "retry": retry, "fallback": fallback],
                ],
                ["name": "methodTimeoutWithFallback", "verb": "GET", "path": "/delay/10", "timeoutMs": 100, "resilience": ["fallback": fallback]],
            ],
        ]
        #expect(try await client.call(.post, "/v1/definitions?publish=true", json: definition).status == 201)
        let created = try await client.call(.post, "/v1/connections", json: ["definitionKey": "slow", "name": "s"])
        return try #require(created.body["id"]?.stringValue)
    }

    /// Two Switchboard nodes (two applications, each with its own PostgreSQL pool and resilience runtime) on one
    /// database share a rate limit: together they never admit more than the limit.
    @Test(arguments: TestBackend.available.filter { $0 == .postgres })
    func twoNodesShareARateLimitThroughPostgreSQL(_ backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let ids = IdBox()
            try await withApp(backend, location: location) { first in
                ids.value = try await setUp(first, resilience: ["rateLimit": ["algorithm": "gcra", "limit": 10, "periodMs": 600000, "burst": 10, "scope": "connection_method"]])
                try await withApp(backend, location: location) { second in
                    let id = ids.value
                    let admitted = try await withThrowingTaskGroup(of: Int.self) { group in
                        for i in 0..<30 {
                            group.addTask {
                                let client: any TestClientProtocol = i % 2 == 0 ? first : second
                                let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["key": "shared-\(i)"])
                                if r.status == 429 { #expect(r.body["error"]?["code"] == "RATE_LIMIT_EXCEEDED") }
                                return r.status == 200 ? 1 : 0
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                    #expect(admitted == 10)
                }
            }
        }
    }
}

final class IdBox: @unchecked Sendable { var value = "" }
