import Hummingbird
import HummingbirdTesting
import JSONValue
import NIOCore
import SwitchboardCore
import SwitchboardServer
import SwitchboardTestSupport
import Testing

@testable import SwitchboardSync

/// The sync routes of the real router, over the harness's services (runs are worked by the test, not a service).
@Suite struct SyncAPITests {
    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ body: JSON? = nil) async throws -> (Int, JSON) {
        var headers: HTTPFields = [:]
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0.serializedBytes()) }) {
            response in
            let bytes = Array(response.body.readableBytesView)
            return (Int(response.status.code), bytes.isEmpty ? .null : ((try? JSON(parsing: bytes)) ?? .null))
        }
    }

    @Test(arguments: TestBackend.available)
    func runStatusCancelPauseResumeAndRecords(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 600, syncs: [SyncHarness.sync("contacts", style: "cursor", pageSize: 250)]) { h in
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration())
            try await Application(router: router).test(.router) { client in
                let c = h.connectionId
                // A definition with broken syncs is refused with every problem's path.
                var bad = SyncHarness.definition(pageSize: 10, syncs: [["name": "x", "entityType": "e", "sourceMethod": "nope", "pagination": ["type": "scroll"]]])
                if case .object(var o) = bad {
                    o["key"] = "bad"
                    bad = .object(o)
                }
                let refused = try await call(client, .post, "/v1/definitions", bad)
                #expect(refused.0 == 422)
                let paths = (refused.1["error"]?["details"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
                #expect(paths.contains("/syncs/0/sourceMethod") && paths.contains("/syncs/0/pagination/type"))

                #expect(try await call(client, .post, "/v1/connections/\(c)/syncs/nope/run").0 == 404)
                let started = try await call(client, .post, "/v1/connections/\(c)/syncs/contacts/run")
                #expect(started.0 == 202)
                let runId = try #require(started.1["runId"]?.stringValue)
                #expect(try await call(client, .get, "/v1/sync-runs/\(runId)").1["status"] == "queued")

                _ = try await h.engine.runNext(owner: "w")
                let done = try await call(client, .get, "/v1/sync-runs/\(runId)")
                #expect(done.1["status"] == "completed")
                #expect(done.1["counts"]?["fetched"] == 600 && done.1["counts"]?["created"] == 600 && done.1["pages"] == 3)
                #expect(done.1["durationMs"] != nil)
                #expect(done.1["failures"] == [])

                let page = try await call(client, .get, "/v1/connections/\(c)/records/contact?limit=500")
                #expect(page.1["items"]?.arrayValue?.count == 500)
                let cursor = try #require(page.1["nextCursor"]?.stringValue)
                let rest = try await call(client, .get, "/v1/connections/\(c)/records/contact?limit=500&cursor=\(cursor)")
                #expect(rest.1["items"]?.arrayValue?.count == 100 && rest.1["nextCursor"] == .null)
                let last = try #require(rest.1["items"]?.arrayValue?.last?["modifiedSeq"]?.intValue)

                try await h.control(["delete": [3], "modify": [4]])
                _ = try await call(client, .post, "/v1/connections/\(c)/syncs/contacts/run")
                _ = try await h.engine.runNext(owner: "w")
                let changes = try await call(client, .get, "/v1/connections/\(c)/records/contact?modifiedAfter=\(last)")
                let items = changes.1["items"]?.arrayValue ?? []
                #expect(items.map { $0["externalId"]?.stringValue ?? "" } == ["4", "3"])
                #expect(items.map { $0["deleted"] } == [false, true])
                #expect(try await call(client, .get, "/v1/connections/\(c)/records/contact?modifiedAfter=x").0 == 400)

                let events = h.services.eventBus.subscribe()
                let queued = try await call(client, .post, "/v1/connections/\(c)/syncs/contacts/run")
                let cancelled = try await call(client, .post, "/v1/sync-runs/\(queued.1["runId"]!.stringValue!)/cancel")
                #expect(cancelled.0 == 202 && cancelled.1["status"] == "cancelled")
                h.services.eventBus.emit("test.end", connectionId: nil, payload: [:])
                var types: [String] = []
                for await e in events {
                    if e.type == "test.end" { break }
                    types.append(e.type + " " + (e.payload["runId"]?.stringValue ?? ""))
                }
                #expect(types == ["sync.cancelled " + (queued.1["runId"]?.stringValue ?? "")])
                #expect(try await call(client, .get, "/v1/sync-runs/run_nope").0 == 404)

                #expect(try await call(client, .post, "/v1/connections/\(c)/syncs/contacts/pause").1["paused"] == true)
                #expect(try await h.engine.runs.state(connectionId: c, syncName: "contacts")?.paused == true)
                #expect(try await call(client, .post, "/v1/connections/\(c)/syncs/contacts/resume").1["paused"] == false)
            }
        }
    }

    /// `GET /v1/sync-runs/{runId}` tells which records failed and why (`failures`, empty while none has); the run used
    /// to answer only `counts.failed`.
    @Test(arguments: TestBackend.available)
    func aRunAnswersWithTheRecordsThatFailed(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("contacts", style: "cursor", pageSize: 100)
        sync["mapping"] = "id = 5 ? $error('no email for record 5') : $"
        try await SyncHarness.with(backend, records: 150, pageSize: 100, syncs: [sync]) { h in
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration())
            try await Application(router: router).test(.router) { client in
                let started = try await call(client, .post, "/v1/connections/\(h.connectionId)/syncs/contacts/run")
                let runId = try #require(started.1["runId"]?.stringValue)
                #expect(started.1["run"]?["failures"] == [])
                _ = try await h.engine.runNext(owner: "w")
                let (status, run) = try await call(client, .get, "/v1/sync-runs/\(runId)")
                #expect(status == 200 && run["status"] == "completed" && run["counts"]?["failed"] == 1, "\(run)")
                let failures = try #require(run["failures"]?.arrayValue)
                #expect(failures.count == 1, "\(run)")
                #expect(failures.first?["externalId"] == "5" && failures.first?["page"] == 1 && failures.first?["index"] == 4)
                #expect(failures.first?["code"] == "MAPPING_FAILED")
                #expect(failures.first?["message"]?.stringValue?.contains("D3137: no email for record 5") == true, "\(run)")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theSchedulerQueuesDueSyncsUnlessPaused(_ backend: TestBackend) async throws {
        var sync = SyncHarness.sync("hourly", style: "cursor", pageSize: 100)
        if case .object(var o) = sync {
            o["schedule"] = ["intervalSeconds": 3600]
            sync = .object(o)
        }
        try await SyncHarness.with(backend, records: 10, syncs: [sync]) { h in
            #expect(try await h.engine.scheduleDue().isEmpty)  // first sight: due in an hour
            h.clock.advance(milliseconds: 3_599_000)
            #expect(try await h.engine.scheduleDue().isEmpty)
            h.clock.advance(milliseconds: 1_000)
            let queued = try await h.engine.scheduleDue()
            #expect(queued.count == 1 && queued.first?.trigger == "schedule")
            _ = try await h.engine.runNext(owner: "w")
            _ = try await h.engine.runs.setPaused(true, connectionId: h.connectionId, syncName: "hourly", now: h.clock.now())
            h.clock.advance(milliseconds: 3_600_000)
            #expect(try await h.engine.scheduleDue().isEmpty)
        }
    }
}
