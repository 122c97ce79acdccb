import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import Logging
import NIOCore
import SwitchboardCore
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardSync

/// Records as files: export (JSON Lines, CSV) and import (optionally through a pipeline) through the real router,
/// and the `switchboard sync` / `switchboard records` commands against a live server.
@Suite struct SyncFilesTests {
    struct Answer {
        var status: Int
        var bytes: [UInt8]
        var headers: HTTPFields
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: JSON { (try? JSON(parsing: bytes)) ?? .null }
    }

    func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, contentType: String? = nil
    ) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Answer(status: Int(response.status.code), bytes: Array(response.body.readableBytesView), headers: response.headers)
        }
    }

    /// A contacts sync whose mapping adds a note with a comma, quotes and a line break, an object and an array.
    static let trickySync: JSON = {
        var sync = SyncHarness.sync("contacts", style: "cursor", pageSize: 250)
        if case .object(var o) = sync {
            o["mapping"] = .string(#"{"id": id, "name": name, "note": "x, \"q\"\n" & name, "meta": {"v": version}, "tags": [id]}"#)
            sync = .object(o)
        }
        return sync
    }()

    /// Live records of an entity as {externalId: data}, read through the repository.
    func stored(_ h: SyncHarness, _ entity: String) async throws -> [String: JSON] {
        var out: [String: JSON] = [:]
        for r in try await h.engine.records.page(
            connectionId: h.connectionId, entityType: entity, afterExternalId: nil, includeDeleted: false, limit: 100_000)
        {
            out[r.externalId] = r.data
        }
        return out
    }

    @Test func theOpenAPIDocumentHasTheFileRoutes() {
        let operations = OpenAPIDocument().operations
        #expect(operations.contains("GET /v1/connections/{id}/records/{entity}/export"))
        #expect(operations.contains("POST /v1/connections/{id}/records/{entity}/import"))
        #expect(OpenAPIDocument().json["components"]?["schemas"]?["RecordImportSummary"]?["properties"]?["read"]?["type"] == "integer")
    }

    @Test(arguments: TestBackend.available)
    func exportsJSONLinesAndCSVAfterASync(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1205, syncs: [Self.trickySync]) { h in
            #expect(try await h.runToEnd("contacts").status == .completed)
            try await h.control(["delete": [3]])
            #expect(try await h.runToEnd("contacts").counts.deleted == 1)
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration())
            try await Application(router: router).test(.router) { client in
                let base = "/v1/connections/\(h.connectionId)/records/contact/export"
                let live = try await stored(h, "contact")
                #expect(live.count == 1204)

                // JSON Lines: each live record's data once (more than one keyset page of 1000).
                let jsonl = try await send(client, .get, base)
                #expect(jsonl.status == 200)
                #expect(jsonl.headers[.contentType] == "application/x-ndjson")
                #expect(jsonl.headers[.contentDisposition] == #"attachment; filename="contact.jsonl""#)
                let lines = jsonl.text.split(separator: "\n").map { try! JSON(parsing: String($0)) }
                #expect(lines.count == 1204)
                var seen: [String: JSON] = [:]
                for line in lines { seen[String(line["id"]!.intValue!)] = line }
                #expect(seen == live)
                let withDeleted = try await send(client, .get, base + "?format=jsonl&includeDeleted=true")
                #expect(withDeleted.text.split(separator: "\n").count == 1205)

                // CSV: header of the keys in first-seen order, RFC 4180 quoting, nested values as JSON text, CRLF.
                let csv = try await send(client, .get, base + "?format=csv")
                #expect(csv.status == 200)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(csv.headers[.contentDisposition] == #"attachment; filename="contact.csv""#)
                // The columns follow the members' order as stored (every record has the same members here).
                let columns = try #require(live["1"]?.objectValue?.keys)
                #expect(Set(columns) == ["id", "name", "note", "meta", "tags"])
                let cells: [String: String] = [
                    "id": "1", "name": "name-1-v0", "note": "\"x, \"\"q\"\"\nname-1-v0\"", "meta": "\"{\"\"v\"\":0}\"", "tags": "[1]",
                ]
                let expectedStart = columns.joined(separator: ",") + "\r\n" + columns.map { cells[$0]! }.joined(separator: ",") + "\r\n"
                #expect(csv.text.hasPrefix(expectedStart), "\(csv.text.prefix(200))")
                var reader = CSVReader(maxRecordBytes: 1 << 20)
                let rows = reader.feed(csv.bytes) + reader.finish()
                #expect(rows.count == 1205)
                if case .record(_, let fields)? = rows.last { #expect(fields.count == 5) } else { Issue.record("the last row is not a record") }

                // Fields, dotted paths and a missing one (an empty cell).
                let picked = try await send(client, .get, base + "?format=csv&fields=id,meta.v,missing")
                #expect(picked.text.hasPrefix("id,meta.v,missing\r\n1,0,\r\n10,0,\r\n"))
                let pickedLines = try await send(client, .get, base + "?fields=id,meta.v")
                #expect(pickedLines.text.hasPrefix(#"{"id":1,"meta.v":0}"# + "\n"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func exportThenImportGivesTheSameRecords(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 40, syncs: [Self.trickySync]) { h in
            _ = try await h.runToEnd("contacts")
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration())
            try await Application(router: router).test(.router) { client in
                let c = h.connectionId
                let exported = try await send(client, .get, "/v1/connections/\(c)/records/contact/export?format=jsonl")
                let imported = try await send(
                    client, .post, "/v1/connections/\(c)/records/copy/import", exported.text, contentType: "application/x-ndjson")
                #expect(imported.status == 200)
                #expect(imported.json == ["read": 40, "created": 40, "updated": 0, "unchanged": 0, "dropped": 0, "failed": 0, "errors": []])
                #expect(try await stored(h, "copy") == (try await stored(h, "contact")))

                // Importing the same file again changes nothing.
                let again = try await send(client, .post, "/v1/connections/\(c)/records/copy/import?format=jsonl", exported.text)
                #expect(again.json["unchanged"] == 40 && again.json["created"] == 0 && again.json["updated"] == 0)

                // CSV round trip: the same rows, every value a string (nested ones as their JSON text).
                let csv = try await send(client, .get, "/v1/connections/\(c)/records/contact/export?format=csv")
                let fromCSV = try await send(client, .post, "/v1/connections/\(c)/records/copy_csv/import", csv.text, contentType: "text/csv")
                #expect(fromCSV.json["created"] == 40 && fromCSV.json["failed"] == 0)
                let first = try #require(try await stored(h, "copy_csv")["1"])
                #expect(first == ["id": "1", "name": "name-1-v0", "note": "x, \"q\"\nname-1-v0", "meta": #"{"v":0}"#, "tags": "[1]"])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func importsThroughAPipelineAndReportsBadLines(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1, syncs: [SyncHarness.sync("contacts", style: "cursor", pageSize: 10)]) { h in
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration())
            try await Application(router: router).test(.router) { client in
                let created = try await send(
                    client, .post, "/v1/pipelines",
                    JSON.object([
                        "name": "people",
                        "steps": [
                            ["type": "filtering", "expression": "$not(skip = true)"],
                            ["type": "transformation", "expression": "{'key': $exists(n) ? 'p-' & $string(n), 'name': $uppercase(name)}"],
                        ],
                    ]).serialized(), contentType: "application/json")
                #expect(created.status == 201)
                let pipeline = try #require(created.json["id"]?.stringValue)
                let path = "/v1/connections/\(h.connectionId)/records/people/import?pipeline=\(pipeline)&idField=key"
                let file = """
                    {"n": 1, "name": "ada"}
                    {"n": 2, "name": "bob"}
                    {"n": 3, "name": oops}

                    {"n": 4, "name": "cy", "skip": true}
                    {"n": 6, "name": 7}
                    {"name": "no n"}
                    {"n": 5, "name": "dee"}
                    """
                let answer = try await send(client, .post, path, file, contentType: "application/x-ndjson")
                #expect(answer.status == 200)
                #expect(answer.json["read"] == 7 && answer.json["created"] == 3 && answer.json["dropped"] == 1 && answer.json["failed"] == 3)
                let errors = answer.json["errors"]?.arrayValue ?? []
                #expect(errors.map { $0["line"] } == [3, 6, 7])
                #expect(errors[0]["code"] == "INVALID_JSON" && errors[2]["code"] == "MISSING_ID")
                // Line 6 fails in the pipeline ($uppercase of a number), reported with the step and the pipeline's code.
                #expect(errors[1]["code"] == "TRANSFORM_ERROR" && errors[1]["message"]?.stringValue?.hasPrefix("pipeline step 1:") == true)
                let people = try await stored(h, "people")
                #expect(Set(people.keys) == ["p-1", "p-2", "p-5"])
                #expect(people["p-1"] == ["key": "p-1", "name": "ADA"])

                let again = try await send(client, .post, path, file, contentType: "application/x-ndjson")
                #expect(again.json["unchanged"] == 3 && again.json["created"] == 0 && again.json["failed"] == 3)

                // CSV: a quoted field across lines, a ragged row and a missing id, reported by the line they start on.
                let csv = "id,name\r\n1,\"two\r\nlines\"\r\n2\r\n,nameless\r\n3,\"a \"\"q\"\", b\"\r\n"
                let fromCSV = try await send(
                    client, .post, "/v1/connections/\(h.connectionId)/records/rows/import", csv, contentType: "text/csv; charset=utf-8")
                #expect(fromCSV.json["read"] == 4 && fromCSV.json["created"] == 2 && fromCSV.json["failed"] == 2)
                #expect(fromCSV.json["errors"]?.arrayValue?.map { $0["line"] } == [4, 5])
                #expect(fromCSV.json["errors"]?.arrayValue?.map { $0["code"] } == ["RAGGED_ROW", "MISSING_ID"])
                let rows = try await stored(h, "rows")
                #expect(rows["1"] == ["id": "1", "name": "two\r\nlines"] && rows["3"] == ["id": "3", "name": "a \"q\", b"])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func refusesUnknownConnectionsPipelinesAndFormats(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 1, syncs: [SyncHarness.sync("contacts", style: "cursor", pageSize: 10)]) { h in
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration(maxBodySize: 64))
            try await Application(router: router).test(.router) { client in
                let c = "/v1/connections/\(h.connectionId)/records/things"
                func code(_ a: Answer) -> String { a.json["error"]?["code"]?.stringValue ?? "" }
                let noConnection = try await send(client, .get, "/v1/connections/conn_nope/records/things/export")
                #expect(noConnection.status == 404 && code(noConnection) == "CONNECTION_NOT_FOUND")
                let noConnectionImport = try await send(client, .post, "/v1/connections/conn_nope/records/things/import?format=jsonl", "{}")
                #expect(noConnectionImport.status == 404 && code(noConnectionImport) == "CONNECTION_NOT_FOUND")
                let badFormat = try await send(client, .get, c + "/export?format=xml")
                #expect(badFormat.status == 400 && code(badFormat) == "INVALID_PARAMETER")
                let badImportFormat = try await send(client, .post, c + "/import?format=xml", "{}")
                #expect(badImportFormat.status == 400 && code(badImportFormat) == "INVALID_PARAMETER")
                let noFormat = try await send(client, .post, c + "/import", "{}", contentType: "application/json")
                #expect(noFormat.status == 415 && code(noFormat) == "UNSUPPORTED_MEDIA_TYPE")
                let badFields = try await send(client, .get, c + "/export?format=csv&fields=a,,b")
                #expect(badFields.status == 400 && code(badFields) == "INVALID_PARAMETER")
                let noPipeline = try await send(client, .post, c + "/import?pipeline=pipe_nope", "{\"id\": 1}", contentType: "application/x-ndjson")
                #expect(noPipeline.status == 404 && code(noPipeline) == "PIPELINE_NOT_FOUND")
                let badHeader = try await send(client, .post, c + "/import", "id,id\n1,2\n", contentType: "text/csv")
                #expect(badHeader.status == 400 && code(badHeader) == "MALFORMED_BODY")

                // A line over the server's limit (64 bytes here) fails alone; the lines around it are stored.
                let long = "{\"id\": 2, \"pad\": \"" + String(repeating: "x", count: 100) + "\"}"
                let mixed = try await send(
                    client, .post, c + "/import", "{\"id\": 1}\n" + long + "\n[1]\n{\"id\": 3}\n", contentType: "application/x-ndjson")
                #expect(mixed.json["read"] == 4 && mixed.json["created"] == 2 && mixed.json["failed"] == 2)
                #expect(mixed.json["errors"]?.arrayValue?.map { $0["line"] } == [2, 3])
                #expect(mixed.json["errors"]?.arrayValue?.map { $0["code"] } == ["LINE_TOO_LONG", "NOT_AN_OBJECT"])
                #expect(Set(try await stored(h, "things").keys) == ["1", "3"])
                // An entity without records exports an empty file.
                let empty = try await send(client, .get, "/v1/connections/\(h.connectionId)/records/empty/export?format=csv")
                #expect(empty.status == 200 && empty.bytes.isEmpty)
            }
        }
    }
}

/// `switchboard sync run` and `switchboard records export|import`, the built executable against a live server.
@Suite("Sync files CLI", .serialized)
struct SyncFilesCLITests {
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard").path
    }

    /// Runs the executable; returns its exit status, stdout and stderr.
    static func run(_ arguments: [String]) async throws -> (Int32, String, String) {
        let outcome = try await ChildProcess(executable: executable, arguments: arguments).outcome()
        return (outcome.status, outcome.standardOutput, outcome.standardError)
    }

    /// A server that is not there is told in a few plain words, at once (it read "connection reset (error set):
    /// Connection refused) (errno: 111)").
    @Test func aServerThatIsNotThereIsToldPlainly() async throws {
        let port = try freeLoopbackPort()
        let (status, _, stderr) = try await Self.run(["call", "conn_x", "get", "--url", "http://127.0.0.1:\(port)"])
        #expect(status == 1)
        #expect(stderr.contains("cannot reach the Switchboard server at http://127.0.0.1:\(port): connection refused"), "\(stderr)")
        #expect(!stderr.contains("errno"), "\(stderr)")
    }

    @Test(arguments: TestBackend.available)
    func syncRunWaitsAndRecordsRoundTrip(_ backend: TestBackend) async throws {
        guard FileManager.default.fileExists(atPath: Self.executable) else {
            Issue.record("build the switchboard executable first (swift build --build-tests)")
            return
        }
        try await SyncHarness.with(backend, records: 300, syncs: [SyncHarness.sync("contacts", style: "cursor", pageSize: 100)]) { h in
            let (router, _) = buildRouter(services: h.services, configuration: ServerConfiguration())
            let ports = AsyncStream<Int>.makeStream()
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) },
                logger: {
                    var l = Logger(label: "sync-files-cli"); l.logLevel = .critical; return l
                }())
            let server = Task { try await app.run() }
            defer { server.cancel() }
            var port = 0
            for await p in ports.stream {
                port = p
                break
            }
            let url = "http://127.0.0.1:\(port)"
            let c = h.connectionId

            // `sync run` polls while this test works the queue (the router's services run no worker).
            let worker = Task {
                while !Task.isCancelled {
                    if try await h.engine.runNext(owner: "cli-test") == nil { try await Task.sleep(for: .milliseconds(20)) }
                }
            }
            let (status, out, err) = try await Self.run(["sync", "run", c, "contacts", "--url", url])
            worker.cancel()
            _ = try? await worker.value
            #expect(status == 0, "\(err)")
            let run = try JSON(parsing: out)
            #expect(run["status"] == "completed" && run["counts"]?["fetched"] == 300 && run["counts"]?["created"] == 300)
            #expect(run["failures"] == [])
            let runId = try #require(run["id"]?.stringValue)
            let (statusCode, statusOut, _) = try await Self.run(["sync", "status", runId, "--url", url])
            #expect(statusCode == 0 && (try? JSON(parsing: statusOut))?["id"] == .string(runId))
            #expect(try await Self.run(["sync", "status", "run_nope", "--url", url]).0 == 1)

            // Export to a file (format from the extension), import it into another entity, then export that as CSV.
            let dir = NSTemporaryDirectory() + "sync-files-cli-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let exported = try await Self.run(["records", "export", c, "contact", "--output", dir + "/contacts.jsonl", "--url", url])
            #expect(exported.0 == 0, "\(exported.2)")
            let text = try String(contentsOfFile: dir + "/contacts.jsonl", encoding: .utf8)
            #expect(text.split(separator: "\n").count == 300)
            let imported = try await Self.run(["records", "import", c, "copy", dir + "/contacts.jsonl", "--url", url])
            #expect(imported.0 == 0, "\(imported.2)")
            #expect((try? JSON(parsing: imported.1))?["created"] == 300)
            let csv = try await Self.run(["records", "export", c, "copy", "--output", dir + "/copy.csv", "--fields", "id,name", "--url", url])
            #expect(csv.0 == 0)
            let csvText = try String(contentsOfFile: dir + "/copy.csv", encoding: .utf8)
            #expect(csvText.hasPrefix("id,name\r\n1,name-1-v0\r\n10,name-10-v0\r\n"))
            let failing = try await Self.run(["records", "import", c, "bad", dir + "/copy.csv", "--id-field", "nope", "--url", url])
            #expect(failing.0 == 1 && (try? JSON(parsing: failing.1))?["failed"] == 300)
        }
    }
}
