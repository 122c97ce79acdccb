import Hummingbird
import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardSync

/// Sync runs (start, status, cancel), schedules (pause, resume) and the synced records.
struct SyncController: Sendable {
    let engine: SyncEngine
    let connections: any ConnectionRepository

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .post, "/v1/connections/{id}/syncs/{name}/run") { _, context in
            let (run, isNew) = try await engine.start(connectionId: try context.path("id"), syncName: try context.path("name"))
            return APIResponse.json(["runId": .string(run.id), "run": run.json, "created": .bool(isNew)], status: isNew ? .accepted : .ok)
        }
        table.add(router, .post, "/v1/connections/{id}/syncs/{name}/pause") { _, context in
            try await setPaused(true, context)
        }
        table.add(router, .post, "/v1/connections/{id}/syncs/{name}/resume") { _, context in
            try await setPaused(false, context)
        }
        table.add(router, .get, "/v1/sync-runs/{runId}") { _, context in
            APIResponse.json(try await run(try context.path("runId")).json)
        }
        table.add(router, .post, "/v1/sync-runs/{runId}/cancel") { _, context in
            let id = try context.path("runId")
            _ = try await run(id)
            guard let run = try await engine.cancel(runId: id) else { throw Self.runNotFound(id) }
            return APIResponse.json(run.json, status: .accepted)
        }
        table.add(router, .get, "/v1/connections/{id}/records/{entity}") { request, context in
            let id = try context.path("id")
            guard try await connections.get(id: id) != nil else {
                throw SwitchboardError.notFound("no connection with id '\(id)'", code: "CONNECTION_NOT_FOUND")
            }
            let q = QueryReader(request)
            var modifiedAfter: Int64?
            if let text = q.value("modifiedAfter") {
                guard let v = Int64(text), v >= 0 else {
                    throw QueryReader.invalid("modifiedAfter", "must be a modifiedSeq (a non-negative integer) from an earlier answer")
                }
                modifiedAfter = v
            }
            let page = try await engine.records.list(
                connectionId: id, entityType: try context.path("entity"), modifiedAfter: modifiedAfter,
                includeDeleted: try q.bool("includeDeleted") ?? true, cursor: try q.cursor(), limit: try q.limit(default: 100, max: 1000))
            return APIResponse.page(page.items.map(\.json), nextCursor: page.nextCursor)
        }
    }

    func run(_ id: String) async throws -> SyncRun {
        guard let run = try await engine.runs.get(id: id) else { throw Self.runNotFound(id) }
        return run
    }

    func setPaused(_ paused: Bool, _ context: some RequestContext) async throws -> Response {
        let id = try context.path("id")
        let name = try context.path("name")
        _ = try await engine.sync(connectionId: id, name: name)
        let state = try await engine.runs.setPaused(paused, connectionId: id, syncName: name, now: engine.clock.now())
        return APIResponse.json(["connectionId": .string(id), "sync": .string(name), "paused": .bool(state.paused)])
    }

    static func runNotFound(_ id: String) -> SwitchboardError { .notFound("no sync run with id '\(id)'", code: "SYNC_RUN_NOT_FOUND") }
}
