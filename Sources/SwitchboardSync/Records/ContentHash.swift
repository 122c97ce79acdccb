import Crypto
import JSONValue

/// The content hash of a record: SHA-256 of its canonical JSON (members sorted by key), lowercase hex.
///
/// Two records that differ only in member order hash the same, so a provider reordering fields rewrites nothing.
public enum ContentHash {
    public static func of(_ json: JSON) -> String {
        let digest = SHA256.hash(data: Array(json.serialized(.canonical).utf8))
        var out = ""
        out.reserveCapacity(64)
        for byte in digest {
            out.append(Self.hex[Int(byte >> 4)])
            out.append(Self.hex[Int(byte & 0x0F)])
        }
        return out
    }

    static let hex: [Character] = Array("0123456789abcdef")
}
