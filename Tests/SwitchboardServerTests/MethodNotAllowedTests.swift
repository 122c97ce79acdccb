import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardTestSupport
import Testing

@testable import SwitchboardServer

/// A path the API serves, asked with a method it does not serve there: 405 with `Allow` and the usual error body.
@Suite struct MethodNotAllowedTests {
    @Test func anUndeclaredMethodIsAnsweredWith405AndAllow() async throws {
        try await withApp(.sqlite) { client in
            for (method, path, allow) in [
                (HTTPRequest.Method("TRACE")!, "/health", "GET, HEAD, OPTIONS"),
                (.delete, "/v1/definitions", "GET, HEAD, POST, OPTIONS"),
                (.post, "/v1/definitions/some-key/versions/1.0.0", "GET, HEAD, PUT, DELETE, OPTIONS"),
                (.put, "/v1/connections/conn_x", "GET, HEAD, PATCH, DELETE, OPTIONS"),
                (.get, "/v1/transform", "POST, OPTIONS"),
            ] {
                let r = try await client.call(method, path)
                #expect(r.status == 405, "\(method) \(path): \(r.body)")
                #expect(r.headers[.allow] == allow, "\(method) \(path)")
                #expect(r.body["error"]?["code"] == "METHOD_NOT_ALLOWED", "\(method) \(path): \(r.body)")
                #expect(r.body["error"]?["details"] == [], "\(method) \(path): \(r.body)")
            }
            // A path no route has stays a 404.
            let unknown = try await client.call(.delete, "/v1/definitions/k/nothing")
            #expect(unknown.status == 404)
            #expect(unknown.body["error"]?["code"] == "ROUTE_NOT_FOUND")
        }
    }

    @Test func headIsServedWhereGetIsAndOptionsListsTheMethods() async throws {
        try await withApp(.sqlite) { client in
            let head = try await client.call(.head, "/health")
            #expect(head.status == 200)
            #expect(head.body == .null)
            let options = try await client.call(.options, "/v1/connections")
            #expect(options.status == 204)
            #expect(options.headers[.allow] == "GET, HEAD, POST, OPTIONS")
        }
    }

    /// Like the router, a literal segment wins over a parameter: the methods are those of the route the path resolves to.
    @Test func allowedMethodsAreThoseOfTheMostSpecificRoute() {
        let router = Router()
        var table = RouteTable()
        let ok: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in Response(status: .ok) }
        table.add(router, .get, "/items/{id}", ok)
        table.add(router, .delete, "/items/{id}", ok)
        table.add(router, .post, "/items/search", ok)
        table.add(router, .put, "/items/{id}/tags/{tag}", ok)
        #expect(table.allowedMethods(forPath: "/items/search") == ["POST", "OPTIONS"])
        #expect(table.allowedMethods(forPath: "/items/42") == ["GET", "HEAD", "DELETE", "OPTIONS"])
        #expect(table.allowedMethods(forPath: "/items/42/tags/red") == ["PUT", "OPTIONS"])
        #expect(table.allowedMethods(forPath: "/items/42/tags") == nil)
        #expect(table.allowedMethods(forPath: "/other") == nil)
    }
}
