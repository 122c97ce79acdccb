import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardServer
import SwitchboardTestSupport
import Testing

/// Malformed path and query parameters and headers: 400 `INVALID_PARAMETER` naming the parameter and where it is.
@Suite struct ParameterErrorTests {
    @Test func aMalformedPathParameterIsNamedAsOne() async throws {
        try await withApp(.sqlite) { client in
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/definitions/k/versions/0"), (.delete, "/v1/definitions/k/versions/1.0"),
                (.post, "/v1/definitions/k/versions/01.0.0/publish"),
            ] {
                let r = try await client.call(method, path)
                #expect(r.status == 400, "\(path): \(r.body)")
                #expect(r.body["error"]?["code"] == "INVALID_PARAMETER", "\(path): \(r.body)")
                let message = r.body["error"]?["message"]?.stringValue ?? ""
                #expect(message.hasPrefix("path parameter 'version' "), "\(path): \(message)")
                #expect(r.body["error"]?["details"]?[0]?["path"] == "version", "\(path): \(r.body)")
            }
        }
    }

    /// `?until=` is not "no bound": an empty value for a typed parameter is refused like any other malformed value,
    /// while an empty free-text filter still means no filter.
    @Test func anEmptyTypedQueryParameterIsInvalid() async throws {
        try await withApp(.sqlite) { client in
            for (path, parameter) in [
                ("/v1/audit?until=", "until"), ("/v1/audit?since=", "since"), ("/v1/executions?until=", "until"),
                ("/v1/executions?status=", "status"), ("/v1/events?since=", "since"), ("/v1/definitions?limit=", "limit"),
                ("/v1/definitions?popular=", "popular"), ("/v1/definitions?type=", "type"), ("/v1/connections?status=", "status"),
                ("/v1/mappings?limit=", "limit"),
            ] {
                let r = try await client.call(.get, path)
                #expect(r.status == 400, "\(path): \(r.body)")
                #expect(r.body["error"]?["code"] == "INVALID_PARAMETER", "\(path): \(r.body)")
                #expect(r.body["error"]?["details"]?[0]?["path"] == .string(parameter), "\(path): \(r.body)")
            }
            let cursor = try await client.call(.get, "/v1/definitions?cursor=")
            #expect(cursor.status == 400)
            #expect(cursor.body["error"]?["code"] == "INVALID_CURSOR")
            for path in ["/v1/definitions?search=", "/v1/connections?definitionKey=", "/v1/events?type=", "/v1/audit?action="] {
                #expect(try await client.call(.get, path).status == 200, "\(path)")
            }
        }
    }

    @Test func ifMatchIsAnEntityTagOrStar() async throws {
        try await withApp(.sqlite) { client in
            _ = try await client.importCatalog("httpbin.yaml")
            let created = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin", "name": "c"])
            let id = try #require(created.body["id"]?.stringValue)
            for tag in ["\"01\"", "\"1", "W/ \"1\"", "\"1\", \"2\"", "0", ""] {
                let r = try await client.call(.patch, "/v1/connections/\(id)", json: ["name": "x"], headers: [.ifMatch: tag])
                #expect(r.status == 400, "If-Match: \(tag) \(r.body)")
                #expect(r.body["error"]?["code"] == "INVALID_PARAMETER", "If-Match: \(tag) \(r.body)")
            }
            for (tag, name) in [("W/\"1\"", "a"), ("\"2\"", "b"), ("3", "c"), ("*", "d")] {
                let r = try await client.call(.patch, "/v1/connections/\(id)", json: ["name": .string(name)], headers: [.ifMatch: tag])
                #expect(r.status == 200, "If-Match: \(tag) \(r.body)")
            }
        }
    }
}
