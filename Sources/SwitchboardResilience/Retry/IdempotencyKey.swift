/// Idempotency rules and keys for retries of non-idempotent requests.
///
/// POST and PATCH are not retried unless the method opts in (`retryNonIdempotent: true`) or the
/// definition names an idempotency key header (e.g. Stripe's `Idempotency-Key`): then the engine
/// sends a key generated once per call (``make(using:)``), the same on every attempt, so the provider
/// can deduplicate.
public enum IdempotencyKey {
    /// Whether `httpMethod` is idempotent per RFC 9110 section 9.2.2 (GET, HEAD, OPTIONS, TRACE, PUT, DELETE).
    /// `nil` (a non-HTTP operation) counts as idempotent; such adapters opt out by passing a method.
    public static func isIdempotent(httpMethod: String?) -> Bool {
        guard let m = httpMethod else { return true }
        switch m.uppercased() {
        case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE": return true
        default: return false
        }
    }

    /// A random UUID (version 4), lowercase, e.g. `"3b241101-e2bb-4255-8caf-4136c566a962"`.
    public static func make(using rng: inout some RandomNumberGenerator) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let a = rng.next()
        let b = rng.next()
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(45) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
