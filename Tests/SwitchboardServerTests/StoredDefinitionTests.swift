import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Definitions stored before a write-time check existed (written straight into the database here) still load and
/// run; the transport keeps them from sending framing headers; and a connection config that a path needs is the
/// connection's problem, not the caller's.
@Suite struct StoredDefinitionTests {
    /// A definition for httpbin as the codec reads it, then given settings the write-time checks now refuse.
    static func legacyDefinition(baseURL: String, version: String, status: DefinitionStatus) throws -> IntegrationDefinition {
        let doc: JSON = [
            "key": "legacy", "name": "Stored before the checks", "version": .string(version), "type": "rest_api", "baseUrl": .string(baseURL),
            "methods": [
                ["name": "getcl", "verb": "GET", "path": "/anything", "paramSchema": ["type": "object"], "timeoutMs": 3000],
                ["name": "postte", "verb": "POST", "path": "/anything", "body": ["a": "{{params.a}}"], "timeoutMs": 3000],
            ],
        ]
        var d = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(doc)
        d.methods[0].headers = ["Content-Length": "{{params.cl}}", "Connection": "Upgrade", "Upgrade": "h2c", "X-Kept": "yes"]
        d.methods[1].headers = ["Transfer-Encoding": "chunked", "Content-Length": "1", "Expect": "100-continue"]
        var methods = d.document["methods"]?.arrayValue ?? []
        for i in 0..<2 {
            var headers = JSONObject()
            for (name, value) in d.methods[i].headers { headers[name] = .string(value) }
            methods[i]["headers"] = .object(headers)
        }
        d.document["methods"] = .array(methods)
        d.status = status
        return d
    }

    @Test(arguments: TestBackend.available)
    func storedDefinitionsWithFramingHeadersLoadAndRun(_ backend: TestBackend) async throws {
        let peer = try await SharedPeers.httpbin()
        try await backend.withFreshLocation { location in
            try await TestBackend.withDatabase(at: location) { db, _ in
                let store = Store(database: db)
                _ = try await store.definitions.create(try Self.legacyDefinition(baseURL: peer.baseURL, version: "1.0.0", status: .published))
                _ = try await store.definitions.create(try Self.legacyDefinition(baseURL: peer.baseURL, version: "1.1.0", status: .draft))
                // A template that no longer passes the write-time checks.
                var broken = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(
                    definition("broken", extra: ["baseUrl": .string(peer.baseURL), "methods": [["name": "get", "path": "/get"]]]))
                broken.methods[0].query = ["q": "{{params.q"]
                broken.document["methods"] = [["name": "get", "path": "/get", "query": ["q": "{{params.q"]]]
                broken.status = .published
                _ = try await store.definitions.create(broken)
            }
            try await withApp(backend, location: location) { client in
                // The stored version reads back as it was written.
                let stored = try await client.call(.get, "/v1/definitions/legacy/versions/1.0.0")
                #expect(stored.status == 200, "\(stored.body)")
                #expect(stored.body["methods"]?[0]?["headers"]?["Content-Length"] == "{{params.cl}}")
                let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "legacy", "name": "old"])
                let id = try #require(c.body["id"]?.stringValue, "\(c.body)")

                // Before, the GET carried `Content-Length: 5` and httpbin waited for a body until the attempt timed out.
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/getcl", json: ["cl": "5"])
                #expect(r.status == 200, "\(r.body)")
                let sent = r.body["data"]?["headers"]?.objectValue ?? [:]
                let names = Set(sent.keys.map { $0.lowercased() })
                #expect(names.isDisjoint(with: ["content-length", "transfer-encoding", "upgrade"]), "\(sent)")
                #expect(sent["Connection"]?.stringValue?.lowercased() != "upgrade", "\(sent)")
                #expect(sent["X-Kept"] == "yes")

                // The POST is framed by its body, whatever the stored headers said.
                let p = try await client.call(.post, "/v1/connections/\(id)/methods/postte", json: ["a": "hello"])
                #expect(p.status == 200, "\(p.body)")
                #expect(p.body["data"]?["json"] == ["a": "hello"])
                #expect(p.body["data"]?["headers"]?["Content-Length"] == "13")
                #expect(p.body["data"]?["headers"]?["Transfer-Encoding"] == nil)

                // A stored template that does not parse still lists, and still answers DEFINITION_ERROR when called.
                #expect(try await client.call(.get, "/v1/definitions/broken").body["methods"]?[0]?["query"]?["q"] == "{{params.q")
                let b = try await client.call(.post, "/v1/connections", json: ["definitionKey": "broken", "name": "b"])
                let bid = try #require(b.body["id"]?.stringValue, "\(b.body)")
                let call = try await client.call(.post, "/v1/connections/\(bid)/methods/get", json: [:])
                #expect(call.status == 409, "\(call.body)")
                #expect(call.body["error"]?["code"] == "DEFINITION_ERROR")

                // Publishing a draft stored that way runs the write-time checks.
                let publish = try await client.call(.post, "/v1/definitions/legacy/versions/1.1.0/publish")
                #expect(publish.status == 422, "\(publish.body)")
                let paths = publish.body["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
                #expect(
                    paths == [
                        "/methods/0/headers/Connection", "/methods/0/headers/Content-Length", "/methods/0/headers/Upgrade",
                        "/methods/1/headers/Content-Length", "/methods/1/headers/Expect", "/methods/1/headers/Transfer-Encoding",
                    ], "\(publish.body)")
            }
        }
    }

    /// A path's `{config.x}` missing from the connection's config was a 422 VALIDATION_ERROR ("path parameter 'x' is
    /// missing"), blaming the caller; it is the connection's configuration that lacks it.
    @Test(arguments: TestBackend.available)
    func aConfigValueMissingFromThePathIsTheConnectionsProblem(_ backend: TestBackend) async throws {
        let peer = try await SharedPeers.httpbin()
        try await withApp(backend) { client in
            let doc: JSON = [
                "key": "cfgpath", "name": "Config in the path", "version": "1.0.0", "baseUrl": .string(peer.baseURL),
                "methods": [
                    ["name": "get", "verb": "GET", "path": "/{config.x}/get"],
                    ["name": "header", "verb": "GET", "path": "/get", "headers": ["X-Region": "r-{{config.region}}-{{params.p}}"]],
                ],
            ]
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: doc).status == 201)
            let without = try await client.call(.post, "/v1/connections", json: ["definitionKey": "cfgpath", "name": "no x"])
            let id = try #require(without.body["id"]?.stringValue, "\(without.body)")
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
            #expect(r.status == 409, "\(r.body)")
            #expect(r.body["error"]?["code"] == "CONNECTION_NOT_USABLE")
            #expect(r.body["error"]?["message"]?.stringValue?.contains("config.x") == true, "\(r.body)")

            let bad = try await client.call(
                .post, "/v1/connections", json: ["definitionKey": "cfgpath", "name": "bad", "config": ["x": "..", "region": "eu\r\nX-Evil: 1"]])
            let badId = try #require(bad.body["id"]?.stringValue, "\(bad.body)")
            let dots = try await client.call(.post, "/v1/connections/\(badId)/methods/get", json: [:])
            #expect(dots.status == 409, "\(dots.body)")
            #expect(dots.body["error"]?["code"] == "CONNECTION_NOT_USABLE")
            let header = try await client.call(.post, "/v1/connections/\(badId)/methods/header", json: ["p": "ok"])
            #expect(header.status == 409, "\(header.body)")
            #expect(header.body["error"]?["message"]?.stringValue?.contains("config.region") == true, "\(header.body)")
            // A line break from the parameters is still the caller's fault.
            let fromParams = try await client.call(.post, "/v1/connections/\(id)/methods/header", json: ["p": "a\nb"])
            #expect(fromParams.status == 422, "\(fromParams.body)")
            #expect(fromParams.body["error"]?["code"] == "VALIDATION_ERROR")

            let good = try await client.call(.post, "/v1/connections", json: ["definitionKey": "cfgpath", "name": "x", "config": ["x": "anything"]])
            let goodId = try #require(good.body["id"]?.stringValue, "\(good.body)")
            let ok = try await client.call(.post, "/v1/connections/\(goodId)/methods/get", json: [:])
            #expect(ok.status == 200, "\(ok.body)")
            #expect(ok.body["data"]?["url"]?.stringValue?.hasSuffix("/anything/get") == true, "\(ok.body)")
        }
    }
}
