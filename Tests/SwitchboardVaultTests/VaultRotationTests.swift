import Foundation
import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

struct InjectedCrash: Error {}

@Suite("Vault key rotation")
struct VaultRotationTests {
    @Test(arguments: TestBackend.available)
    func interruptedRotationResumesAndEverythingDecrypts(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            var connections: [Connection] = []
            let base = try await f.connection(auth: ["type": "basic"])
            connections.append(base)
            for i in 0..<24 {
                let now = f.clock.now()
                let c = try await f.store.connections.create(
                    Connection(
                        id: Identifier.make(prefix: "conn_", now: now), name: "c\(i)", definitionKey: base.definitionKey,
                        definitionVersion: base.definitionVersion,
                        status: .pendingAuthentication, config: [:], metadata: [:], createdAt: now, updatedAt: now))
                connections.append(c)
            }
            for (i, c) in connections.enumerated() {
                _ = try await f.vault.put(
                    connectionId: c.id, body: ["type": "basic", "username": .string("u\(i)"), "password": .string("pw-ROT-\(i)")])
            }
            let oldKey = try #require(f.vault.primaryKeyId)
            let dir = NSTemporaryDirectory() + "vault-rot-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let rotation = KeyRotation(db: f.db, clock: f.clock, logger: f.logs.logger)
            var keys = f.keys
            // Killed after two batches of 5.
            await #expect(throws: InjectedCrash.self) {
                _ = try await rotation.rotate(
                    keys: &keys, batchSize: 5, makeKey: { try KeyFiles.create(in: dir, now: f.clock.now()) },
                    afterBatch: { n in if n >= 10 { throw InjectedCrash() } })
            }
            let newKey = try #require(keys.order.last)
            #expect(newKey != oldKey)
            var status = try await rotation.status(keys: keys)
            #expect(status.first { $0.id == newKey }?.records == 10)
            #expect(status.first { $0.id == oldKey }?.records == 15)
            // Half way: a vault that has both keys reads everything (the running server picks up the key file).
            var both = f.keys
            for id in keys.order { both.add(keys[id]!) }
            let reader = f.makeVault(keys: both)
            try await reader.start()
            for (i, c) in connections.enumerated() {
                #expect(try await reader.credentials(for: c, definition: try await f.definition(of: c))?["password"] == "pw-ROT-\(i)")
            }
            // Resumed: continues to the same key, skipping what is done; no new key.
            var again = try KeyFiles.load(directory: dir, environment: [:])
            again.add(f.keys[oldKey]!)
            let outcome = try await rotation.rotate(
                keys: &again, batchSize: 5,
                makeKey: {
                    Issue.record("made a new key")
                    return MasterKey.generate(source: "x")
                })
            #expect(!outcome.createdKey)
            #expect(outcome.keyId == newKey)
            #expect(outcome.rewrapped == 15)
            status = try await rotation.status(keys: again)
            #expect(status.first { $0.id == newKey }?.records == 25)
            #expect(status.first { $0.id == newKey }?.isPrimary == true)
            #expect(status.first { $0.id == oldKey }?.records == 0)
            // Only the new key is needed now.
            let onlyNew = f.makeVault(keys: try KeyFiles.load(directory: dir, environment: [:]))
            try await onlyNew.start()
            for (i, c) in connections.enumerated() {
                #expect(try await onlyNew.credentials(for: c, definition: try await f.definition(of: c))?["password"] == "pw-ROT-\(i)")
            }
            // The old vault instance picks up the new key from the key directory when it meets it.
            let watching = Vault(
                database: f.db, connections: f.store.connections, definitions: f.store.definitions, keys: f.keys, clock: f.clock,
                logger: f.logs.logger,
                keyDirectory: dir)
            #expect(
                try await watching.credentials(for: connections[3], definition: try await f.definition(of: connections[3]))?["password"] == "pw-ROT-3"
            )
            // ...and writes with it from then on (not with the key being rotated away).
            let (written, _) = try await watching.put(
                connectionId: connections[3].id, body: ["type": "basic", "username": "u", "password": "pw-ROT-3"])
            #expect(written["keyId"]?.stringValue == newKey)
            // A second full rotation creates another key.
            let next = try await rotation.rotate(keys: &again, batchSize: 100, makeKey: { try KeyFiles.create(in: dir, now: f.clock.now()) })
            #expect(next.createdKey)
            #expect(next.rewrapped == 25)
        }
    }
}
