import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// The real `switchboard serve` executable, killed mid-sync and restarted, and two of them on one PostgreSQL.
@Suite("Sync runs across server processes", .serialized)
struct SyncProcessTests {
    static let records = 100_000
    static let pageSize = 1_000

    static var definition: JSON {
        [
            "key": "paged", "name": "Paged upstream", "version": "1.0.0", "type": "rest_api", "auth": ["type": "none"],
            "baseUrl": "{config.baseUrl}",
            "configSchema": ["type": "object", "required": ["baseUrl"], "properties": ["baseUrl": ["type": "string"]]],
            "methods": [
                [
                    "name": "list", "verb": "GET", "path": "/records",
                    "query": ["style": "cursor", "cursor": "{{params.cursor}}", "limit": .string(String(pageSize))],
                ]
            ],
            "syncs": .array(
                (0..<4).map { i in
                    [
                        "name": .string(i == 0 ? "contacts" : "contacts\(i)"), "entityType": .string(i == 0 ? "contact" : "contact\(i)"),
                        "sourceMethod": "list", "recordsPath": "data", "idField": "id",
                        "pagination": ["type": "cursor", "cursorPath": "meta.next_cursor", "cursorParam": "cursor"],
                    ]
                }),
        ]
    }

    /// kill -9 mid-run, restart: the run resumes from its checkpoint and ends with exactly the upstream's records.
    @Test(arguments: TestBackend.available)
    func aServerKilledMidSyncResumesFromItsCheckpointAfterRestart(_ backend: TestBackend) async throws {
        let peer = try await PeerProcess.start(script: "paged_server.py", arguments: ["--records", String(Self.records)])
        defer { peer.stop() }
        try await backend.withFreshLocation { location in
            var first = try ServerProcess(location: location, leaseSeconds: 2)
            defer { first.kill() }
            try await first.ready()
            let connectionId = try await Self.setUp(first, peer: peer)
            let started = try await first.call("POST", "/v1/connections/\(connectionId)/syncs/contacts/run")
            let runId = try #require(started.1["runId"]?.stringValue, "\(started)")

            // Let it commit some pages, then SIGKILL it: no graceful shutdown, the lease is left to expire.
            var committed = 0
            let deadline = Date().addingTimeInterval(300)
            while committed < 15 && Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                committed = try await first.call("GET", "/v1/sync-runs/\(runId)").1["counts"]?["pages"]?.intValue ?? 0
            }
            first.kill()
            #expect(committed >= 15, "the run did not get far enough before the deadline")
            let pagesBeforeKill = try #require(try await peer.json("/stats")["pages"]?.intValue)
            #expect(pagesBeforeKill < 100, "the run finished before it could be killed")

            // Restart on the same database: a worker reclaims the run once the lease has expired and finishes it.
            var second = try ServerProcess(location: location, leaseSeconds: 2)
            defer { second.kill() }
            try await second.ready()
            var run: JSON = .null
            let end = Date().addingTimeInterval(600)
            while Date() < end {
                run = try await second.call("GET", "/v1/sync-runs/\(runId)").1
                if run["status"] != "running" && run["status"] != "queued" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(run["status"] == "completed", "\(run)")
            #expect(run["claims"]?.intValue == 2, "\(run)")
            #expect(run["counts"]?["fetched"]?.intValue == Self.records && run["counts"]?["created"]?.intValue == Self.records, "\(run)")
            let pagesTotal = try #require(try await peer.json("/stats")["pages"]?.intValue)
            // A restart from scratch would fetch all 101 pages again after the kill; the resumed run fetched only the rest
            // (plus at most the page in flight and the one prefetched when it died).
            let pagesAfterRestart = pagesTotal - pagesBeforeKill
            #expect(pagesAfterRestart <= 101 - committed + 2, "fetched \(pagesAfterRestart) pages after the restart, \(committed) were committed")
            #expect(pagesAfterRestart < 101)
            await second.stop()

            // Exactly the upstream's records: all ids, no duplicates, none missing, each with the upstream's data.
            try await TestBackend.withDatabase(at: location) { db, _ in
                let row = try await db.first(
                    "SELECT COUNT(*) AS n, COUNT(DISTINCT external_id) AS d, MIN(CAST(external_id AS INTEGER)) AS lo, MAX(CAST(external_id AS INTEGER)) AS hi FROM sync_records WHERE connection_id = ? AND entity_type = 'contact' AND deleted_at IS NULL",
                    [.text(connectionId)])
                #expect(row?.int("n") == Int64(Self.records) && row?.int("d") == Int64(Self.records), "\(String(describing: row))")
                #expect(row?.int("lo") == 1 && row?.int("hi") == Int64(Self.records))
                let sample = try await db.first(
                    "SELECT data FROM sync_records WHERE connection_id = ? AND entity_type = 'contact' AND external_id = '54321'", [.text(connectionId)])
                #expect(sample?.json("data")["name"] == "name-54321-v0")
            }
        }
    }

    /// Two server processes on one PostgreSQL: every run is claimed and run by exactly one of them, once.
    @Test func twoServersOnOnePostgreSQLRunEachJobExactlyOnce() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let peer = try await PeerProcess.start(script: "paged_server.py", arguments: ["--records", "20000"])
        defer { peer.stop() }
        try await TestBackend.postgres.withFreshLocation { location in
            var a = try ServerProcess(location: location, leaseSeconds: 30, workers: 2)
            defer { a.kill() }
            try await a.ready()
            var b = try ServerProcess(location: location, leaseSeconds: 30, workers: 2)
            defer { b.kill() }
            try await b.ready()
            let connectionId = try await Self.setUp(a, peer: peer)
            // Runs queued through both nodes; a second connection gives more jobs than one node's workers can hold.
            let other = try await a.call(
                "POST", "/v1/connections", ["definitionKey": "paged", "name": "peer 2", "config": ["baseUrl": .string(peer.baseURL)]])
            let connections = [connectionId, try #require(other.1["id"]?.stringValue)]
            var runIds: [String] = []
            for (i, c) in connections.enumerated() {
                for name in ["contacts", "contacts1", "contacts2", "contacts3"] {
                    let node = (i + runIds.count) % 2 == 0 ? a : b
                    let r = try await node.call("POST", "/v1/connections/\(c)/syncs/\(name)/run")
                    runIds.append(try #require(r.1["runId"]?.stringValue, "\(r)"))
                }
            }
            var runs: [JSON] = []
            let end = Date().addingTimeInterval(600)
            while Date() < end {
                runs = []
                for id in runIds { runs.append(try await a.call("GET", "/v1/sync-runs/\(id)").1) }
                if runs.allSatisfy({ $0["status"] == "completed" || $0["status"] == "failed" }) { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(runs.allSatisfy { $0["status"] == "completed" }, "\(runs)")
            #expect(runs.allSatisfy { $0["claims"]?.intValue == 1 }, "a run was claimed twice: \(runs)")
            #expect(runs.allSatisfy { $0["counts"]?["created"]?.intValue == 20000 && $0["counts"]?["pages"]?.intValue == 20 })
            let nodes = Set(runs.compactMap { $0["worker"]?.stringValue?.split(separator: "/").first.map(String.init) })
            #expect(nodes.count == 2, "both servers should have run jobs: \(nodes)")
            // Every page was fetched once: no run was worked by two nodes.
            #expect(try await peer.json("/stats")["pages"]?.intValue == 20 * runIds.count)
            await a.stop()
            await b.stop()
        }
    }

    static func setUp(_ server: ServerProcess, peer: PeerProcess) async throws -> String {
        let defined = try await server.call("POST", "/v1/definitions?publish=true", definition)
        #expect(defined.0 == 201, "\(defined)")
        let created = try await server.call(
            "POST", "/v1/connections", ["definitionKey": "paged", "name": "peer", "config": ["baseUrl": .string(peer.baseURL)]])
        return try #require(created.1["id"]?.stringValue, "\(created)")
    }
}

/// `switchboard serve` in a child process, on a free loopback port.
struct ServerProcess: @unchecked Sendable {
    let process: Process
    let baseURL: String

    /// The `switchboard` executable built beside the test bundle.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard").path
    }

    init(location: StoreLocation, leaseSeconds: Int, workers: Int = 1, environment: [String: String] = [:]) throws {
        guard FileManager.default.fileExists(atPath: Self.executable) else {
            throw TestSetupError("build the switchboard executable first (swift build --build-tests)")
        }
        let port = try freeLoopbackPort()
        var arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"]
        arguments += ["--sync-lease-seconds", String(leaseSeconds), "--sync-workers", String(workers)]
        switch location {
        case .sqlite(let dir): arguments += ["--data-dir", dir]
        case .sqliteFile(let path): arguments += ["--data-dir", URL(fileURLWithPath: path).deletingLastPathComponent().path]
        case .postgres(let url):
            arguments += ["--database-url", url, "--data-dir", NSTemporaryDirectory() + "switchboard-node-" + UUID().uuidString]
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        // The nodes of one PostgreSQL share the vault key through the environment.
        env["SWITCHBOARD_MASTER_KEY"] = "c3luYy1wcm9jZXNzLXRlc3Qta2V5LTAxMjM0NTY3ODk="  // 32 bytes, base64
        env.merge(environment) { _, new in new }
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// Waits until the server answers /health.
    func ready() async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let (status, _) = try? await call("GET", "/health"), status == 200 { return }
            guard process.isRunning else { throw TestSetupError("switchboard serve exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("switchboard serve did not start")
    }

    func call(_ method: String, _ path: String, _ body: JSON? = nil) async throws -> (Int, JSON) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.serialized().utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSON(parsing: Array(data))) ?? .null)
    }

    /// SIGKILL: no graceful shutdown.
    mutating func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// SIGTERM and wait (SIGKILL after 20 s).
    func stop() async {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

extension PeerProcess {
    func json(_ path: String) async throws -> JSON {
        let (data, _) = try await URLSession.shared.data(from: URL(string: baseURL + path)!)
        return try JSON(parsing: Array(data))
    }
}

/// A port nothing listens on now (bound to 127.0.0.1:0 and released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw TestSetupError("bind() failed") }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    guard withUnsafeMutablePointer(to: &addr, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }) == 0 else {
        throw TestSetupError("getsockname() failed")
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}
