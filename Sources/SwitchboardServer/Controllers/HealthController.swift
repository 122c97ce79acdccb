import Hummingbird
import JSONValue
import SwitchboardCore
import SwitchboardEngine
import SwitchboardStore

/// Liveness, readiness and the OpenAPI document.
struct HealthController: Sendable {
    let database: any SQLDatabase
    let changes: ChangeFeed
    let openAPI: OpenAPIDocument

    /// How long `/ready` waits for the database: a readiness probe wants an answer in seconds, and PostgreSQL's pool
    /// holds a request for a server that is down about a minute before it gives up.
    static let readinessLimit = Duration.seconds(5)

    enum PingOutcome: Sendable { case answered, failed, timedOut }

    /// Runs `ping`, cancelled once `limit` has passed.
    static func ping(within limit: Duration, _ ping: @escaping @Sendable () async throws -> Void) async -> PingOutcome {
        await cancelling(after: limit) { (try? await ping()) != nil ? PingOutcome.answered : .failed } ?? .timedOut
    }

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .get, "/health") { _, _ in APIResponse.json(["status": "ok"]) }
        table.add(router, .get, "/ready") { _, _ in
            let database = database
            switch await Self.ping(within: Self.readinessLimit, { try await database.ping() }) {
            case .answered:
                // Whether this node hears the other nodes' changes (PostgreSQL): while it does not, it may use a cached
                // row another node changed until the cache entry expires. Reported, not a reason to refuse traffic.
                let feed: JSON = changes.isShared ? (changes.isListening ? "listening" : "reconnecting") : "single-node"
                return APIResponse.json(["status": "ready", "database": .string(database.dialect.rawValue), "changeFeed": feed])
            case .failed:
                return APIResponse.error(.unavailable("the database is not reachable", code: "NOT_READY"))
            case .timedOut:
                return APIResponse.error(
                    .unavailable("the database did not answer within \(Self.readinessLimit.components.seconds) s", code: "NOT_READY"))
            }
        }
        table.add(router, .get, "/openapi.json") { _, _ in APIResponse.json(openAPI.json) }
        table.add(router, .get, "/openapi.yaml") { _, _ in APIResponse.text(openAPI.yaml, contentType: "application/yaml") }
    }
}
