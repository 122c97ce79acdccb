import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// `switchboard serve --database-pool-size`: a node opens no more PostgreSQL connections than that, however many
/// requests come at once (several nodes share the server's `max_connections`); a size that leaves nothing beside the
/// change feed's listener is refused at start.
@Suite struct ServePoolSizeTests {
    @Test func aNodeOpensNoMoreConnectionsThanItsPoolSize() async throws {
        guard TestBackend.available.contains(.postgres), let admin = TestBackend.postgresAdminURL else { return }
        try await TestBackend.postgres.withFreshLocation { location in
            guard case .postgres(let url) = location else { return }
            let name = String(url.split(separator: "?")[0].split(separator: "/").last ?? "")
            var server = try ServerProcess(location: location, leaseSeconds: 30, workers: 0, environment: ["SWITCHBOARD_DATABASE_POOL_SIZE": "3"])
            defer { server.kill() }
            try await server.ready()
            let node = server
            let counter = try PostgresDatabase(url: admin, logger: Logger(label: "test-admin"), maximumConnections: 1)
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    await counter.run()
                    return 0
                }
                // The most connections to the node's database seen until cancelled.
                let sampler = Task {
                    var peak = 0
                    while !Task.isCancelled {
                        guard let rows = try? await counter.query("SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE datname = ?", [.text(name)])
                        else { continue }
                        peak = max(peak, Int(rows.first?.int("n") ?? 0))
                    }
                    return peak
                }
                // 400 list requests, 40 at a time: each reads the database.
                let failures = await withTaskGroup(of: Int.self) { requests in
                    for worker in 0..<40 {
                        requests.addTask {
                            var failed = 0
                            for i in 0..<10 {
                                let path = worker % 2 == 0 ? "/v1/connections?limit=\(1 + i)" : "/v1/definitions?limit=\(1 + i)"
                                if (try? await node.call("GET", path))?.0 != 200 { failed += 1 }
                            }
                            return failed
                        }
                    }
                    return await requests.reduce(0, +)
                }
                sampler.cancel()
                let seen = await sampler.value
                group.cancelAll()
                #expect(failures == 0)
                // The pool's 3 (one of them the change feed's listener); at least the listener and one more were seen.
                #expect(seen <= 3, "the node had \(seen) connections open")
                #expect(seen >= 2, "the node had \(seen) connections open")
            }
        }
    }

    @Test func aPoolTooSmallForTheListenerIsRefusedAtStart() async throws {
        // As a flag, and from the environment (where it is not parsed as a number first).
        let cases: [(flag: String?, env: String?)] = [("1", nil), ("0", nil), ("1001", nil), (nil, "1"), (nil, "abc")]
        for (flag, env) in cases {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ServerProcess.executable)
            p.arguments = ["serve", "--host", "127.0.0.1", "--port", String(try freeLoopbackPort())] + (flag.map { ["--database-pool-size", $0] } ?? [])
            var environment = ProcessInfo.processInfo.environment
            environment["SWITCHBOARD_DATABASE_POOL_SIZE"] = env
            p.environment = environment
            let stderr = Pipe()
            p.standardError = stderr
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            // A server that started after all is stopped rather than waited for.
            let pid = p.processIdentifier
            let watchdog = Task {
                try await Task.sleep(for: .seconds(30))
                kill(pid, SIGKILL)
            }
            let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            watchdog.cancel()
            let label = flag.map { "--database-pool-size \($0)" } ?? "SWITCHBOARD_DATABASE_POOL_SIZE=\(env ?? "")"
            #expect(p.terminationStatus != 0, "\(label): \(output)")
            #expect(output.contains("must be a number between 2 and 1000"), "\(label): \(output)")
        }
    }
}
