import Hummingbird
import JSONValue
import SwitchboardCore
import SwitchboardStore

/// Liveness, readiness and the OpenAPI document.
struct HealthController: Sendable {
    let database: any SQLDatabase
    let changes: ChangeFeed
    let openAPI: OpenAPIDocument

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .get, "/health") { _, _ in APIResponse.json(["status": "ok"]) }
        table.add(router, .get, "/ready") { _, _ in
            do {
                try await database.ping()
                // Whether this node hears the other nodes' changes (PostgreSQL): while it does not, it may use a cached
                // row another node changed until the cache entry expires. Reported, not a reason to refuse traffic.
                let feed: JSON = changes.isShared ? (changes.isListening ? "listening" : "reconnecting") : "single-node"
                return APIResponse.json(["status": "ready", "database": .string(database.dialect.rawValue), "changeFeed": feed])
            } catch {
                return APIResponse.error(.unavailable("the database is not reachable", code: "NOT_READY"))
            }
        }
        table.add(router, .get, "/openapi.json") { _, _ in APIResponse.json(openAPI.json) }
        table.add(router, .get, "/openapi.yaml") { _, _ in APIResponse.text(openAPI.yaml, contentType: "application/yaml") }
    }
}
