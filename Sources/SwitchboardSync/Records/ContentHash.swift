import Crypto
import JSONValue
import SwitchboardStore

/// The content hash of a record: SHA-256 of its canonical JSON (members sorted by key), lowercase hex.
///
/// Two records that differ only in member order hash the same, so a provider reordering fields rewrites nothing.
public enum ContentHash {
    public static func of(_ json: JSON) -> String { canonical(json).hash }

    /// The canonical JSON text of `json` and its hash, from one serialization.
    public static func canonical(_ json: JSON) -> (text: String, hash: String) {
        let bytes = json.serializedBytes(.canonical)
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        let digest = hasher.finalize()
        let hash = String(unsafeUninitializedCapacity: 64) { buffer in
            var i = 0
            for byte in digest {
                buffer[i] = hex[Int(byte >> 4)]
                buffer[i + 1] = hex[Int(byte & 0x0F)]
                i += 2
            }
            return 64
        }
        return (String(decoding: bytes, as: UTF8.self), hash)
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)
}

extension SyncRecordInput {
    /// A record stored in canonical form (members sorted by key), hashed from the same text.
    public static func canonical(externalId: String, data: JSON) -> SyncRecordInput {
        let (text, hash) = ContentHash.canonical(data)
        return SyncRecordInput(externalId: externalId, text: text, contentHash: hash)
    }
}
