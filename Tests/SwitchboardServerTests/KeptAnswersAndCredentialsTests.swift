import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardTestSupport
import Testing

/// Answers kept for later calls (the response cache, the `last_good` fallback) against credentials that change: an
/// answer fetched with old credentials is never served after they changed, and never holds a secret, old or new.
@Suite struct KeptAnswersAndCredentialsTests {
    /// An API key definition on httpbin's `/anything` (which echoes the request's headers), with `resilience`.
    func connection(_ client: some TestClientProtocol, key: String, resilience: JSON) async throws -> String {
        let definition: JSON = [
            "key": .string(key), "name": .string(key), "version": "1.0.0", "type": "rest_api",
            "auth": ["type": "api_key", "apiKey": ["in": "header", "name": "X-Api-Key"]], "baseUrl": "{config.baseUrl}",
            "configSchema": ["type": "object", "properties": ["baseUrl": ["type": "string"], "tenant": ["type": "string"]]],
            "methods": [
                ["name": "h", "verb": "GET", "path": "/anything/{config.tenant}", "paramSchema": ["type": "object"], "resilience": resilience]
            ],
        ]
        let created = try await client.call(.post, "/v1/definitions?publish=true", json: definition)
        #expect(created.status == 201, "\(created.body)")
        let config: JSON = ["baseUrl": .string(try await SharedPeers.httpbin().baseURL), "tenant": "rot"]
        let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": .string(key), "name": "c", "config": config])
        return try #require(c.body["id"]?.stringValue, "\(c.body)")
    }

    func putKey(_ client: some TestClientProtocol, _ id: String, _ key: String) async throws {
        let put = try await client.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "api_key", "key": .string(key)])
        #expect(put.status == 200, "\(put.body)")
    }

    @Test(arguments: TestBackend.available)
    func aCachedAnswerIsNotServedAfterTheCredentialsChanged(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await connection(client, key: "cachek", resilience: ["cache": ["ttlMs": 60000]])
            try await putKey(client, id, "OLDKEYzq81rot")
            let first = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(first.status == 200, "\(first.body)")
            #expect(first.body["data"]?["headers"]?["X-Api-Key"] == "[REDACTED]", "\(first.body)")
            let again = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(again.body["meta"]?["cached"] == true, "\(again.body)")  // same credentials: the cache serves

            try await putKey(client, id, "NEWKEYzq81rot")
            let rotated = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(rotated.status == 200, "\(rotated.body)")
            #expect(rotated.body["meta"]?["cached"] == nil, "\(rotated.body)")  // fetched again, with the new key
            #expect(rotated.body["data"]?["headers"]?["X-Api-Key"] == "[REDACTED]", "\(rotated.body)")
            let cachedAgain = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(cachedAgain.body["meta"]?["cached"] == true, "\(cachedAgain.body)")
            #expect(cachedAgain.body["data"]?["headers"]?["X-Api-Key"] == "[REDACTED]", "\(cachedAgain.body)")

            // Back to the first key: what was cached with it holds no secret either.
            try await putKey(client, id, "OLDKEYzq81rot")
            let back = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(back.body["data"]?["headers"]?["X-Api-Key"] == "[REDACTED]", "\(back.body)")
            for answer in [first, again, rotated, cachedAgain, back] { #expect(!answer.body.serialized().contains("zq81"), "\(answer.body)") }
        }
    }

    /// The provider is made unreachable by our own rate limiter (one call in ten minutes), so that neither the
    /// connection's config nor the call's parameters change between the good answer and the fallback.
    static let oneCallThenFallback: JSON = [
        "fallback": ["type": "last_good"], "rateLimit": ["algorithm": "fixed_window", "limit": 1, "periodMs": 600_000],
    ]

    @Test(arguments: TestBackend.available)
    func aLastGoodAnswerIsNotServedAfterTheCredentialsChanged(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await connection(client, key: "lastgood", resilience: Self.oneCallThenFallback)
            try await putKey(client, id, "OLDKEYzq82rot")
            let good = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(good.status == 200, "\(good.body)")
            #expect(good.body["meta"]?["fallback"] == nil, "\(good.body)")
            let fallback = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(fallback.status == 200, "\(fallback.body)")
            #expect(fallback.body["meta"]?["fallback"] == true, "\(fallback.body)")
            #expect(fallback.body["data"]?["headers"]?["X-Api-Key"] == "[REDACTED]", "\(fallback.body)")

            try await putKey(client, id, "NEWKEYzq82rot")
            let rotated = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(rotated.body["meta"]?["fallback"] == nil, "\(rotated.body)")  // nothing was fetched with the new key
            #expect(rotated.body["error"]?["code"] == "RATE_LIMIT_EXCEEDED", "\(rotated.body)")
            for answer in [good, fallback, rotated] { #expect(!answer.body.serialized().contains("zq82"), "\(answer.body)") }
        }
    }

    /// An answer is kept under the connection's config and definition version too: after a PATCH to another tenant,
    /// neither the cache nor the fallback serves what was fetched for the first one.
    @Test(arguments: TestBackend.available)
    func keptAnswersAreNotServedAfterTheConfigChanged(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let baseUrl = JSON.string(try await SharedPeers.httpbin().baseURL)
            let cached = try await connection(client, key: "cachecfg", resilience: ["cache": ["ttlMs": 600_000]])
            let fallback = try await connection(client, key: "lastgoodcfg", resilience: Self.oneCallThenFallback)
            for id in [cached, fallback] {
                try await putKey(client, id, "KEYcfgZq90")
                let first = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
                #expect(first.body["data"]?["url"]?.stringValue?.hasSuffix("/anything/rot") == true, "\(first.body)")
                let kept = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
                #expect(kept.body["meta"]?["cached"] == true || kept.body["meta"]?["fallback"] == true, "\(kept.body)")
                #expect(kept.body["data"]?["url"]?.stringValue?.hasSuffix("/anything/rot") == true, "\(kept.body)")

                let patched = try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["baseUrl": baseUrl, "tenant": "other"]])
                #expect(patched.status == 200, "\(patched.body)")
                let after = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
                #expect(after.body["meta"]?["cached"] == nil && after.body["meta"]?["fallback"] == nil, "\(after.body)")
                #expect(!after.body.serialized().contains("/anything/rot"), "\(after.body)")
            }
            // The cached connection fetched again, for the new tenant.
            let refetched = try await client.call(.post, "/v1/connections/\(cached)/methods/h", json: [:])
            #expect(refetched.body["data"]?["url"]?.stringValue?.hasSuffix("/anything/other") == true, "\(refetched.body)")
        }
    }
}
