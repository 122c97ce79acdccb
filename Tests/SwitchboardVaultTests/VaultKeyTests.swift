import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

@Suite("Vault keys and envelope encryption")
struct VaultKeyTests {
    @Test func sealOpenAndAssociatedDataBinding() throws {
        let ring = KeyRing.ephemeral()
        let master = try #require(ring[ring.order[0]])
        let record = try Envelope.seal(Array("s3cr3t-value".utf8), connectionId: "conn_a", field: "credentials", master: master)
        #expect(record.keyId == master.id)
        #expect(try Envelope.open(record, connectionId: "conn_a", field: "credentials", keys: ring) == Array("s3cr3t-value".utf8))
        // Moved to another connection or field: does not authenticate.
        #expect(throws: SwitchboardError.self) { try Envelope.open(record, connectionId: "conn_b", field: "credentials", keys: ring) }
        #expect(throws: SwitchboardError.self) { try Envelope.open(record, connectionId: "conn_a", field: "other", keys: ring) }
        // Another record's payload under this record's data key: does not authenticate.
        let other = try Envelope.seal(Array("x".utf8), connectionId: "conn_a", field: "credentials", master: master)
        let swapped = SealedRecord(keyId: record.keyId, wrappedKey: record.wrappedKey, ciphertext: other.ciphertext)
        #expect(throws: SwitchboardError.self) { try Envelope.open(swapped, connectionId: "conn_a", field: "credentials", keys: ring) }
    }

    @Test func missingKeyIsNamed() throws {
        let a = KeyRing.ephemeral()
        let record = try Envelope.seal([1, 2, 3], connectionId: "conn_a", field: "f", master: a[a.order[0]]!)
        do {
            _ = try Envelope.open(record, connectionId: "conn_a", field: "f", keys: .ephemeral())
            Issue.record("opened without the key")
        } catch let e as SwitchboardError {
            #expect(e.code == "VAULT_KEY_MISSING")
            #expect(e.message.contains(record.keyId))
        }
    }

    @Test func keyIdIsAHashPrefix() throws {
        let key = try MasterKey(base64: Data(repeating: 7, count: 32).base64EncodedString(), source: "t")
        #expect(key.id.count == 16)
        #expect(key.id == MasterKey.id(of: [UInt8](repeating: 7, count: 32)))
        #expect(throws: SwitchboardError.self) { try MasterKey(base64: Data(repeating: 7, count: 16).base64EncodedString(), source: "t") }
        #expect(!key.description.contains(Data(repeating: 7, count: 32).base64EncodedString()))
    }

    @Test func keyFileCreatedWithMode0600AndLogged() throws {
        let dir = NSTemporaryDirectory() + "vault-keys-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logs = CapturedLogs()
        let ring = try KeyFiles.forServer(dataDirectory: dir, createIfMissing: true, now: SystemWallClock().now(), logger: logs.logger)
        let key = try #require(ring[ring.order[0]])
        let attributes = try FileManager.default.attributesOfItem(atPath: key.source)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(logs.all.contains("created a new master key file"))
        #expect(logs.all.contains(key.id))
        #expect(!logs.all.contains(key.base64))
        // The next start loads the same key and creates nothing.
        let again = try KeyFiles.forServer(dataDirectory: dir, createIfMissing: true, now: SystemWallClock().now(), logger: logs.logger)
        #expect(again.order == ring.order)
        // Without a key and without permission to create one (PostgreSQL): a clear error.
        let empty = NSTemporaryDirectory() + "vault-keys-" + UUID().uuidString
        #expect(throws: SwitchboardError.self) {
            try KeyFiles.forServer(dataDirectory: empty, createIfMissing: false, now: SystemWallClock().now(), logger: logs.logger)
        }
    }

    @Test(arguments: TestBackend.available)
    func startRefusesAMissingOrWrongKey(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let c = try await f.connection()
            _ = try await f.vault.put(connectionId: c.id, body: ["type": "basic", "username": "u", "password": "pw-START-1"])
            let keyId = try #require(f.vault.primaryKeyId)
            // Another process with a different key: refuses to start, naming the key it lacks.
            let other = f.makeVault(keys: .ephemeral())
            do {
                try await other.start()
                Issue.record("started without the key")
            } catch let e as SwitchboardError {
                #expect(e.code == "VAULT_KEY_CONFIGURATION")
                #expect(e.message.contains(keyId))
            }
            // With the right key and a new one it starts, and reads.
            var both = f.keys
            both.add(MasterKey.generate(source: "new"))
            let ok = f.makeVault(keys: both)
            try await ok.start()
            let creds = try await ok.credentials(for: c, definition: try await f.definition(of: c))
            #expect(creds?["password"] == "pw-START-1")
        }
    }
}
