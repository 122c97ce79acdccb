import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardTestSupport
import Testing

@Suite struct ConnectionsAPITests {
    @Test(arguments: TestBackend.available)
    func configIsValidatedAndDefaulted(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            let bad = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "x", "config": ["baseUrl": 5, "timeoutMs": "fast"]])
            #expect(bad.status == 422)
            let paths = Set(bad.body["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? [])
            #expect(paths.contains("/config/baseUrl"))
            let ok = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "x", "config": ["timeoutMs": 500]])
            #expect(ok.body["config"] == ["baseUrl": "http://127.0.0.1:8081", "timeoutMs": 500])
            #expect(ok.body["definitionVersion"] == "1.0.0")
        }
    }

    @Test(arguments: TestBackend.available)
    func definitionMustBePublishedOrNamed(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            try await client.call(.post, "/v1/definitions", json: definition("draft"))
            let r = try await client.call(.post, "/v1/connections", json: ["definitionKey": "draft", "name": "x"])
            #expect(r.status == 409)
            #expect(r.body["error"]?["code"] == "DEFINITION_NOT_PUBLISHED")
            let named = try await client.call(.post, "/v1/connections", json: ["definitionKey": "draft", "definitionVersion": "1.0.0", "name": "x"])
            #expect(named.status == 201)
            let unknown = try await client.call(.post, "/v1/connections", json: ["definitionKey": "nothing", "name": "x"])
            #expect(unknown.status == 422)
            // A version in use cannot be deleted.
            #expect(try await client.call(.delete, "/v1/definitions/draft/versions/1.0.0").body["error"]?["code"] == "DEFINITION_IN_USE")
        }
    }

    @Test(arguments: TestBackend.available)
    func optimisticConcurrency(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "v1"]).body
            let id = c["id"]!.stringValue!
            let first = try await client.call(.patch, "/v1/connections/\(id)", json: ["name": "v2"], headers: [.ifMatch: "\"1\""])
            #expect(first.status == 200)
            #expect(first.body["version"] == 2)
            #expect(first.headers[.eTag] == "\"2\"")

            let staleHeader = try await client.call(.patch, "/v1/connections/\(id)", json: ["name": "lost"], headers: [.ifMatch: "\"1\""])
            #expect(staleHeader.status == 412)
            #expect(staleHeader.body["error"]?["code"] == "PRECONDITION_FAILED")
            let staleBody = try await client.call(.patch, "/v1/connections/\(id)", json: ["name": "lost", "version": 1])
            #expect(staleBody.status == 409)
            #expect(staleBody.body["error"]?["code"] == "VERSION_CONFLICT")
            let now = try await client.call(.get, "/v1/connections/\(id)").body
            #expect(now["name"] == "v2")
            #expect(now["version"] == 2)

            let withBodyVersion = try await client.call(.patch, "/v1/connections/\(id)", json: ["metadata": ["team": "a"], "version": 2])
            #expect(withBodyVersion.body["version"] == 3)
            let badConfig = try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["baseUrl": "ftp:nope"]])
            #expect(badConfig.status == 422)
            #expect(try await client.call(.get, "/v1/connections/\(id)").body["version"] == 3)

            #expect(try await client.call(.delete, "/v1/connections/\(id)").status == 204)
            #expect(try await client.call(.get, "/v1/connections/\(id)").status == 404)
            #expect(try await client.call(.delete, "/v1/connections/\(id)").status == 404)
        }
    }

    @Test(arguments: TestBackend.available)
    func paginatesConnections(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            var created: [String] = []
            for i in 0..<7 {
                created.append(try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": .string("c\(i)")]).body["id"]!.stringValue!)
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/connections?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")).body
                seen += page["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                cursor = page["nextCursor"]?.stringValue
            } while cursor != nil
            #expect(seen == created)
        }
    }

    /// `metadata.resilience` is read by every call with the definitions' resilience parser: a setting that parser
    /// refuses is refused when written (422 with its path), and nothing is stored; before, it was stored and every
    /// call then answered 409 DEFINITION_ERROR.
    @Test(arguments: TestBackend.available)
    func resilienceMetadataIsValidatedWhenWritten(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            func paths(_ r: (status: Int, body: JSON, headers: HTTPFields)) -> [String] {
                r.body["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
            }
            let badCreate = try await client.call(
                .post, "/v1/connections",
                json: ["definitionKey": "httpbin", "name": "x", "metadata": ["resilience": ["retry": ["maxAtempts": 3]]]])
            #expect(badCreate.status == 422)
            #expect(badCreate.body["error"]?["code"] == "VALIDATION_ERROR")
            #expect(paths(badCreate) == ["/metadata/resilience/retry/maxAtempts"])
            #expect(try await client.call(.get, "/v1/connections").body["items"]?.arrayValue?.isEmpty == true)

            let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "x", "metadata": ["team": "a"]])
            #expect(c.status == 201)
            let id = c.body["id"]!.stringValue!
            let misspelt = try await client.call(.patch, "/v1/connections/\(id)", json: ["metadata": ["resilience": ["retry": ["maxAtempts": 3]]]])
            #expect(misspelt.status == 422)
            #expect(misspelt.body["error"]?["code"] == "VALIDATION_ERROR")
            #expect(paths(misspelt) == ["/metadata/resilience/retry/maxAtempts"])
            let leaky = try await client.call(
                .patch, "/v1/connections/\(id)", json: ["metadata": ["resilience": ["rateLimit": ["algorithm": "leaky"]]]])
            #expect(leaky.status == 422)
            #expect(paths(leaky).contains { $0.hasPrefix("/metadata/resilience/rateLimit") && $0.hasSuffix("/algorithm") }, "\(leaky.body)")
            let notObject = try await client.call(.patch, "/v1/connections/\(id)", json: ["metadata": ["resilience": 5]])
            #expect(notObject.status == 422)
            #expect(paths(notObject) == ["/metadata/resilience"])
            // Nothing was stored.
            let stored = try await client.call(.get, "/v1/connections/\(id)").body
            #expect(stored["version"] == 1)
            #expect(stored["metadata"] == ["team": "a"])

            let good = try await client.call(
                .patch, "/v1/connections/\(id)", json: ["metadata": ["resilience": ["retry": ["maxAttempts": 3], "bulkhead": false]]])
            #expect(good.status == 200, "\(good.body)")
            #expect(good.body["metadata"]?["resilience"]?["retry"] == ["maxAttempts": 3])
        }
    }
}
