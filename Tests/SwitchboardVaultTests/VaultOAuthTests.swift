import Crypto
import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

/// OAuth 2 flows end to end against the Authlib server of Tests/peers/oauth_server.py.
@Suite("Vault OAuth 2", .serialized)
struct VaultOAuthTests {
    static let redirect = "http://127.0.0.1:9/v1/oauth/callback"

    /// Sets client credentials, authorizes, follows the redirect, completes the callback.
    static func connect(_ f: VaultFixture, _ peer: OAuthPeer, _ c: Connection, client: String = "web-client", secret: String = "web-secret-Q8f3")
        async throws
    {
        _ = try await f.vault.put(connectionId: c.id, body: ["type": "oauth2", "clientId": .string(client), "clientSecret": .string(secret)])
        #expect(try await f.reload(c).status == .pendingAuthentication)
        let (url, _, _) = try await f.vault.authorize(connectionId: c.id, redirectURI: redirect)
        let q = queryItems(url)
        #expect(q["code_challenge_method"] == "S256")
        #expect(q["code_challenge"]?.count == 43)
        #expect(q["redirect_uri"] == redirect)
        let back = try await peer.follow(url)
        #expect(back["code"] != nil)
        let result = await f.vault.completeAuthorization(query: back)
        #expect(result.succeeded, "\(result.error ?? "")")
    }

    @Test(arguments: TestBackend.available)
    func authorizationCodeWithPKCE(_ backend: TestBackend) async throws {
        try await withOAuthPeer { peer in
            try await withVault(backend) { f in
                for method in ["client_secret_post", "client_secret_basic"] {
                    let c = try await f.connection(auth: peer.auth(clientAuth: method))
                    _ = try await peer.post("/test/reset")
                    let client = method == "client_secret_post" ? ("web-client", "web-secret-Q8f3") : ("basic-client", "basic-secret-Z7x1")
                    try await Self.connect(f, peer, c, client: client.0, secret: client.1)
                    #expect(try await f.reload(c).status == .connected)
                    #expect(f.events.events.contains { $0.type == "integration.connected" && $0.connectionId == c.id })
                    let creds = try #require(try await f.vault.credentials(for: c, definition: try await f.definition(of: c)))
                    #expect(creds["accessToken"]?.hasPrefix("at-") == true)
                    #expect(creds["refreshToken"]?.hasPrefix("rt-") == true)
                    #expect(creds.expiresAt != nil)
                    let stats = try await peer.stats()
                    #expect(stats["auth_methods"] == [method == "client_secret_post" ? "post" : "basic"])
                    let info = try #require(try await f.vault.info(connectionId: c.id))
                    #expect(info["fields"]?.arrayValue?.contains("accessToken") == true)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func badStates(_ backend: TestBackend) async throws {
        try await withOAuthPeer { peer in
            try await withVault(backend) { f in
                let c = try await f.connection(auth: peer.auth())
                _ = try await f.vault.put(connectionId: c.id, body: ["type": "oauth2", "clientId": "web-client", "clientSecret": "web-secret-Q8f3"])
                // Wrong state: nothing is bound to it.
                let (url, _, _) = try await f.vault.authorize(connectionId: c.id, redirectURI: Self.redirect)
                var back = try await peer.follow(url)
                let goodState = back["state"]!
                back["state"] = "wrong-" + goodState
                #expect(await f.vault.completeAuthorization(query: back).error == "invalid_state")
                // The real one works once...
                back["state"] = goodState
                #expect(await f.vault.completeAuthorization(query: back).succeeded)
                // ...and a replay is refused.
                #expect(await f.vault.completeAuthorization(query: back).error == "invalid_state")
                // Expired: 10 minutes later; consumed, AUTH_ERROR and an event.
                let (url2, _, _) = try await f.vault.authorize(connectionId: c.id, redirectURI: Self.redirect)
                let back2 = try await peer.follow(url2)
                f.clock.advance(milliseconds: 600_001)
                let expired = await f.vault.completeAuthorization(query: back2)
                #expect(expired.error == "expired_state")
                #expect(try await f.reload(c).status == .authError)
                #expect(f.events.events.contains { $0.type == "integration.auth.failed" && $0.payload["reason"] == "expired_state" })
                #expect(await f.vault.completeAuthorization(query: back2).error == "invalid_state")
                // Access denied by the user.
                let (url3, _, _) = try await f.vault.authorize(connectionId: c.id, redirectURI: Self.redirect)
                let denied = try await peer.follow(url3 + "&test_deny=1")
                #expect(denied["error"] == "access_denied")
                let r = await f.vault.completeAuthorization(query: denied)
                #expect(r.error == "access_denied")
                #expect(try await f.reload(c).status == .authError)
                #expect(f.events.events.contains { $0.type == "integration.auth.failed" && $0.payload["reason"] == "access_denied" })
                #expect(await f.vault.completeAuthorization(query: denied).error == "invalid_state")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func clientCredentials(_ backend: TestBackend) async throws {
        try await withOAuthPeer { peer in
            try await withVault(backend) { f in
                let c = try await f.connection(auth: peer.auth(grant: "client_credentials"))
                let (_, connection) = try await f.vault.put(
                    connectionId: c.id, body: ["type": "oauth2", "clientId": "service-client", "clientSecret": "service-secret-K2m9"])
                #expect(connection.status == .connected)
                let d = try await f.definition(of: c)
                let first = try #require(try await f.vault.credentials(for: c, definition: d)?["accessToken"])
                f.clock.advance(milliseconds: 3_600_000)
                let second = try #require(try await f.vault.credentials(for: c, definition: d)?["accessToken"])
                #expect(first != second)
                #expect(try await peer.stats()["by_grant"]?["client_credentials"] == 2)
                // A wrong secret: AUTH_ERROR and an event.
                let bad = try await f.connection(auth: peer.auth(grant: "client_credentials"))
                let (_, b) = try await f.vault.put(
                    connectionId: bad.id, body: ["type": "oauth2", "clientId": "service-client", "clientSecret": "nope"])
                #expect(b.status == .authError)
                #expect(f.events.events.contains { $0.type == "integration.auth.failed" && $0.connectionId == bad.id })
            }
        }
    }

    @Test(arguments: JWTSigning.Algorithm.allCases)
    func jwtBearerGrant(_ algorithm: JWTSigning.Algorithm) async throws {
        try await withOAuthPeer { peer in
            try await withVault(.sqlite) { f in
                let issuer = "svc-\(algorithm.rawValue.lowercased())@example.com"
                let privateKey: String
                let publicKey: String
                switch algorithm {
                case .hs256:
                    privateKey = "hs-assertion-SECRET-0123456789abcdef"
                    publicKey = privateKey
                case .rs256:
                    privateKey = TestKeys.rsaPrivate
                    publicKey = TestKeys.rsaPublic
                case .es256:
                    let k = ES256Key()
                    privateKey = k.privatePEM
                    publicKey = k.publicPEM
                }
                _ = try await peer.post("/test/jwt-keys", ["iss": .string(issuer), "key": .string(publicKey)])
                let c = try await f.connection(auth: peer.auth(grant: "jwt_bearer", revocation: false, scopes: []))
                let (_, connection) = try await f.vault.put(
                    connectionId: c.id,
                    body: [
                        "type": "oauth2",
                        "assertion": [
                            "algorithm": .string(algorithm.rawValue), "key": .string(privateKey),
                            "claims": ["iss": .string(issuer), "sub": "user-1"],
                        ],
                    ])
                #expect(connection.status == .connected)
                let token = try await f.vault.credentials(for: c, definition: try await f.definition(of: c))?["accessToken"]
                #expect(token?.hasPrefix("at-") == true)
                #expect(try await peer.stats()["by_grant"]?["urn:ietf:params:oauth:grant-type:jwt-bearer"] == 1)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func refreshRotationInvalidGrantAndRevocation(_ backend: TestBackend) async throws {
        try await withOAuthPeer { peer in
            try await withVault(backend) { f in
                let c = try await f.connection(auth: peer.auth())
                try await Self.connect(f, peer, c)
                let d = try await f.definition(of: c)
                let before = try #require(try await f.vault.credentials(for: c, definition: d))
                // Before expiry by the margin: refreshed, the rotated refresh token saved.
                f.clock.advance(milliseconds: 3_600_000 - 30_000)
                let after = try #require(try await f.vault.credentials(for: c, definition: d))
                #expect(after["accessToken"] != before["accessToken"])
                #expect(after["refreshToken"] != before["refreshToken"])
                // Another vault (no cache) reads the rotated tokens from the database.
                let fresh = f.makeVault()
                try await fresh.start()
                #expect(try await fresh.credentials(for: c, definition: d)?["refreshToken"] == after["refreshToken"])
                // Once on a 401: refreshed again.
                let again = try #require(try await f.vault.refreshAfterUnauthorized(connection: c, definition: d, rejected: after))
                #expect(again["accessToken"] != after["accessToken"])
                #expect(try await peer.stats()["by_grant"]?["refresh_token"] == 2)
                // Revocation on delete (RFC 7009).
                let revokedBefore = try await peer.stats()["revoked"]?.intValue ?? 0
                try await f.vault.connectionWillBeDeleted(c.id)
                #expect((try await peer.stats()["revoked"]?.intValue ?? 0) == revokedBefore + 2)
                #expect(try await f.vault.info(connectionId: c.id) == nil)

                // invalid_grant: the server forgot every token.
                let c2 = try await f.connection(auth: peer.auth())
                try await Self.connect(f, peer, c2)
                _ = try await peer.post("/test/revoke-all")
                f.clock.advance(milliseconds: 3_600_000)
                await #expect(throws: SwitchboardError.self) {
                    _ = try await f.vault.credentials(for: c2, definition: try await f.definition(of: c2))
                }
                #expect(try await f.reload(c2).status == .authError)
                #expect(
                    f.events.events.contains {
                        $0.type == "integration.auth.failed" && $0.connectionId == c2.id && $0.payload["reason"] == "invalid_grant"
                    })
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func fiftyConcurrentCallersCauseOneRefresh(_ backend: TestBackend) async throws {
        try await withOAuthPeer { peer in
            try await withVault(backend) { f in
                let c = try await f.connection(auth: peer.auth())
                try await Self.connect(f, peer, c)
                let d = try await f.definition(of: c)
                _ = try await peer.post("/test/reset")
                f.clock.advance(milliseconds: 3_600_000)
                let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
                    for _ in 0..<50 { group.addTask { try await f.vault.credentials(for: c, definition: d)?["accessToken"] } }
                    var out: [String?] = []
                    for try await t in group { out.append(t) }
                    return out
                }
                #expect(tokens.count == 50)
                #expect(Set(tokens).count == 1)
                #expect(try await peer.stats()["token_requests"] == 1)
            }
        }
    }

    @Test func twoNodesOnPostgreSQLCauseOneRefresh() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        try await withOAuthPeer { peer in
            try await withVault(.postgres) { f in
                let c = try await f.connection(auth: peer.auth())
                try await Self.connect(f, peer, c)
                let d = try await f.definition(of: c)
                _ = try await peer.post("/test/reset")
                f.clock.advance(milliseconds: 3_600_000)
                // A second node: its own PostgreSQL client, its own vault (own cache and single-flight map).
                try await TestBackend.withDatabase(at: f.location) { db2, _ in
                    let node2 = f.makeVault(database: db2)
                    try await node2.start()
                    let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
                        for i in 0..<50 {
                            let v = i % 2 == 0 ? f.vault : node2
                            group.addTask { try await v.credentials(for: c, definition: d)?["accessToken"] }
                        }
                        var out: [String?] = []
                        for try await t in group { out.append(t) }
                        return out
                    }
                    #expect(Set(tokens).count == 1)
                    #expect(try await peer.stats()["token_requests"] == 1)
                }
            }
        }
    }
}

/// A P-256 key pair in PEM, for the JWT bearer grant.
struct ES256Key {
    let privatePEM: String
    let publicPEM: String
    init() {
        let k = P256.Signing.PrivateKey()
        privatePEM = k.pemRepresentation
        publicPEM = k.publicKey.pemRepresentation
    }
}
