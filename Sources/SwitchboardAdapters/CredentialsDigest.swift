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
        var digest = ProcessDigest(key: Self.digestKey)
        digest.add(type.rawValue)
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            digest.add(name)
            digest.add(value)
        }
        digest.add(JSON.object(extra).serialized(.canonical))
        return digest.hex()
    }

    private static let digestKey = SymmetricKey(size: .bits256)
}
