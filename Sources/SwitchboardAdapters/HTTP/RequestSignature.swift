import Crypto
import SwitchboardCore

extension HTTPRequestSpec {
    /// A digest (hex) of what this request asks the provider: its method, URL, headers and body, less the headers that
    /// carry credentials and the idempotency key header named `idempotencyHeader` (both may differ between two calls
    /// asking the same thing). Two requests with the same signature get the same answer from a provider that keeps no
    /// state between them: a sync that meets a page request it already made knows its pagination does not advance.
    ///
    /// An HMAC-SHA-256 under a key made at random for this process, not a plain hash: the URL may hold a credential (an
    /// API key sent in the query), and a signature is only ever compared within the process that made it.
    package func signature(excludingHeader idempotencyHeader: String?) -> String {
        var hash = HMAC<SHA256>(key: Self.signatureKey)
        func add(_ bytes: [UInt8]) {  // length-prefixed, so no two lists of parts hash alike
            hash.update(data: withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { Array($0) })
            hash.update(data: bytes)
        }
        add(Array(method.utf8))
        add(Array(url.utf8))
        for (name, value) in headers {
            if credentialHeaders.contains(where: { ASCII.equalsIgnoringCase($0, name) }) { continue }
            if let idempotencyHeader, ASCII.equalsIgnoringCase(name, idempotencyHeader) { continue }
            add(Array(name.lowercased().utf8))
            add(Array(value.utf8))
        }
        add(body ?? [])
        add(body == nil ? [0] : [1])
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in hash.finalize() {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The signature of this request, computed when read.
    package func lazySignature(excludingHeader idempotencyHeader: String?) -> RequestSignature {
        RequestSignature { [self] in signature(excludingHeader: idempotencyHeader) }
    }

    private static let signatureKey = SymmetricKey(size: .bits256)
}
