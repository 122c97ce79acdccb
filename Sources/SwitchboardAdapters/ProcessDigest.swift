import Crypto

/// An HMAC-SHA-256 of a list of parts under a key made at random for this process, as lowercase hex: for digests kept
/// in memory only and compared within the process that made them (cache keys, request signatures). Keyed, not a plain
/// hash, because the parts may hold secrets (a password, an API key in a URL), which a plain hash would let anyone who
/// saw a digest guess offline.
struct ProcessDigest {
    private var hash: HMAC<SHA256>

    init(key: SymmetricKey) { hash = HMAC<SHA256>(key: key) }

    /// Adds one part, length-prefixed, so that no two lists of parts hash alike.
    mutating func add(_ bytes: [UInt8]) {
        hash.update(data: withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { Array($0) })
        hash.update(data: bytes)
    }

    mutating func add(_ text: String) { add(Array(text.utf8)) }

    func hex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in hash.finalize() {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
