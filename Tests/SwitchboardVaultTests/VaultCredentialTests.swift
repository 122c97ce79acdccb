import Crypto
import Foundation
import JSONValue
import JWTKit
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

@Suite("Vault credentials")
struct VaultCredentialTests {
    /// An HS256 key shorter than the hash is refused where it is used too (one stored before the check): jwt-kit
    /// asserts on it, which stopped the whole debug server at the first call.
    @Test func aShortHMACKeyIsAnErrorNotACrash() async throws {
        await #expect(throws: SwitchboardError.self) {
            _ = try await JWTSigning.sign(algorithm: .hs256, key: "short-key", keyId: nil, claims: [:], ttlSeconds: 60, now: Timestamp(millisecondsSinceEpoch: 0))
        }
        let signed = try await JWTSigning.sign(
            algorithm: .hs256, key: String(repeating: "k", count: 32), keyId: nil, claims: [:], ttlSeconds: 60, now: Timestamp(millisecondsSinceEpoch: 0))
        #expect(signed.token.split(separator: ".").count == 3)
    }

    @Test(arguments: TestBackend.available)
    func putValidatesPerType(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let c = try await f.connection()
            for (body, paths) in [
                (["type": "basic", "username": "u"] as JSON, ["/password"]),
                (["type": "basic", "username": 5, "password": "pass", "extra": 1] as JSON, ["/username", "/extra"]),
                (["type": "bearer", "token": "abc"] as JSON, ["/token"]),
                (["type": "jwt", "algorithm": "HS256", "key": "S3cr3t-JWTKEY-4242424242424242"] as JSON, ["/key"]),  // 30 bytes
                (["type": "basic", "username": "u", "password": "pw"] as JSON, ["/password"]),
                (["type": "oauth2", "clientId": "c", "clientSecret": "s3"] as JSON, ["/clientSecret"]),
                (["type": "nope"] as JSON, ["/type"]),
                (["type": "api_key", "key": "key-1", "in": "body"] as JSON, ["/in"]),
                (["type": "jwt", "algorithm": "RS256", "key": "not a pem"] as JSON, ["/key"]),
                (["type": "client_certificate", "certificatePEM": "x", "privateKeyPEM": "y"] as JSON, ["/certificatePEM", "/privateKeyPEM"]),
            ] {
                do {
                    _ = try await f.vault.put(connectionId: c.id, body: body)
                    Issue.record("accepted \(body)")
                } catch let e as SwitchboardError {
                    #expect(e.status == 422)
                    let got = e.details.compactMap { $0["path"]?.stringValue }
                    for p in paths { #expect(got.contains(p), "\(body): \(got)") }
                }
            }
            #expect(try await f.vault.info(connectionId: c.id) == nil)
            #expect(try await f.reload(c).status == .pendingAuthentication)
        }
    }

    @Test(arguments: TestBackend.available)
    func setReadDeleteAndStatus(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let c = try await f.connection(auth: ["type": "api_key", "apiKey": ["in": "query", "name": "token"]])
            let (info, connection) = try await f.vault.put(connectionId: c.id, body: ["type": "api_key", "key": "ak-SECRET-91c2"])
            #expect(connection.status == .connected)
            #expect(connection.version == c.version + 1)
            #expect(info["fields"] == ["key"])
            #expect(info["fingerprint"]?.stringValue?.count == 12)
            #expect(!info.serialized().contains("ak-SECRET-91c2"))
            let d = try await f.definition(of: c)
            let creds = try #require(try await f.vault.credentials(for: c, definition: d))
            #expect(creds.type == .apiKey)
            #expect(creds["key"] == "ak-SECRET-91c2")
            #expect(creds["in"] == "query")
            #expect(creds["name"] == "token")
            #expect(!"\(creds)".contains("ak-SECRET"))
            // A change is seen at once (the cache is invalidated) and changes the fingerprint.
            let (info2, _) = try await f.vault.put(connectionId: c.id, body: ["type": "api_key", "key": "ak-SECRET-other"])
            #expect(info2["fingerprint"] != info["fingerprint"])
            #expect(try await f.vault.credentials(for: c, definition: d)?["key"] == "ak-SECRET-other")
            #expect(try await f.vault.delete(connectionId: c.id))
            #expect(try await f.vault.credentials(for: c, definition: d) == nil)
            let audit = try await f.vault.audit.list(AuditQuery(connectionId: c.id))
            #expect(
                audit.items.map(\.action) == ["credentials.set", "credentials.read", "credentials.set", "credentials.read", "credentials.deleted"])
            #expect(!audit.items.map(\.json.description).joined().contains("ak-SECRET"))
        }
    }

    @Test(arguments: TestBackend.available)
    func everyTypeReachesTheEngine(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let c = try await f.connection(auth: ["type": "custom"])
            let d = try await f.definition(of: c)
            let peer = try await MutualTLSPeer.shared()
            let (cert, key) = (peer.client.certificatePEM, peer.client.privateKeyPEM)
            let cases: [(JSON, [String: String])] = [
                (["type": "basic", "username": "u", "password": "pass"], ["username": "u", "password": "pass"]),
                (["type": "bearer", "token": "tok-1"], ["token": "tok-1"]),
                (["type": "custom", "values": ["a": "1", "n": 2]], ["a": "1"]),
                (
                    ["type": "client_certificate", "certificatePEM": .string(cert), "privateKeyPEM": .string(key)],
                    ["certificatePEM": cert, "privateKeyPEM": key]
                ),
                (["type": "jwt", "token": "a.b.c"], ["token": "a.b.c"]),
            ]
            for (body, fields) in cases {
                _ = try await f.vault.put(connectionId: c.id, body: body)
                let creds = try #require(try await f.vault.credentials(for: c, definition: d))
                for (k, v) in fields { #expect(creds[k] == v, "\(k)") }
            }
            #expect(try await f.vault.credentials(for: c, definition: d)?.extra == [:])
        }
    }

    @Test(arguments: JWTSigning.Algorithm.allCases)
    func mintedJWTsVerifyAndAreCached(_ algorithm: JWTSigning.Algorithm) async throws {
        try await withVault(.sqlite) { f in
            let c = try await f.connection(auth: ["type": "jwt"])
            let d = try await f.definition(of: c)
            let ec = ES256PrivateKey()
            let signingKey: String =
                switch algorithm {
                case .hs256: "hs-SECRET-0123456789abcdef0123456789"
                case .rs256: TestKeys.rsaPrivate
                case .es256: ec.pemRepresentation
                }
            _ = try await f.vault.put(
                connectionId: c.id,
                body: [
                    "type": "jwt", "algorithm": .string(algorithm.rawValue), "key": .string(signingKey), "claims": ["iss": "sb", "aud": "api"],
                    "ttlSeconds": 600,
                ])
            #expect(try await f.reload(c).status == .connected)
            let token = try #require(try await f.vault.credentials(for: c, definition: d)?["token"])
            let keys = JWTKeyCollection()
            switch algorithm {
            case .hs256: await keys.add(hmac: HMACKey(from: signingKey), digestAlgorithm: .sha256)
            case .rs256: await keys.add(rsa: try Insecure.RSA.PublicKey(pem: TestKeys.rsaPublic), digestAlgorithm: .sha256)
            case .es256: await keys.add(ecdsa: ec.publicKey)
            }
            let claims = try await keys.verify(token, as: JWTSigning.Claims.self)
            #expect(claims.object["iss"] == "sb")
            let iat = try #require(claims.object["iat"]?.intValue)
            #expect(claims.object["exp"]?.intValue == iat + 600)
            // Cached until near expiry, then minted again.
            #expect(try await f.vault.credentials(for: c, definition: d)?["token"] == token)
            f.clock.advance(milliseconds: 600_000)
            #expect(try await f.vault.credentials(for: c, definition: d)?["token"] != token)
        }
    }

    @Test(arguments: TestBackend.available)
    func readsAreBufferedAndAuditIsPaginated(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let c = try await f.connection()
            let d = try await f.definition(of: c)
            _ = try await f.vault.put(connectionId: c.id, body: ["type": "basic", "username": "u", "password": "pass"])
            await f.vault.audit.flush()
            // Each read in a batch of its own: one row each.
            for _ in 0..<30 {
                _ = try await f.vault.credentials(for: c, definition: d)
                #expect(f.vault.audit.pending == 1)
                await f.vault.audit.flush()
            }
            var seen: [AuditEntry] = []
            var cursor: Cursor?
            repeat {
                let page = try await f.vault.audit.list(AuditQuery(connectionId: c.id, action: "credentials.read", limit: 7, cursor: cursor))
                seen += page.items
                cursor = try page.nextCursor.map { try Cursor(decoding: $0) }
            } while cursor != nil
            #expect(seen.count == 30)
            #expect(Set(seen.map(\.id)).count == 30)
            #expect(seen.allSatisfy { $0.actor == "engine" && $0.details["count"] == nil })
            let later = try await f.vault.audit.list(AuditQuery(since: Timestamp(millisecondsSinceEpoch: f.clock.now().millisecondsSinceEpoch + 1)))
            #expect(later.items.isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func repeatedReadsInABatchAreCountedInOrder(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let a = try await f.connection()
            let b = try await f.connection()
            let d = try await f.definition(of: a)
            let e = try await f.definition(of: b)
            _ = try await f.vault.put(connectionId: a.id, body: ["type": "basic", "username": "u", "password": "pass"])
            _ = try await f.vault.put(connectionId: b.id, body: ["type": "basic", "username": "v", "password": "qass"])
            await f.vault.audit.flush()
            let first = f.clock.now()
            for i in 0..<30 {
                _ = try await f.vault.credentials(for: a, definition: d)
                if i % 10 == 0 { _ = try await f.vault.credentials(for: b, definition: e) }
                f.clock.advance(milliseconds: 1)
            }
            // A change between reads ends the count: the reads after it are a new entry.
            _ = try await f.vault.put(connectionId: a.id, body: ["type": "basic", "username": "u", "password": "pass2"])
            for _ in 0..<5 { _ = try await f.vault.credentials(for: a, definition: d) }
            #expect(f.vault.audit.pending == 4)
            let history = try await f.vault.audit.list(AuditQuery(connectionId: a.id)).items
            #expect(history.map(\.action) == ["credentials.set", "credentials.read", "credentials.set", "credentials.read"])
            #expect(history[1].details["count"] == 30)
            #expect(history[1].details["type"] == "basic")
            #expect(history[1].at == first)
            #expect(history[1].details["lastAt"] == .string(Timestamp(millisecondsSinceEpoch: first.millisecondsSinceEpoch + 29).iso8601))
            #expect(history[3].details["count"] == 5)
            let other = try await f.vault.audit.list(AuditQuery(connectionId: b.id, action: "credentials.read")).items
            #expect(other.count == 1)
            #expect(other.first?.details["count"] == 3)
        }
    }

    /// A batch whose commit failed after the database had taken it is written again on the next flush: its entries are
    /// stored once and the flush succeeds, where the duplicate ids used to fail every later flush (and hold back every
    /// later entry) for good. Here the second write of the same entry stands in for that retry.
    @Test(arguments: TestBackend.available)
    func anAuditEntryWrittenTwiceIsStoredOnce(_ backend: TestBackend) async throws {
        try await withVault(backend) { f in
            let c = try await f.connection()
            let entry = AuditEntry(
                id: f.vault.audit.makeId(f.clock.now()), at: f.clock.now(), connectionId: c.id, action: "credentials.set", actor: "api",
                details: ["type": "basic"])
            f.vault.audit.record(entry)
            await f.vault.audit.flush()
            f.vault.audit.record(entry)
            await f.vault.audit.flush()
            #expect(f.vault.audit.pending == 0)
            #expect(f.logs.lines(containing: "audit log writes failing").isEmpty, "\(f.logs.all)")
            let stored = try await f.vault.audit.list(AuditQuery(connectionId: c.id)).items.filter { $0.id == entry.id }
            #expect(stored.count == 1)
        }
    }
}
