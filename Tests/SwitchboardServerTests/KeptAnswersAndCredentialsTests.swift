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
        let config: JSON = ["baseUrl": .string(try SharedPeers.httpbin().baseURL), "tenant": "rot"]
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

    @Test(arguments: TestBackend.available)
    func aLastGoodAnswerIsNotServedAfterTheCredentialsChanged(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await connection(client, key: "lastgood", resilience: ["fallback": ["type": "last_good"]])
            try await putKey(client, id, "OLDKEYzq82rot")
            let good = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(good.status == 200, "\(good.body)")
            // The provider goes away (nothing listens on port 1).
            let dead: JSON = ["config": ["baseUrl": "http://127.0.0.1:1", "tenant": "rot"]]
            let patched = try await client.call(.patch, "/v1/connections/\(id)", json: dead)
            #expect(patched.status == 200, "\(patched.body)")
            let fallback = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(fallback.status == 200, "\(fallback.body)")
            #expect(fallback.body["meta"]?["fallback"] == true, "\(fallback.body)")
            #expect(fallback.body["data"]?["headers"]?["X-Api-Key"] == "[REDACTED]", "\(fallback.body)")

            try await putKey(client, id, "NEWKEYzq82rot")
            let rotated = try await client.call(.post, "/v1/connections/\(id)/methods/h", json: [:])
            #expect(rotated.status == 502, "\(rotated.body)")  // nothing was fetched with the new key
            #expect(rotated.body["error"]?["code"] == "UPSTREAM_UNAVAILABLE", "\(rotated.body)")
            for answer in [good, fallback, rotated] { #expect(!answer.body.serialized().contains("zq82"), "\(answer.body)") }
        }
    }
}
