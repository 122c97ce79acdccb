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
        var digest = ProcessDigest(key: Self.signatureKey)
        digest.add(method)
        digest.add(url)
        for (name, value) in headers {
            if credentialHeaders.contains(where: { ASCII.equalsIgnoringCase($0, name) }) { continue }
            if let idempotencyHeader, ASCII.equalsIgnoringCase(name, idempotencyHeader) { continue }
            digest.add(name.lowercased())
            digest.add(value)
        }
        digest.add(body ?? [])
        digest.add(body == nil ? [0] : [1])
        return digest.hex()
    }

    /// The signature of this request, computed when read.
    package func lazySignature(excludingHeader idempotencyHeader: String?) -> RequestSignature {
        RequestSignature { [self] in signature(excludingHeader: idempotencyHeader) }
    }

    private static let signatureKey = SymmetricKey(size: .bits256)
}
