import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Two Switchboard nodes on one PostgreSQL database: what one node changes, the other's execution cache drops at once
/// (ChangeFeed, LISTEN/NOTIFY), instead of serving its cached copy until it expires. The caches here keep entries for
/// an hour, so only the notification can make node B see node A's change within the test. PostgreSQL only: SQLite is
/// one node.
@Suite("Execution cache across nodes")
struct ClusterCacheTests {
    @Test(arguments: TestBackend.available.filter { $0 == .postgres })
    func connectionChangesReachTheOtherNode(_ backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            guard case .postgres(let url) = location else { return }
            let keys = NSTemporaryDirectory() + "switchboard-keys-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: keys + "/keys", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: keys) }
            let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            try key.write(toFile: keys + "/keys/master-1.key", atomically: true, encoding: .utf8)
            var node = ServerConfiguration(logLevel: .warning)
            node.databaseURL = url
            node.dataDirectory = keys
            node.syncWorkers = 0
            node.executionCacheTTL = .seconds(3600)
            node.credentialCacheTTL = .seconds(3600)
            let config = node
            let appA = try await buildApplication(config)
            try await appA.test(.router) { a in
                let appB = try await buildApplication(config)
                try await appB.test(.router) { b in
                    for client in [a, b] {
                        #expect(
                            try await waitUntil {
                                try await client.call(.get, "/ready").body["changeFeed"] == "listening"
                            }, "both nodes listen")
                    }
                    let definition: JSON = [
                        "key": "cluster", "name": "Cluster", "version": "1.0.0", "type": "rest_api", "baseUrl": "http://127.0.0.1:9",
                        "auth": ["type": "api_key", "apiKey": ["in": "header", "name": "X-Key"]],
                        "methods": [["name": "get", "verb": "GET", "path": "/x"]],
                    ]
                    #expect(try await a.call(.post, "/v1/definitions?publish=true", json: definition).status == 201)
                    let created = try await a.call(.post, "/v1/connections", json: ["definitionKey": "cluster", "name": "c"])
                    let id = try #require(created.body["id"]?.stringValue)

                    // B caches the connection as PENDING_AUTHENTICATION.
                    let before = try await b.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
                    #expect(before.status == 409)
                    #expect(before.body["error"]?["code"] == "CONNECTION_NOT_USABLE")

                    // A stores credentials: the connection becomes CONNECTED, and B hears of it.
                    #expect(try await a.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "api_key", "key": "key-1"]).status == 200)
                    #expect(
                        try await waitUntil {
                            try await b.call(.post, "/v1/connections/\(id)/methods/get", json: [:]).body["error"]?["code"] != "CONNECTION_NOT_USABLE"
                        }, "node B sees the connection CONNECTED")
                    // Nothing listens on port 9: with the connection usable, the call reaches the transport.
                    let after = try await b.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
                    #expect(after.status == 502 || after.status == 504, "\(after.body)")

                    // A deletes the connection: B stops executing it.
                    #expect(try await a.call(.delete, "/v1/connections/\(id)").status == 204)
                    #expect(
                        try await waitUntil {
                            try await b.call(.post, "/v1/connections/\(id)/methods/get", json: [:]).status == 404
                        }, "node B forgets the deleted connection")
                }
            }
        }
    }

    @Test func singleNodeStoresReportNoFeed() async throws {
        try await withApp(.sqlite) { client in
            let ready = try await client.call(.get, "/ready")
            #expect(ready.body["changeFeed"] == "single-node")
        }
    }
}
