import Hummingbird
import JSONValue
import SwitchboardCore
import SwitchboardEngine

/// `/v1/definitions`: the registry of integration definitions and their versions.
struct DefinitionsController: Sendable {
    let registry: RegistryService
    let reader: RequestReader

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .post, "/v1/definitions") { request, _ in
            var request = request
            let document = try await reader.document(&request)
            let publish = try QueryReader(request).bool("publish") ?? false
            let d = try await registry.create(document: document, publish: publish)
            return APIResponse.json(registry.codec.encode(d), status: .created, headers: [.location: "/v1/definitions/\(d.key)/versions/\(d.version)"])
        }
        table.add(router, .get, "/v1/definitions") { request, _ in
            let q = QueryReader(request)
            let query = DefinitionQuery(
                search: q.string("search") ?? q.string("q"), category: q.string("category"),
                status: try q.enumeration("status", DefinitionStatus.self), type: try q.enumeration("type", IntegrationType.self),
                popular: try q.bool("popular"), limit: try q.limit(), cursor: try q.cursor())
            let page = try await registry.definitions.list(query)
            return APIResponse.page(page.items.map { registry.codec.encode($0, includeMethods: false) }, nextCursor: page.nextCursor)
        }
        table.add(router, .get, "/v1/definitions/{key}") { _, context in
            let d = try await registry.current(key: try context.path("key"))
            return APIResponse.json(registry.codec.encode(d))
        }
        table.add(router, .get, "/v1/definitions/{key}/versions") { _, context in
            let all = try await registry.versions(key: try context.path("key"))
            return APIResponse.page(all.map { registry.codec.encode($0, includeMethods: false) }, nextCursor: nil)
        }
        table.add(router, .get, "/v1/definitions/{key}/versions/{version}") { _, context in
            let d = try await registry.version(key: try context.path("key"), version: try context.versionParameter())
            return APIResponse.json(registry.codec.encode(d))
        }
        table.add(router, .put, "/v1/definitions/{key}/versions/{version}") { request, context in
            var request = request
            let document = try await reader.document(&request)
            let d = try await registry.replaceDraft(key: try context.path("key"), version: try context.versionParameter(), document: document)
            return APIResponse.json(registry.codec.encode(d))
        }
        table.add(router, .delete, "/v1/definitions/{key}/versions/{version}") { _, context in
            try await registry.deleteDraft(key: try context.path("key"), version: try context.versionParameter())
            return APIResponse.noContent()
        }
        for transition in DefinitionStatus.Transition.allCases {
            table.add(router, .post, "/v1/definitions/{key}/versions/{version}/\(transition.rawValue)") { _, context in
                let key = try context.path("key")
                let version = try context.versionParameter()
                _ = try await registry.version(key: key, version: version)
                let d = try await registry.transition(key: key, version: version, transition)
                return APIResponse.json(registry.codec.encode(d))
            }
        }
    }
}
