import AsyncHTTPClient
import Foundation
import JSONValue
import Logging
import NIOCore
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Synchronization
import Testing

@testable import SwitchboardVault

/// A database with one definition and connection, and a vault over it with a manual clock, a recording event sink and
/// captured logs.
struct VaultFixture: Sendable {
    let db: any SQLDatabase
    let location: StoreLocation
    let store: Store
    let clock: ManualWallClock
    let events: RecordingEventSink
    let logs: CapturedLogs
    let keys: KeyRing
    let vault: Vault

    func makeVault(database: (any SQLDatabase)? = nil, keys: KeyRing? = nil) -> Vault {
        let database = database ?? db
        let s = Store(database: database, clock: clock)
        return Vault(
            database: database, connections: s.connections, definitions: s.definitions, keys: keys ?? self.keys, clock: clock,
            logger: logs.logger, events: events)
    }

    /// Imports a definition (auth settings as given) and creates a connection of it; returns the connection.
    func connection(auth: JSON = ["type": "basic"], key: String? = nil) async throws -> Connection {
        let k = key ?? "def" + String(Identifier.make().suffix(8))
        let doc: JSON = [
            "key": .string(k), "name": "Test", "version": "1.0.0", "type": "rest_api", "baseUrl": "http://127.0.0.1:9",
            "auth": auth, "methods": [["name": "ping", "verb": "GET", "path": "/ping"]],
        ]
        let definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(doc)
        _ = try await store.definitions.create(definition)
        let now = clock.now()
        return try await store.connections.create(
            Connection(
                id: Identifier.make(prefix: "conn_", now: now), name: "c", definitionKey: definition.key, definitionVersion: definition.version,
                status: .pendingAuthentication, config: [:], metadata: [:], createdAt: now, updatedAt: now))
    }

    func definition(of c: Connection) async throws -> IntegrationDefinition {
        try #require(try await store.definitions.version(key: c.definitionKey, version: c.definitionVersion))
    }

    func reload(_ c: Connection) async throws -> Connection { try #require(try await store.connections.get(id: c.id)) }
}

/// Runs `body` on a fresh, migrated database of `backend` with a started vault.
func withVault(_ backend: TestBackend, _ body: @Sendable (VaultFixture) async throws -> Void) async throws {
    try await backend.withDatabase { db, location in
        let clock = ManualWallClock(SystemWallClock().now())
        let logs = CapturedLogs()
        let keys = KeyRing([MasterKey.generate(source: "test")])
        let store = Store(database: db, clock: clock)
        let events = RecordingEventSink()
        let vault = Vault(
            database: db, connections: store.connections, definitions: store.definitions, keys: keys, clock: clock, logger: logs.logger,
            events: events)
        try await vault.start()
        let f = VaultFixture(db: db, location: location, store: store, clock: clock, events: events, logs: logs, keys: keys, vault: vault)
        try await body(f)
        await vault.audit.flush()
    }
}

/// The Authlib authorization server of Tests/peers/oauth_server.py.
final class OAuthPeer: Sendable {
    let process: PeerProcess
    let http: HTTPClient

    private init(process: PeerProcess) {
        self.process = process
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    }

    static func start() async throws -> OAuthPeer {
        OAuthPeer(process: try await PeerProcess.start(script: "oauth_server.py", arguments: ["--port", "0"]))
    }

    var base: String { process.baseURL }

    func shutdown() async {
        try? await http.shutdown()
        process.stop()
    }

    /// A definition's `auth` for this server.
    func auth(grant: String = "authorization_code", clientAuth: String = "client_secret_post", revocation: Bool = true, scopes: [String] = ["read"])
        -> JSON
    {
        var o: JSONObject = [
            "grantType": .string(grant), "tokenUrl": .string(base + "/token"), "clientAuthMethod": .string(clientAuth),
            "scopes": .array(scopes.map(JSON.string)),
        ]
        if grant == "authorization_code" { o["authorizationUrl"] = .string(base + "/authorize") }
        if revocation { o["revocationUrl"] = .string(base + "/revoke") }
        return ["type": "oauth2", "oauth2": .object(o)]
    }

    func get(_ url: String) async throws -> (status: Int, location: String?, body: JSON) {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "location"), (try? JSON(parsing: Array(body.readableBytesView))) ?? .null)
    }

    func post(_ path: String, _ json: JSON = [:]) async throws -> JSON {
        var r = HTTPClientRequest(url: base + path)
        r.method = .POST
        r.headers.add(name: "Content-Type", value: "application/json")
        r.body = .bytes(ByteBuffer(bytes: json.serializedBytes()))
        let response = try await http.execute(r, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try? JSON(parsing: Array(body.readableBytesView))) ?? .null
    }

    func stats() async throws -> JSON { try await get(base + "/test/stats").body }

    /// Follows an authorization URL like a browser: the server redirects to the redirect URI with code and state.
    func follow(_ authorizationURL: String) async throws -> [String: String] {
        let r = try await get(authorizationURL)
        #expect(r.status == 302, "the authorization endpoint answered \(r.status)")
        let location = try #require(r.location)
        return queryItems(location)
    }
}

func queryItems(_ url: String) -> [String: String] {
    var out: [String: String] = [:]
    for item in URLComponents(string: url)?.queryItems ?? [] { out[item.name] = item.value ?? "" }
    return out
}

/// Starts the Authlib peer for a test, stopping it afterwards.
func withOAuthPeer(_ body: @Sendable (OAuthPeer) async throws -> Void) async throws {
    let peer = try await OAuthPeer.start()
    do {
        try await body(peer)
    } catch {
        await peer.shutdown()
        throw error
    }
    await peer.shutdown()
}

enum TestKeys {
    static let rsaPrivate = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDOpX1akIC71CMv
        grillOUwHJvwdAY2iX5L8tJ5453ltpWakge9TDhc0meN19WgYpIMLiqB1nXa1EAf
        ehM7grG0fZ67JPQRp1JMOQYYS2vDHqEJU1NrDAZKp4Pfz7S03iTD2bclOIa6UZPU
        CckXfuF7yTJ+bj3mVgI7O1xT1F/4mHgqniWFtj2sDZEAYHfDfZKAwLxVmQc7xHVx
        1kzF7d1xcnmWzdV7brvBiKUrjsE4YIx5+5sOzFv68jPpKgXZ9mkHm44W9fBw8JZg
        X6xD5MEbU3qa7FsDcS46q0RMb9uIyYmzQNAIV2dJJVCDkdQ8E7oisJDf7qvhwr9N
        lCuVp4clAgMBAAECggEAMMloUWfZRL7+OZrKnikLfPLcLAYwa1LFsweWgnlnD1Mu
        ecotMpdanSt9kELbKBztbxu9JF8t/uZqZyQKg1vFOaAIyBUe3EYdC2rREg5IWE4U
        Zd+6y4SQvbJT05S1jJf/pQ9zCkIQqM9Wr9JJnBb0BCYJmkjLq2Q17acDkrUKnWVx
        Af3cKAuEico3YXSSaT7jpsh5Zfi/EyzPKCBnLSEwbpg5/lZZyB0UHCaGRxqOyXis
        4PMrgI0icRP0AOmkuBdNLvdQDtTkHOV19rHJKBYYxolMYYb8d9Bt1WlUnBniMMXx
        8cc4J+kduE7K6WrUJujQuVaPBIZJLV2abBxdA8Ga4QKBgQDyz0HIiMChv//ATWQs
        yMuA7ictMwblgpBRxGyM6PcQm1JdrYfPusVKUrCs4cKVgvshL1BJveWEuhnAuAhd
        w6ScZuBo3/ukMHkG2itrG3AJm3c49+/+1iIJUSuzO1GitpL8FQzJxV4WLI8Ui11e
        y3HpOcfNBvkRWOjwnmTaj0C8NQKBgQDZ31Au7VRORv30HKdu7WeTBYwpnOOiTtfL
        JMEyE3my3zKwKn15Ak7zv+wsUDyIbdIu7oKTPwFpuhnPwgJzGst0J5whZgzrtESF
        J+pho5ER3EQDtbWNwkL22iQxoja6sTxXK98ICcFO53NpIIF383D0fQLvIQ0i4iaB
        6OQIUFudMQKBgQCxPlnm6Oy1JlKrLdNSXcEv/KjcdcMzBnwTNC+JLQYtOTSG7YWW
        PeCGwJX3nVVNjq+DKeaR7ez9Vlw2MiDpUUd4ZCCsbdRjpn6yYdAP/5dpa/M7wsGO
        ZQGzi207CLIu9NeW7EbJgymLRjur44/lAt3EQkl3gP+PijeAbh9w6+F1gQKBgQCV
        KPH4brs9LBVJPyTSKO60FSQ0iRi/UkMi7PLnmbXD5FMLkMt+QTpUXp0OaZBHxwgS
        4W+753LMM4DgX+7VZw7LYyLdKsTFyhDvKLiqSBVVqPtXntvBRbIa1pXY9TmK7zRk
        acCz/BnAL20wF/ULbjty5vNPS812iGXcotkbaAiQwQKBgH1/Z7LOqoAwrSLLYZiR
        U1b/IUWIh4k0ppKRGYVz7satk4AphgH04kh/Ne5BGeVOmYdBbv3u4iiwrai6sCpm
        7fu+gFjkPUAc9UJ+d0FXoVgL/XwKyWd1GxXgOONMsFObUqWcn3HnpPpRnS3cI0XN
        rZYCrBXH4jQQLxGtxqVZZLNL
        -----END PRIVATE KEY-----
        """
    static let rsaPublic = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzqV9WpCAu9QjL4K4pZTl
        MByb8HQGNol+S/LSeeOd5baVmpIHvUw4XNJnjdfVoGKSDC4qgdZ12tRAH3oTO4Kx
        tH2euyT0EadSTDkGGEtrwx6hCVNTawwGSqeD38+0tN4kw9m3JTiGulGT1AnJF37h
        e8kyfm495lYCOztcU9Rf+Jh4Kp4lhbY9rA2RAGB3w32SgMC8VZkHO8R1cdZMxe3d
        cXJ5ls3Ve267wYilK47BOGCMefubDsxb+vIz6SoF2fZpB5uOFvXwcPCWYF+sQ+TB
        G1N6muxbA3EuOqtETG/biMmJs0DQCFdnSSVQg5HUPBO6IrCQ3+6r4cK/TZQrlaeH
        JQIDAQAB
        -----END PUBLIC KEY-----
        """
}
