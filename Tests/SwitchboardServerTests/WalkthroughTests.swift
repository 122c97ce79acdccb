import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardTestSupport
import Testing

@Suite struct WalkthroughTests {
    /// The README walk-through: import the catalog, create a connection, list both.
    @Test(arguments: TestBackend.available)
    func importCreateAndList(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            _ = try await client.importCatalog("stripe.yaml")
            let defs = try await client.call(.get, "/v1/definitions").body
            #expect(defs["items"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["httpbin", "stripe"])

            let created = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "Local httpbin"])
            #expect(created.status == 201)
            #expect(created.body["status"] == "CONNECTED")  // auth none
            #expect(created.body["config"]?["baseUrl"] == "http://127.0.0.1:8081")  // default applied
            #expect(created.headers[.eTag] == "\"1\"")

            let stripe = try await client.call(.post, "/v1/connections", json: ["definitionKey": "stripe", "name": "Acme Stripe", "metadata": ["customer": "acme"]])
            #expect(stripe.body["status"] == "PENDING_AUTHENTICATION")

            let list = try await client.call(.get, "/v1/connections").body
            #expect(list["items"]?.arrayValue?.count == 2)
            let filtered = try await client.call(.get, "/v1/connections?definitionKey=stripe").body
            #expect(filtered["items"]?.arrayValue?.map { $0["name"] } == ["Acme Stripe"])
            let byStatus = try await client.call(.get, "/v1/connections?status=CONNECTED").body
            #expect(byStatus["items"]?.arrayValue?.map { $0["name"] } == ["Local httpbin"])
        }
    }

    @Test(arguments: TestBackend.available)
    func restartKeepsEverything(_ backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let before = SnapshotBox()
            try await withApp(backend, location: location) { client in
                _ = try await client.importCatalog("httpbin.yaml")
                try await client.call(.post, "/v1/definitions", json: definition("draft-only"))
                try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "kept"])
                before.value = try await client.snapshot()
            }
            try await withApp(backend, location: location) { client in
                let after = try await client.snapshot()
                #expect(after == before.value)
                #expect(after["connections"]?["items"]?[0]?["name"] == "kept")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func healthReadinessAndOpenAPI(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            #expect(try await client.call(.get, "/health").body == ["status": "ok"])
            let ready = try await client.call(.get, "/ready")
            #expect(ready.status == 200)
            #expect(ready.body["database"] == .string(backend.rawValue))
            let doc = try await client.call(.get, "/openapi.json").body
            #expect(doc["openapi"] == "3.1.0")
            let yaml = try await client.call(.get, "/openapi.yaml")
            #expect(yaml.status == 200)
        }
    }
}

final class SnapshotBox: @unchecked Sendable {
    var value: JSON = .null
}
