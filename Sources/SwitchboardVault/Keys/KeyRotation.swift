import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore

/// Master key rotation and status, run by `switchboard vault rotate|status` directly against the database.
///
/// Rotation re-wraps data keys only (payloads are untouched), in batches of one transaction each. It is resumable:
/// while some record is not on the newest key, `rotate` continues to it instead of adding another key, and records
/// already on it are skipped. Old keys stay loadable, so every credential reads at every moment.
public struct KeyRotation: Sendable {
    public let db: any SQLDatabase
    public let clock: any WallClock
    public let logger: Logger

    public init(db: any SQLDatabase, clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.db = db
        self.clock = clock
        self.logger = logger
    }

    public struct KeyStatus: Sendable, Equatable {
        public var id: String
        public var createdAt: Timestamp?
        public var source: String?
        public var isPrimary: Bool
        public var records: Int
    }

    /// Every key registered or referenced, with the records each wraps; the primary is the newest loaded key.
    public func status(keys: KeyRing) async throws -> [KeyStatus] {
        let entries = try await CredentialRecords.keys(db)
        let usage = try await CredentialRecords.keyUsage(db)
        let primary = entries.last(where: { keys[$0.id] != nil })?.id
        var out = entries.map { e in
            KeyStatus(id: e.id, createdAt: e.createdAt, source: keys[e.id]?.source, isPrimary: e.id == primary, records: usage[e.id] ?? 0)
        }
        for (id, n) in usage.sorted(by: { $0.key < $1.key }) where !entries.contains(where: { $0.id == id }) {
            out.append(KeyStatus(id: id, createdAt: nil, source: keys[id]?.source, isPrimary: false, records: n))
        }
        return out
    }

    public struct Outcome: Sendable {
        public var keyId: String
        public var createdKey: Bool
        public var rewrapped: Int
        public var batches: Int
    }

    /// Rotates to a new key (created by `makeKey` and registered) or resumes an unfinished rotation to the newest key.
    ///
    /// - Parameters:
    ///   - keys: the loaded keys (every key records use must be here); the new key is added.
    ///   - makeKey: writes a new key (a key file) and returns it; called only when no rotation is unfinished.
    ///   - afterBatch: called after each committed batch with the number re-wrapped so far (progress, tests).
    public func rotate(
        keys: inout KeyRing, batchSize: Int = 100, makeKey: () throws -> MasterKey, afterBatch: (Int) async throws -> Void = { _ in }
    ) async throws -> Outcome {
        for e in try await CredentialRecords.keys(db) {
            if let k = keys[e.id], !Envelope.verifyCheck(e.check, master: k) {
                throw VaultErrors.keyConfiguration("master key \(e.id) does not pass its stored check")
            }
        }
        for (id, n) in try await CredentialRecords.keyUsage(db) where n > 0 && keys[id] == nil {
            throw VaultErrors.keyConfiguration("master key \(id) wraps \(n) record(s) but is not loaded")
        }
        let entries = try await CredentialRecords.keys(db)
        let usage = try await CredentialRecords.keyUsage(db)
        var target: MasterKey
        var created = false
        if let newest = entries.last, let k = keys[newest.id], usage.contains(where: { $0.key != newest.id && $0.value > 0 }) {
            target = k
            logger.info("resuming the rotation to master key \(k.id)")
        } else {
            target = try makeKey()
            keys.add(target)
            try await CredentialRecords.addKey(
                db, target, now: max(clock.now(), Timestamp(millisecondsSinceEpoch: (entries.last?.createdAt.millisecondsSinceEpoch ?? 0) + 1)))
            created = true
            logger.info("added master key \(target.id)", metadata: ["vault.key.file": "\(target.source)"])
        }
        let ring = keys
        let master = target
        var total = 0
        var batches = 0
        while true {
            let done = try await db.transaction { tx -> Int in
                let rows = try await tx.query(
                    "SELECT * FROM vault_credentials WHERE key_id <> ? ORDER BY connection_id LIMIT ?", [.text(master.id), .int(Int64(batchSize))])
                var n = 0
                for r in rows {
                    let row = try CredentialRow(row: r)
                    let re = try Envelope.rewrap(row.sealed, connectionId: row.connectionId, field: CredentialRow.field, keys: ring, master: master)
                    if try await CredentialRecords.rewrap(
                        tx, connectionId: row.connectionId, revision: row.revision, keyId: master.id, wrappedKey: re.wrappedKey)
                    {
                        n += 1
                    }
                }
                return rows.isEmpty ? -1 : n
            }
            if done < 0 { break }
            total += done
            batches += 1
            try await afterBatch(total)
        }
        // Pending OAuth states (short-lived) are re-wrapped too, so the old key is left wrapping nothing.
        try await db.transaction { tx in
            for r in try await tx.query("SELECT * FROM vault_oauth_states WHERE key_id <> ?", [.text(master.id)]) {
                guard let hash = r.text("state_hash"), let conn = r.text("connection_id"), let keyId = r.text("key_id"),
                    let w = r.text("wrapped_key").flatMap({ Data(base64Encoded: $0) }),
                    let c = r.text("ciphertext").flatMap({ Data(base64Encoded: $0) })
                else { continue }
                let re = try Envelope.rewrap(
                    SealedRecord(keyId: keyId, wrappedKey: Array(w), ciphertext: Array(c)), connectionId: conn, field: "oauth_state|" + hash,
                    keys: ring,
                    master: master)
                try await tx.execute(
                    "UPDATE vault_oauth_states SET key_id = ?, wrapped_key = ? WHERE state_hash = ?",
                    [.text(master.id), .text(Data(re.wrappedKey).base64EncodedString()), .text(hash)])
            }
        }
        logger.info("rotation finished", metadata: ["vault.key.id": "\(master.id)", "vault.rewrapped": "\(total)"])
        return Outcome(keyId: master.id, createdKey: created, rewrapped: total, batches: batches)
    }
}
