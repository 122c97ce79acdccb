import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import NIOCore
import SwitchboardCore
import SwitchboardTestSupport
import Testing

/// The transformation API on both engines: JSONata, mappings, templates, validators, pipelines.
@Suite struct TransformAPITests {
    static let contactMapping: JSON = [
        "name": "hubspot contact", "description": "HubSpot contact to an internal contact",
        "sourceSchema": ["type": "object", "required": ["properties"]],
        "targetSchema": ["type": "object", "required": ["email"]],
        "rules": [
            ["source": "properties.email", "target": "email", "transform": ["type": "string", "trim": true, "case": "lower"], "required": true],
            ["source": "properties.age", "target": "age", "transform": ["type": "number"], "default": 0],
            ["expression": "properties.firstname & ' ' & properties.lastname", "target": "name"],
            ["source": "properties.phone", "target": "phones[]"],
        ],
    ]

    @Test(arguments: TestBackend.available)
    func transformEvaluatesWithLimitsAndErrorShape(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let ok = try await client.call(.post, "/v1/transform", json: ["expression": "a + $b", "input": ["a": 1], "bindings": ["b": 2]])
            #expect(ok.status == 200 && ok.body == ["result": 3])
            let undefined = try await client.call(.post, "/v1/transform", json: ["expression": "nothing", "input": ["a": 1]])
            #expect(undefined.body == ["result": nil, "undefined": true])
            let bad = try await client.call(.post, "/v1/transform", json: ["expression": "a + 'x'", "input": ["a": 1]])
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["code"] == "TRANSFORM_ERROR")
            #expect(bad.body["error"]?["details"]?[0]?["code"] == "T2002")
            #expect(bad.body["error"]?["details"]?[0]?["position"]?.numberValue != nil)
            let deep = try await client.call(.post, "/v1/transform", json: ["expression": "($f := function($n) { $f($n + 1) }; $f(0))"])
            #expect(deep.status == 422 && deep.body["error"]?["details"]?[0]?["code"] == "U1001")
            // 100 references to a 1 MB string: 100 MB of text from a tiny expression, refused before it is written.
            let huge = try await client.call(.post, "/v1/transform", json: ["expression": "($s := $pad('', 1000000, 'x'); [1..100].$s)"])
            #expect(huge.status == 422 && huge.body["error"]?["details"]?[0]?["code"] == "U1002")
            let overflow = try await client.call(.post, "/v1/transform", json: ["expression": "$sum([1e308, 1e308])"])
            #expect(overflow.status == 422 && overflow.body["error"]?["details"]?[0]?["code"] == "D1001")
            let missing = try await client.call(.post, "/v1/transform", json: ["input": 1])
            #expect(missing.status == 422 && missing.body["error"]?["code"] == "VALIDATION_ERROR")
        }
    }

    @Test(arguments: TestBackend.available)
    func mappingsCRUDAndApply(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let created = try await client.call(.post, "/v1/mappings", json: Self.contactMapping)
            #expect(created.status == 201)
            let id = try #require(created.body["id"]?.stringValue)
            #expect(id.hasPrefix("map_"))
            #expect(try await client.call(.get, "/v1/mappings/\(id)").body["name"] == "hubspot contact")

            let doc: JSON = ["properties": ["email": " Ada@Example.COM ", "age": "36", "firstname": "Ada", "lastname": "Lovelace", "phone": "+44"]]
            let applied = try await client.call(.post, "/v1/mappings/\(id)/apply", json: doc)
            #expect(applied.status == 200)
            #expect(applied.body == ["output": ["email": "ada@example.com", "age": 36, "name": "Ada Lovelace", "phones": ["+44"]], "errors": []])

            let batch = try await client.call(.post, "/v1/mappings/\(id)/apply", json: [doc, ["properties": ["age": "x"]], ["nope": 1]])
            let results = try #require(batch.body["results"]?.arrayValue)
            #expect(results.count == 3)
            #expect(results[0]["errors"] == [])
            #expect(results[1]["errors"]?.arrayValue?.count == 2)
            #expect(results[2]["errors"]?[0]?["message"]?.stringValue?.hasPrefix("source:") == true)

            // An invalid replacement changes nothing.
            let bad = try await client.call(
                .put, "/v1/mappings/\(id)",
                json: ["name": "x", "rules": [["source": "a", "target": "b", "transform": ["type": "date", "outputFormat": "[Q]"]]]])
            #expect(bad.status == 422)
            #expect(try await client.call(.get, "/v1/mappings/\(id)").body["rules"] == Self.contactMapping["rules"])
            // A valid one is used by the next apply (compiled cache invalidated).
            let replaced = try await client.call(.put, "/v1/mappings/\(id)", json: ["name": "x", "rules": [["source": "a", "target": "b"]]])
            #expect(replaced.status == 200)
            #expect(try await client.call(.post, "/v1/mappings/\(id)/apply", json: ["a": 1]).body["output"] == ["b": 1])

            _ = try await client.call(.post, "/v1/mappings", json: ["name": "second", "rules": []])
            let page1 = try await client.call(.get, "/v1/mappings?limit=1")
            #expect(page1.body["items"]?.arrayValue?.count == 1)
            let cursor = try #require(page1.body["nextCursor"]?.stringValue)
            let page2 = try await client.call(.get, "/v1/mappings?limit=1&cursor=\(cursor)")
            #expect(page2.body["items"]?[0]?["name"] == "second")
            #expect(page2.body["nextCursor"] == .null)

            #expect(try await client.call(.delete, "/v1/mappings/\(id)").status == 204)
            let gone = try await client.call(.get, "/v1/mappings/\(id)")
            #expect(gone.status == 404 && gone.body["error"]?["code"] == "MAPPING_NOT_FOUND")
        }
    }

    @Test(arguments: TestBackend.available)
    func invalidMappingsListEveryProblemAndStoreNothing(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let r = try await client.call(
                .post, "/v1/mappings",
                json: [
                    "rules": [
                        ["source": "a", "target": "b", "condition": ["field": "a", "operator": "bigger"]], ["expression": "(", "target": "x"],
                    ]
                ])
            #expect(r.status == 422)
            #expect(r.body["error"]?["code"] == "VALIDATION_ERROR")
            let paths = r.body["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
            #expect(paths == ["/name", "/rules/0/condition/operator", "/rules/1/expression"])
            #expect(try await client.call(.get, "/v1/mappings").body["items"] == [])
            #expect(try await client.call(.post, "/v1/mappings", raw: "{", contentType: "application/json").status == 400)
        }
    }

    @Test(arguments: TestBackend.available)
    func templatesTransformData(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let mapping = try await client.call(.post, "/v1/mappings", json: Self.contactMapping)
            let mappingId = try #require(mapping.body["id"]?.stringValue)
            let missingMapping = try await client.call(
                .post, "/v1/mapping-templates", json: ["integrationType": "crm", "entityType": "contact", "mappingId": "map_x"])
            #expect(missingMapping.status == 422)
            let t = try await client.call(
                .post, "/v1/mapping-templates", json: ["integrationType": "crm", "entityType": "contact", "mappingId": .string(mappingId)])
            #expect(t.status == 201 && t.body["name"] == "crm/contact")
            let dup = try await client.call(
                .post, "/v1/mapping-templates", json: ["integrationType": "crm", "entityType": "contact", "mappingId": .string(mappingId)])
            #expect(dup.status == 409)
            let out = try await client.call(
                .post, "/v1/transform/data", json: ["integrationType": "crm", "entityType": "contact", "data": ["properties": ["email": "X@Y.Z"]]])
            #expect(out.status == 200 && out.body["output"]?["email"] == "x@y.z")
            let none = try await client.call(.post, "/v1/transform/data", json: ["integrationType": "crm", "entityType": "deal", "data": [:]])
            #expect(none.status == 404 && none.body["error"]?["code"] == "TEMPLATE_NOT_FOUND")
            #expect(try await client.call(.get, "/v1/mapping-templates").body["items"]?.arrayValue?.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func validatorsValidateWithFormats(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let v = try await client.call(
                .post, "/v1/validators",
                json: [
                    "name": "contact",
                    "rules": [
                        ["field": "email", "type": "format", "format": "email"], ["field": "age", "type": "range", "min": 0, "severity": "warning"],
                        ["field": "country", "type": "required", "severity": "info"],
                    ],
                ])
            #expect(v.status == 201)
            let id = try #require(v.body["id"]?.stringValue)
            let ok = try await client.call(.post, "/v1/validators/\(id)/validate", json: ["email": "a@b.co", "age": -1])
            #expect(ok.body["valid"] == true)
            #expect(ok.body["warnings"]?.arrayValue?.count == 1 && ok.body["infos"]?.arrayValue?.count == 1)
            let bad = try await client.call(.post, "/v1/validators/\(id)/validate", json: ["email": "not an email"])
            #expect(bad.body["valid"] == false && bad.body["errors"]?[0]?["field"] == "email")
            #expect(try await client.call(.post, "/v1/validators/val_none/validate", json: [:]).status == 404)
        }
    }

    static func setUpPipeline(_ client: any TestClientProtocol) async throws -> String {
        let m = try await client.call(
            .post, "/v1/mappings", json: ["name": "m", "rules": [["source": "n", "target": "n", "transform": ["type": "number"], "required": true]]])
        let mappingId = try #require(m.body["id"]?.stringValue)
        let p = try await client.call(
            .post, "/v1/pipelines",
            json: [
                "name": "numbers",
                "steps": [
                    ["type": "filtering", "expression": "$not(skip = true)"], ["type": "mapping", "mappingId": .string(mappingId)],
                    ["type": "transformation", "expression": "{'double': n * 2}"],
                ],
            ])
        #expect(p.status == 201)
        return try #require(p.body["id"]?.stringValue)
    }

    @Test(arguments: TestBackend.available)
    func pipelinesRunOneDocumentAndJSONArrays(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await Self.setUpPipeline(client)
            #expect(try await client.call(.post, "/v1/pipelines/\(id)/run", json: ["n": "4"]).body == ["output": ["double": 8]])
            let failed = try await client.call(.post, "/v1/pipelines/\(id)/run", json: ["n": "x"])
            #expect(failed.status == 422 && failed.body["error"]?["code"] == "MAPPING_FAILED")
            let batch = try await client.call(.post, "/v1/pipelines/\(id)/run", json: [["n": 1], ["n": "x"], ["skip": true], ["n": 2]])
            #expect(
                batch.body["results"] == [
                    ["index": 0, "output": ["double": 2]], batch.body["results"]![1]!, ["index": 2, "dropped": true, "step": 0],
                    ["index": 3, "output": ["double": 4]],
                ])
            #expect(batch.body["results"]?[1]?["error"]?["code"] == "MAPPING_FAILED")
            #expect(batch.body["summary"] == ["total": 4, "succeeded": 2, "dropped": 1, "failed": 1, "stopped": false])
            let stopped = try await client.call(.post, "/v1/pipelines/\(id)/run?stopOnError=true", json: [["n": 1], ["n": "x"], ["n": 2]])
            #expect(stopped.body["results"]?.arrayValue?.count == 2)
            #expect(stopped.body["summary"]?["stopped"] == true)
            #expect(try await client.call(.post, "/v1/pipelines/pipe_none/run", json: [:]).status == 404)
            let badPipeline = try await client.call(
                .post, "/v1/pipelines", json: ["name": "x", "steps": [["type": "mapping", "mappingId": "map_none"]]])
            #expect(badPipeline.status == 422)
            #expect(try await client.call(.get, "/v1/pipelines").body["items"]?.arrayValue?.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func pipelinesStreamNDJSON(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await Self.setUpPipeline(client)
            let body = "{\"n\": 1}\n{\"n\": \"x\"}\nnot json\n\n{\"skip\": true}\n{\"n\": 3}"
            let lines = try await client.execute(
                uri: "/v1/pipelines/\(id)/run", method: .post, headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.headers[.contentType] == "application/x-ndjson")
                return String(buffer: response.body).split(separator: "\n").map { (try? JSON(parsing: String($0))) ?? .null }
            }
            #expect(lines.count == 6)
            #expect(lines[0] == ["index": 0, "output": ["double": 2]])
            #expect(lines[1]["error"]?["code"] == "MAPPING_FAILED")
            #expect(lines[2]["error"]?["code"] == "MALFORMED_BODY")
            #expect(lines[3] == ["index": 3, "dropped": true, "step": 0])
            #expect(lines[4] == ["index": 4, "output": ["double": 6]])
            #expect(lines[5] == ["summary": ["total": 5, "succeeded": 2, "dropped": 1, "failed": 2, "stopped": false]])
            let stopped = try await client.execute(
                uri: "/v1/pipelines/\(id)/run?stopOnError=true", method: .post, headers: [.contentType: "application/x-ndjson"],
                body: ByteBuffer(string: body)
            ) { String(buffer: $0.body).split(separator: "\n").count }
            #expect(stopped == 3)
            // Streams are read as UTF-8: another charset is refused, not misread.
            let utf16 = try await client.execute(
                uri: "/v1/pipelines/\(id)/run", method: .post, headers: [.contentType: "application/x-ndjson; charset=utf-16"],
                body: ByteBuffer(string: body)
            ) { ($0.status.code, (try? JSON(parsing: String(buffer: $0.body)))?["error"]?["code"]) }
            #expect(utf16.0 == 415 && utf16.1 == "UNSUPPORTED_MEDIA_TYPE", "\(utf16)")
        }
    }

    /// A cursor is good only for the listing that issued it: a mappings cursor given to the validators, pipelines or
    /// mapping templates, or one made up, is a 400 `INVALID_CURSOR`. They used to be read as a position (a page
    /// after it, empty or arbitrary).
    @Test(arguments: TestBackend.available)
    func aCursorFromAnotherListingOrMadeUpIsRefused(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            for name in ["first", "second"] {
                #expect(try await client.call(.post, "/v1/mappings", json: ["name": .string(name), "rules": []]).status == 201)
                #expect(try await client.call(.post, "/v1/validators", json: ["name": .string(name), "rules": []]).status == 201)
            }
            let mappings = try #require(try await client.call(.get, "/v1/mappings?limit=1").body["nextCursor"]?.stringValue)
            let validators = try #require(try await client.call(.get, "/v1/validators?limit=1").body["nextCursor"]?.stringValue)
            let issued = try #require(Cursor(decoding: mappings).position.first)
            let refused: [(path: String, cursor: String)] = [
                ("/v1/validators", mappings), ("/v1/pipelines", mappings), ("/v1/mapping-templates", mappings), ("/v1/mappings", validators),
                ("/v1/mappings", Cursor(position: ["zzz"]).encoded), ("/v1/mappings", Cursor(position: [issued, "more"]).encoded),
                ("/v1/validators", Cursor(position: [.number(1)]).encoded),
            ]
            for (path, cursor) in refused {
                let r = try await client.call(.get, "\(path)?cursor=\(cursor)")
                #expect(r.status == 400, "\(path) \(cursor): \(r.body)")
                #expect(r.body["error"]?["code"] == "INVALID_CURSOR", "\(path) \(cursor): \(r.body)")
            }
            // The cursor each listing issued goes on to its next page.
            for (path, cursor) in [("/v1/mappings", mappings), ("/v1/validators", validators)] {
                let next = try await client.call(.get, "\(path)?limit=1&cursor=\(cursor)")
                #expect(next.status == 200, "\(path): \(next.body)")
                #expect(next.body["items"]?[0]?["name"] == "second", "\(path): \(next.body)")
            }
        }
    }
}
