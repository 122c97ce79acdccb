import Foundation
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Two `switchboard serve` processes on one PostgreSQL database: what one node changes, the other's caches drop at
/// once (the change feed), also after the listener's database connection was killed. The caches keep entries for an
/// hour (SWITCHBOARD_EXECUTION_CACHE_MS, SWITCHBOARD_CREDENTIAL_CACHE_MS), so only the notification can make node B see
/// node A's change.
@Suite(.serialized) struct ServerNodesTests {
    static let longCaches = ["SWITCHBOARD_EXECUTION_CACHE_MS": "3600000", "SWITCHBOARD_CREDENTIAL_CACHE_MS": "3600000"]

    @Test func changesReachTheOtherServerAlsoAfterItsListenerReconnects() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        try await TestBackend.postgres.withFreshLocation { location in
            guard case .postgres(let url) = location else { return }
            var a = try ServerProcess(location: location, leaseSeconds: 30, workers: 0, environment: Self.longCaches)
            defer { a.kill() }
            try await a.ready()
            var b = try ServerProcess(location: location, leaseSeconds: 30, workers: 0, environment: Self.longCaches)
            defer { b.kill() }
            try await b.ready()
            for node in [a, b] { #expect(try await waitUntil { try await node.call("GET", "/ready").1["changeFeed"] == "listening" }) }
            let definition: JSON = [
                "key": "nodes", "name": "Nodes", "version": "1.0.0", "type": "rest_api", "baseUrl": "http://127.0.0.1:9",
                "auth": ["type": "api_key", "apiKey": ["in": "header", "name": "X-Key"]],
                "methods": [["name": "get", "verb": "GET", "path": "/x"]],
            ]
            #expect(try await a.call("POST", "/v1/definitions?publish=true", definition).0 == 201)

            /// Creates a connection on A, has B cache it as not usable, stores credentials on A: B must see it usable.
            func changeOnASeenByB() async throws -> Bool {
                let created = try await a.call("POST", "/v1/connections", ["definitionKey": "nodes", "name": "c"])
                let id = try #require(created.1["id"]?.stringValue)
                let before = try await b.call("POST", "/v1/connections/\(id)/methods/get", [:])
                #expect(before.1["error"]?["code"] == "CONNECTION_NOT_USABLE", "\(before)")
                #expect(try await a.call("PUT", "/v1/connections/\(id)/credentials", ["type": "api_key", "key": "key-1"]).0 == 200)
                return try await waitUntil {
                    try await b.call("POST", "/v1/connections/\(id)/methods/get", [:]).1["error"]?["code"] != "CONNECTION_NOT_USABLE"
                }
            }
            #expect(try await changeOnASeenByB(), "node B did not see node A's change")

            // Kill both listeners' database connections: each node reconnects and listens again.
            let admin = try SwitchboardStore.PostgresDatabase(url: url, logger: Logger(label: "test-admin"), maximumConnections: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await admin.run() }
                let listeners = """
                    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'
                    """
                let before = try await admin.query(listeners, []).compactMap { $0.int("pid") }
                #expect(before.count == 2, "\(before)")
                _ = try await admin.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'", [])
                #expect(
                    try await waitUntil {
                        let now = try await admin.query(listeners, []).compactMap { $0.int("pid") }
                        return now.count == 2 && Set(now).isDisjoint(with: before)
                    }, "both nodes listen again on new connections")
                group.cancelAll()
            }
            for node in [a, b] { #expect(try await waitUntil { try await node.call("GET", "/ready").1["changeFeed"] == "listening" }) }
            #expect(try await changeOnASeenByB(), "node B did not see node A's change after reconnecting")
            await a.stop()
            await b.stop()
            #expect(a.process.terminationStatus == 0 && b.process.terminationStatus == 0)
        }
    }

    @Test func aBadCacheSettingStopsTheServerWithAMessage() async throws {
        try await TestBackend.sqlite.withFreshLocation { location in
            var server = try ServerProcess(location: location, leaseSeconds: 30, environment: ["SWITCHBOARD_EXECUTION_CACHE_MS": "soon"])
            defer { server.kill() }
            await #expect(throws: TestSetupError.self) { try await server.ready() }
            #expect(server.process.terminationStatus != 0)
        }
    }
}
