import Crypto
import JSONValue
import SwitchboardCore

extension Credentials {
    /// A digest (hex) of everything these credentials hold: type, fields and extra.
    ///
    /// Answers kept for later (the response cache, the `last_good` fallback) are filed under it, so they are served
    /// only to calls made with the very same credentials: a PUT of new credentials, an OAuth token refresh or a newly
    /// minted JWT changes it, and what was fetched before is not served again. The SQL adapter keys its PostgreSQL
    /// pools by it, so that new credentials open a new pool.
    ///
    /// An HMAC-SHA-256 under a key made at random for this process, not a plain hash: the digest is kept in memory only
    /// (cache keys), and even if one were shown somewhere, a weak password could not be guessed from it offline.
    package var digest: String {
        var hash = HMAC<SHA256>(key: Self.digestKey)
        func add(_ text: String) {  // length-prefixed, so no two lists of strings hash alike
            let bytes = Array(text.utf8)
            hash.update(data: withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { Array($0) })
            hash.update(data: bytes)
        }
        add(type.rawValue)
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            add(name)
            add(value)
        }
        add(JSON.object(extra).serialized(.canonical))
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in hash.finalize() {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let digestKey = SymmetricKey(size: .bits256)
}
