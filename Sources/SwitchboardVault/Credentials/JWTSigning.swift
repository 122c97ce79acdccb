import Foundation
import JSONValue
import JWTKit
import SwitchboardCore

/// Signs JWTs with jwt-kit: minted jwt credentials and RFC 7523 assertions for the JWT bearer grant.
public enum JWTSigning {
    public enum Algorithm: String, Sendable, CaseIterable { case rs256 = "RS256", es256 = "ES256", hs256 = "HS256" }

    /// The shortest HS256 key: the hash's output (RFC 7518, section 3.2). jwt-kit asserts it, and a debug build stops
    /// the whole process on a shorter one, so a shorter key is refused when it is stored and again before it is used.
    public static let minimumHMACKeyBytes = 32
    static let shortHMACKey = "must be at least 32 bytes for HS256 (RFC 7518, section 3.2: a key as long as the hash's output)"

    /// Free-form claims, encoded as given.
    struct Claims: JWTPayload {
        var object: JSONObject
        init(_ object: JSONObject) { self.object = object }
        init(from decoder: any Decoder) throws { object = try JSONObject(from: decoder) }
        func encode(to encoder: any Encoder) throws { try object.encode(to: encoder) }
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Signs `claims` (with `iat`, `exp` = now + ttl, and `jti` added unless present) and returns the token and its expiry.
    public static func sign(
        algorithm: Algorithm, key: String, keyId: String?, claims: JSONObject, ttlSeconds: Int, now: Timestamp
    ) async throws -> (token: String, expiresAt: Timestamp) {
        let collection = JWTKeyCollection()
        let kid = keyId.map { JWKIdentifier(string: $0) }
        if algorithm == .hs256, key.utf8.count < minimumHMACKeyBytes {  // stored before the check existed
            throw SwitchboardError.validation("the HS256 signing key is shorter than \(minimumHMACKeyBytes) bytes: set the credentials again")
        }
        do {
            switch algorithm {
            case .hs256: await collection.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256, kid: kid)
            case .rs256: await collection.add(rsa: try Insecure.RSA.PrivateKey(pem: key), digestAlgorithm: .sha256, kid: kid)
            case .es256: await collection.add(ecdsa: try ES256PrivateKey(pem: key), kid: kid)
            }
        } catch {
            throw SwitchboardError.validation("the \(algorithm.rawValue) signing key cannot be read")
        }
        let seconds = now.millisecondsSinceEpoch / 1000
        let exp = seconds + Int64(ttlSeconds)
        var c = claims
        c["iat"] = .number(Double(seconds))
        c["exp"] = .number(Double(exp))
        if c["jti"] == nil { c["jti"] = .string(Identifier.make(now: now)) }
        var header = JWTHeader()
        header.typ = "JWT"
        let token = try await collection.sign(Claims(c), kid: kid, header: header)
        return (token, Timestamp(millisecondsSinceEpoch: exp * 1000))
    }

    /// Signs with the settings stored in a credential document under `prefix` (`""` for jwt, `"assertion"` for oauth2).
    static func sign(document: CredentialDocument, prefix: String, extraClaims: JSONObject, now: Timestamp) async throws -> (
        token: String, expiresAt: Timestamp
    ) {
        func name(_ k: String) -> String { prefix.isEmpty ? k : prefix + k.prefix(1).uppercased() + k.dropFirst() }
        guard let a = document.string(name("algorithm")).flatMap(Algorithm.init(rawValue:)), let key = document.string(name("key")) else {
            throw SwitchboardError.validation("the credentials have no signing settings")
        }
        var claims = document.values[name("claims")]?.objectValue ?? [:]
        for (k, v) in extraClaims where claims[k] == nil { claims[k] = v }
        let ttl = document.values[name("ttlSeconds")]?.intValue ?? 3600
        return try await sign(algorithm: a, key: key, keyId: document.string(name("keyId")), claims: claims, ttlSeconds: ttl, now: now)
    }
}
