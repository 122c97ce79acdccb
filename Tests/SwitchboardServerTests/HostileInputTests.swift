import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardTestSupport
import Testing

/// Malformed and hostile requests: each gets a 4xx with the error shape and a stable code, and the database is unchanged.
@Suite struct HostileInputTests {
    struct Case: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var contentType: String?
        var headers: HTTPFields = [:]
        var status: Int
        var code: String
    }

    static func cases(connectionId: String) -> [Case] {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let big = "{\"key\":\"" + String(repeating: "x", count: 70_000) + "\"}"
        return [
            Case(method: .post, path: "/v1/definitions", body: "{\"key\": ", contentType: "application/json", status: 400, code: "MALFORMED_BODY"),
            Case(method: .post, path: "/v1/definitions", body: "key: [unclosed", contentType: "application/yaml", status: 400, code: "MALFORMED_BODY"),
            Case(method: .post, path: "/v1/definitions", body: "a: 1\n---\nb: 2", contentType: "application/yaml", status: 400, code: "MALFORMED_BODY"),
            Case(method: .post, path: "/v1/definitions", body: "[1,2]", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/definitions", body: "\"just a string\"", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/definitions", body: "{\"key\": 5, \"name\": [], \"version\": {}, \"methods\": \"none\"}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/definitions", body: deep, contentType: "application/json", status: 400, code: "MALFORMED_BODY"),
            Case(method: .post, path: "/v1/definitions", body: big, contentType: "application/json", status: 413, code: "PAYLOAD_TOO_LARGE"),
            Case(method: .post, path: "/v1/definitions", body: "<xml/>", contentType: "text/html", status: 415, code: "UNSUPPORTED_MEDIA_TYPE"),
            Case(method: .post, path: "/v1/definitions", body: "", contentType: "application/json", status: 400, code: "MALFORMED_BODY"),
            Case(method: .post, path: "/v1/definitions", body: "\u{FEFF}\u{0}\u{1}", contentType: "application/json", status: 400, code: "MALFORMED_BODY"),
            Case(method: .post, path: "/v1/definitions", body: "{\"key\": 1e400}", contentType: "application/json", status: 400, code: "MALFORMED_BODY"),
            Case(method: .get, path: "/v1/connections/conn_%zz", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .post, path: "/v1/definitions?publish=maybe", body: "{}", contentType: "application/json", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .post, path: "/v1/connections", body: "{\"definitionKey\": \"httpbin\", \"name\": \"nul\\u0000byte\"}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/definitions", body: "{\"key\":\"k\",\"name\":\"n\",\"version\":\"1.0.0\",\"configSchema\":{\"$ref\":\"http://example.com/remote\"}}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/definitions", body: "{\"key\":\"k\",\"name\":\"n\",\"version\":\"1.0.0\",\"configSchema\":{\"pattern\":\"([a-z\"}}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .get, path: "/v1/definitions?limit=0", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .get, path: "/v1/definitions?limit=abc", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .get, path: "/v1/definitions?status=LIVE", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .get, path: "/v1/definitions?cursor=%%%", status: 400, code: "INVALID_CURSOR"),
            Case(method: .get, path: "/v1/definitions?cursor=W10", status: 400, code: "INVALID_CURSOR"),
            Case(method: .get, path: "/v1/definitions/httpbin/versions/not-semver", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .post, path: "/v1/definitions/httpbin/versions/1.0.0/explode", status: 404, code: "ROUTE_NOT_FOUND"),
            Case(method: .post, path: "/v1/definitions/httpbin/versions/1.0.0/publish", status: 409, code: "INVALID_TRANSITION"),
            Case(method: .post, path: "/v1/definitions/ghost/versions/1.0.0/publish", status: 404, code: "DEFINITION_NOT_FOUND"),
            Case(method: .put, path: "/v1/definitions/httpbin/versions/1.0.0", body: "{\"key\":\"httpbin\",\"name\":\"x\",\"version\":\"1.0.0\"}", contentType: "application/json", status: 409, code: "DEFINITION_NOT_EDITABLE"),
            Case(method: .post, path: "/v1/connections", body: "{\"definitionKey\": \"ghost\", \"name\": \"x\"}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/connections", body: "{\"definitionKey\": \"httpbin\"}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/connections", body: "{\"definitionKey\": \"httpbin\", \"name\": \"x\", \"config\": [1]}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/connections", body: "{\"definitionKey\": \"httpbin\", \"name\": \"x\", \"sneaky\": 1}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .post, path: "/v1/connections", body: "name: x", contentType: "application/yaml", status: 415, code: "UNSUPPORTED_MEDIA_TYPE"),
            Case(method: .get, path: "/v1/connections/conn_'%20OR%201=1--", status: 404, code: "CONNECTION_NOT_FOUND"),
            Case(method: .get, path: "/v1/connections?status=HAPPY", status: 400, code: "INVALID_PARAMETER"),
            Case(method: .patch, path: "/v1/connections/\(connectionId)", body: "{\"name\": \"\"}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .patch, path: "/v1/connections/\(connectionId)", body: "{\"name\": \"y\"}", contentType: "application/json", headers: [.ifMatch: "\"abc\""], status: 400, code: "INVALID_PARAMETER"),
            Case(method: .patch, path: "/v1/connections/\(connectionId)", body: "{\"status\": \"CONNECTED\"}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .patch, path: "/v1/connections/\(connectionId)", body: "{\"version\": 1.5}", contentType: "application/json", status: 422, code: "VALIDATION_ERROR"),
            Case(method: .delete, path: "/v1/connections/conn_00000000-0000-7000-8000-000000000000", status: 404, code: "CONNECTION_NOT_FOUND"),
            Case(method: .get, path: "/v2/nothing", status: 404, code: "ROUTE_NOT_FOUND"),
        ]
    }

    @Test(arguments: TestBackend.available)
    func everyBadRequestGetsAStableErrorAndChangesNothing(_ backend: TestBackend) async throws {
        try await withApp(backend, maxBodySize: 64 * 1024) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            let id = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "target"]).body["id"]!.stringValue!
            let before = try await client.snapshot()
            for c in Self.cases(connectionId: id) {
                let r = try await client.call(c.method, c.path, raw: c.body, contentType: c.contentType, headers: c.headers)
                #expect(r.status == c.status, "\(c.method) \(c.path): \(r.body)")
                #expect(r.body["error"]?["code"] == .string(c.code), "\(c.method) \(c.path): \(r.body)")
                #expect(r.body["error"]?["message"]?.stringValue?.isEmpty == false)
                #expect(r.body["error"]?["details"]?.arrayValue != nil)
            }
            #expect(try await client.snapshot() == before)
        }
    }
}
