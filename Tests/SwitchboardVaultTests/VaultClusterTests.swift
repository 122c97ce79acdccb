import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

/// Two nodes sharing one PostgreSQL database: a credentials change made through one vault reaches the other's cache
/// through the change feed (LISTEN/NOTIFY). PostgreSQL only: SQLite is one node, and its feed does nothing.
@Suite("Vault across nodes")
struct VaultClusterTests {
    @Test(arguments: TestBackend.available.filter { $0 == .postgres })
    func credentialChangesReachTheOtherNodesCache(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let logger = Logger(label: "node-b")
            let dbB = try await Store.openDatabase(f.location, logger: logger)
            let pgB = try #require(dbB as? SwitchboardStore.PostgresDatabase)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pgB.run() }
                let feedA = ChangeFeed(database: f.db, logger: logger)
                let feedB = ChangeFeed(database: dbB, logger: logger)
                #expect(feedA.isShared && feedB.isShared)
                let vaultB = f.makeVault(database: dbB)
                try await vaultB.start()
                f.vault.bind(changes: feedA)
                feedB.subscribe { vaultB.apply($0) }
                group.addTask { await feedB.listen() }
                #expect(try await waitUntil { feedB.isListening }, "node B listens")

                let c = try await f.connection(auth: ["type": "api_key", "apiKey": ["in": "header", "name": "X-Key"]])
                let definition = try await f.definition(of: c)
                _ = try await f.vault.put(connectionId: c.id, body: ["type": "api_key", "key": "first-key"])
                let first = try await vaultB.credentials(for: try await f.reload(c), definition: definition)
                #expect(first?["key"] == "first-key")
                #expect(vaultB.holdsCredentials(of: c.id))

                // The vault clock is manual: B's cached copy never expires by itself, so only A's notification can
                // make B read the new key.
                _ = try await f.vault.put(connectionId: c.id, body: ["type": "api_key", "key": "second-key"])
                #expect(try await waitUntil { !vaultB.holdsCredentials(of: c.id) }, "node B drops its cached credentials")
                let second = try await vaultB.credentials(for: try await f.reload(c), definition: definition)
                #expect(second?["key"] == "second-key")

                // Deleting them is announced too.
                #expect(vaultB.holdsCredentials(of: c.id))
                #expect(try await f.vault.delete(connectionId: c.id, revoke: false))
                #expect(try await waitUntil { !vaultB.holdsCredentials(of: c.id) }, "node B forgets deleted credentials")
                #expect(try await vaultB.credentials(for: try await f.reload(c), definition: definition) == nil)

                // A node ignores its own notifications (they come back to it on the same channel).
                let own = try #require(ChangeFeed.payload(.credentials("conn_x"), node: feedA.node))
                #expect(ChangeFeed.change(own, ignoringNode: feedA.node) == nil)
                #expect(ChangeFeed.change(own, ignoringNode: feedB.node) == .credentials("conn_x"))
                group.cancelAll()
            }
            try await dbB.close()
        }
    }
}
