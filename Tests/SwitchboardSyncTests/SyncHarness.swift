import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONValue
import Logging
import Synchronization
import SwitchboardCore
import SwitchboardEngine
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardSync

/// One test's world: a paged upstream peer, a fresh database, the real services (so pages go through the
/// method executor and its resilience), a sync engine on a manual wall clock, and a connection to the peer.
struct SyncHarness: Sendable {
    let peer: PeerProcess
    let services: AppServices
    let engine: SyncEngine
    let clock: ManualWallClock
    let connectionId: String
    let pageSize: Int

    /// Another worker's engine on the same database and catalog, with no events, whose source counts the pages it
    /// fetches in `fetched` (to stop it, or to see that it fetched nothing more).
    func countingEngine(_ fetched: Box<Int>) -> SyncEngine {
        SyncEngine(
            database: engine.records.db, source: CountingSource(inner: engine.source, count: fetched), catalog: engine.catalog,
            events: nil, clock: clock, logger: engine.logger, configuration: engine.configuration)
    }

    /// Methods of the peer, one per pagination style; retries are quick so injected 429/503s cost no time.
    static func definition(pageSize: Int, syncs: [JSON]) -> JSON {
        func method(_ name: String, _ query: JSONObject) -> JSON {
            [
                "name": .string(name), "verb": "GET", "path": "/records", "query": .object(query),
                "resilience": ["retry": ["maxAttempts": 8, "initialDelayMs": 1, "maxDelayMs": 2, "retryOn": [429, 503]]],
            ]
        }
        let since: JSONObject = ["updated_since": "{{params.updated_since}}"]
        let size = JSON.string(String(pageSize))
        return [
            "key": "paged", "name": "Paged upstream", "version": "1.0.0", "type": "rest_api", "auth": ["type": "none"],
            "baseUrl": "{config.baseUrl}",
            "configSchema": ["type": "object", "required": ["baseUrl"], "properties": ["baseUrl": ["type": "string"]]],
            "methods": [
                method("list_cursor", since.merging(["style": "cursor", "cursor": "{{params.cursor}}", "limit": size])),
                method("list_offset", since.merging(["style": "offset", "offset": "{{params.offset}}", "limit": "{{params.limit}}"])),
                method("list_page", since.merging(["style": "page", "page": "{{params.page}}", "per_page": "{{params.per_page}}"])),
                // The first page has no parameters (the peer's default page size); the next ones the next URL's.
                method("list_next_url", since.merging(["style": "next_url", "after": "{{params.after}}", "limit": "{{params.limit}}"])),
                method("list_link_header", since.merging(["style": "link_header", "after": "{{params.after}}", "limit": "{{params.limit}}"])),
                // Templates that do not send the pagination pointer the sync passes (`cursor`, the next URL's `after`):
                // every page request is the first page's.
                method("list_cursor_unsent", since.merging(["style": "cursor", "after": "{{params.after}}", "limit": size])),
                method("list_next_url_unsent", since.merging(["style": "next_url", "starting_after": "{{params.starting_after}}", "limit": size])),
            ],
            "syncs": .array(syncs),
        ]
    }

    static func sync(_ name: String, style: String, mode: String = "full_refresh", pageSize: Int) -> JSON {
        var o: JSONObject = ["name": .string(name), "entityType": "contact", "recordsPath": "data", "idField": "id", "mode": .string(mode)]
        switch style {
        case "cursor":
            o["sourceMethod"] = "list_cursor"
            o["pagination"] = ["type": "cursor", "cursorPath": "meta.next_cursor", "cursorParam": "cursor"]
        case "offset":
            o["sourceMethod"] = "list_offset"
            o["pagination"] = ["type": "offset", "offsetParam": "offset", "limitParam": "limit", "pageSize": .number(Double(pageSize))]
        case "page":
            o["sourceMethod"] = "list_page"
            o["pagination"] = ["type": "page", "pageParam": "page", "pageSizeParam": "per_page", "pageSize": .number(Double(pageSize)), "startPage": 1]
        case "link_header":
            o["sourceMethod"] = "list_link_header"
            o["pagination"] = ["type": "link_header"]
        default:
            o["sourceMethod"] = "list_next_url"
            o["pagination"] = ["type": "next_url", "nextUrlPath": "links.next"]
        }
        if mode == "incremental" { o["incremental"] = ["cursorField": "updated_at", "param": "updated_since"] }
        return .object(o)
    }

    static func with(
        _ backend: TestBackend, records: Int, pageSize: Int = 250, syncs: [JSON], leaseMs: Int64 = 30_000,
        _ body: @Sendable (SyncHarness) async throws -> Void
    ) async throws {
        let peer = try await PeerProcess.start(script: "paged_server.py", arguments: ["--records", String(records)])
        defer { peer.stop() }
        try await backend.withDatabase { db, _ in
            let clock = ManualWallClock()
            var logger = Logger(label: "sync-test")
            logger.logLevel = .warning
            let schemas = makeSchemaChecker()
            let store = Store(database: db, clock: clock)
            let services = AppServices(store: store, schemas: schemas, clock: clock, logger: logger)
            _ = try await services.registry.create(document: definition(pageSize: pageSize, syncs: syncs), publish: true)
            let connection = try await services.connections.create(
                try ConnectionService.NewConnection(json: ["definitionKey": "paged", "name": "peer", "config": ["baseUrl": .string(peer.baseURL)]]))
            let engine = SyncEngine(
                database: db, source: services.executor,
                catalog: RepositorySyncCatalog(connections: store.connections, definitions: store.definitions), events: services.eventBus,
                clock: clock, logger: logger, configuration: .init(leaseMs: leaseMs))
            try await body(SyncHarness(peer: peer, services: services, engine: engine, clock: clock, connectionId: connection.id, pageSize: pageSize))
        }
    }

    /// Publishes version `version` of the definition with `syncs` (a corrected mapping, say) and moves the connection
    /// to it, as an operator fixing a sync does; the next run reads the new syncs.
    func redefine(syncs: [JSON], version: String) async throws {
        var document = Self.definition(pageSize: pageSize, syncs: syncs)
        document["version"] = .string(version)
        _ = try await services.registry.create(document: document, publish: true)
        var connection = try await services.connections.get(id: connectionId)
        connection.definitionVersion = try #require(SemanticVersion(version))
        _ = try await services.connections.save(connection, expectedVersion: connection.version)
    }

    /// The incremental cursor the sync's next run starts from, as stored.
    func savedCursor(_ sync: String) async throws -> JSON? {
        try await engine.runs.state(connectionId: connectionId, syncName: sync)?.incrementalCursor.map { try JSON(parsing: $0) }
    }

    /// The peer's `updated_at` for tick `tick` (record i starts at tick i; each change takes the next tick after the
    /// records' count).
    static func stamp(_ tick: Int) -> JSON {
        .string(String(format: "2026-01-01T%02d:%02d:%02dZ", tick / 3600, tick % 3600 / 60, tick % 60))
    }

    /// Sends a control command to the peer.
    @discardableResult
    func control(_ body: JSON) async throws -> JSON { try await http("POST", "/control", body) }

    func stats() async throws -> JSON { try await http("GET", "/stats", nil) }

    func http(_ method: String, _ path: String, _ body: JSON?) async throws -> JSON {
        var request = URLRequest(url: URL(string: peer.baseURL + path)!)
        request.httpMethod = method
        if let body { request.httpBody = Data(body.serialized().utf8) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSON(parsing: Array(data))
    }

    /// Queues a run and works it to the end with one worker.
    func runToEnd(_ sync: String, owner: String = "worker-1") async throws -> SyncRun {
        let (run, _) = try await engine.start(connectionId: connectionId, syncName: sync)
        while let (claimed, outcome) = try await engine.runNext(owner: owner) {
            if claimed.id == run.id, outcome != .stopped { break }
        }
        return try #require(try await engine.runs.get(id: run.id))
    }

    /// The upstream's records as {id: name}, read straight from the peer.
    func upstream() async throws -> [String: String] {
        let all = try await http("GET", "/records?style=offset&offset=0&limit=1000000", nil)
        var out: [String: String] = [:]
        for r in all["data"]?.arrayValue ?? [] { out[String(r["id"]!.intValue!)] = r["name"]!.stringValue! }
        return out
    }

    /// The live stored records as {externalId: name}.
    func stored() async throws -> [String: String] {
        let rows = try await engine.records.db.query(
            "SELECT external_id, data FROM sync_records WHERE connection_id = ? AND entity_type = 'contact' AND deleted_at IS NULL", [.text(connectionId)])
        var out: [String: String] = [:]
        for row in rows {
            let id = row.text("external_id")!
            #expect(out[id] == nil, "duplicate record \(id)")
            out[id] = row.json("data")["name"]?.stringValue
        }
        return out
    }
}

extension JSONObject {
    func merging(_ other: JSONObject) -> JSONObject {
        var o = self
        for (k, v) in other { o[k] = v }
        return o
    }
}
