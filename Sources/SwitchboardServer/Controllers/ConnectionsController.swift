import Hummingbird
import JSONValue
import SwitchboardCore
import SwitchboardEngine

/// `/v1/connections`: customers' instances of definitions.
struct ConnectionsController: Sendable {
    let service: ConnectionService
    let reader: RequestReader
    /// Runs before a delete (the vault revokes and forgets the connection's credentials).
    var beforeDelete: (@Sendable (String) async throws -> Void)? = nil

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .post, "/v1/connections") { request, _ in
            var request = request
            let body = try await reader.json(&request)
            let c = try await service.create(try ConnectionService.NewConnection(json: body))
            return APIResponse.json(c.json, status: .created, headers: [.location: "/v1/connections/\(c.id)", .eTag: "\"\(c.version)\""])
        }
        table.add(router, .get, "/v1/connections") { request, _ in
            let q = QueryReader(request)
            let query = ConnectionQuery(
                definitionKey: q.string("definitionKey") ?? q.string("definition"), status: try q.enumeration("status", ConnectionStatus.self),
                limit: try q.limit(), cursor: try q.cursor())
            let page = try await service.connections.list(query)
            return APIResponse.page(page.items.map(\.json), nextCursor: page.nextCursor)
        }
        table.add(router, .get, "/v1/connections/{id}") { _, context in
            let c = try await service.get(id: try context.path("id"))
            return APIResponse.json(c.json, headers: [.eTag: "\"\(c.version)\""])
        }
        table.add(router, .patch, "/v1/connections/{id}") { request, context in
            var request = request
            let ifMatch = try Self.ifMatch(request)
            let body = try await reader.json(&request)
            let c = try await service.patch(id: try context.path("id"), changes: body, ifMatch: ifMatch)
            return APIResponse.json(c.json, headers: [.eTag: "\"\(c.version)\""])
        }
        table.add(router, .delete, "/v1/connections/{id}") { _, context in
            try await beforeDelete?(try context.path("id"))
            try await service.delete(id: try context.path("id"))
            return APIResponse.noContent()
        }
    }

    /// The version an `If-Match: "3"` (or `W/"3"`, or `3`) header names; nil without the header or for `If-Match: *`
    /// (any version). Anything else is a 400 `INVALID_PARAMETER`.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch] else { return nil }
        var tag = Substring(header)
        if tag == "*" { return nil }
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        if tag.count >= 2, tag.first == "\"", tag.last == "\"" { tag = tag.dropFirst().dropLast() }
        guard (1...10).contains(tag.count), tag.first != "0", tag.allSatisfy({ ("0"..."9").contains($0) }), let version = Int(tag) else {
            throw SwitchboardError.badRequest("If-Match must be the connection's version as an ETag, such as \"3\"", code: "INVALID_PARAMETER")
        }
        return version
    }
}
