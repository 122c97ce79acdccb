import Crypto
import Foundation
import SwitchboardCore

/// An encrypted record: the data key wrapped by a master key, and the payload sealed by the data key.
///
/// Both seals are AES-256-GCM (nonce, ciphertext and tag in one "combined" blob). The associated data binds the
/// wrapped key and the payload to the connection id and the field, so neither can be moved to another record.
public struct SealedRecord: Sendable, Equatable {
    public var keyId: String
    public var wrappedKey: [UInt8]
    public var ciphertext: [UInt8]
}

/// Envelope encryption with per-record data keys.
public enum Envelope {
    static let version = "sbv1"

    static func associatedData(_ kind: String, connectionId: String, field: String) -> [UInt8] {
        Array("\(version)|\(kind)|\(connectionId)|\(field)".utf8)
    }

    /// Seals `plaintext` for (`connectionId`, `field`) under a fresh data key wrapped by `master`.
    public static func seal(_ plaintext: [UInt8], connectionId: String, field: String, master: MasterKey) throws -> SealedRecord {
        let dataKey = SymmetricKey(size: .bits256)
        let payload = try AES.GCM.seal(plaintext, using: dataKey, authenticating: associatedData("data", connectionId: connectionId, field: field))
        let wrapped = try wrap(dataKey, connectionId: connectionId, field: field, master: master)
        return SealedRecord(keyId: master.id, wrappedKey: wrapped, ciphertext: Array(payload.combined!))
    }

    static func wrap(_ dataKey: SymmetricKey, connectionId: String, field: String, master: MasterKey) throws -> [UInt8] {
        let bytes = dataKey.withUnsafeBytes { Array($0) }
        let box = try AES.GCM.seal(bytes, using: master.key, authenticating: associatedData("key", connectionId: connectionId, field: field))
        return Array(box.combined!)
    }

    static func unwrap(_ record: SealedRecord, connectionId: String, field: String, keys: KeyRing) throws -> SymmetricKey {
        guard let master = keys[record.keyId] else { throw VaultErrors.keyMissing(record.keyId) }
        do {
            let box = try AES.GCM.SealedBox(combined: record.wrappedKey)
            let bytes = try AES.GCM.open(box, using: master.key, authenticating: associatedData("key", connectionId: connectionId, field: field))
            return SymmetricKey(data: bytes)
        } catch {
            throw VaultErrors.decryption(connectionId: connectionId, keyId: record.keyId)
        }
    }

    /// Opens a record sealed for (`connectionId`, `field`).
    public static func open(_ record: SealedRecord, connectionId: String, field: String, keys: KeyRing) throws -> [UInt8] {
        let dataKey = try unwrap(record, connectionId: connectionId, field: field, keys: keys)
        do {
            let box = try AES.GCM.SealedBox(combined: record.ciphertext)
            return Array(try AES.GCM.open(box, using: dataKey, authenticating: associatedData("data", connectionId: connectionId, field: field)))
        } catch {
            throw VaultErrors.decryption(connectionId: connectionId, keyId: record.keyId)
        }
    }

    /// The same record with its data key re-wrapped under `master` (the payload is untouched).
    public static func rewrap(_ record: SealedRecord, connectionId: String, field: String, keys: KeyRing, master: MasterKey) throws -> SealedRecord {
        let dataKey = try unwrap(record, connectionId: connectionId, field: field, keys: keys)
        return SealedRecord(
            keyId: master.id, wrappedKey: try wrap(dataKey, connectionId: connectionId, field: field, master: master), ciphertext: record.ciphertext)
    }

    /// The known-plaintext check stored per key: proves at start-up that a loaded key is the one that wrote records.
    static let checkPlaintext = Array("switchboard-vault-key-check".utf8)

    static func makeCheck(_ master: MasterKey) throws -> [UInt8] {
        Array(
            try AES.GCM.seal(checkPlaintext, using: master.key, authenticating: associatedData("check", connectionId: "", field: master.id)).combined!
        )
    }

    static func verifyCheck(_ check: [UInt8], master: MasterKey) -> Bool {
        guard let box = try? AES.GCM.SealedBox(combined: check),
            let bytes = try? AES.GCM.open(box, using: master.key, authenticating: associatedData("check", connectionId: "", field: master.id))
        else { return false }
        return Array(bytes) == checkPlaintext
    }

    /// HMAC-SHA256 under a key derived from `master`: a fingerprint that identifies a secret without revealing it.
    static func fingerprint(_ secret: [UInt8], master: MasterKey) -> String {
        let fpKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: master.key, info: Array("\(version)|fingerprint".utf8), outputByteCount: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: secret, using: fpKey)
        return mac.prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
