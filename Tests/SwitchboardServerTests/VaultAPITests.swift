import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import JSONValue
import SwitchboardServer
import SwitchboardTestSupport
import Testing

@Suite("Vault API")
struct VaultAPITests {
    /// Creates a definition with `auth` and a connection of it; returns the connection id.
    static func connection(_ client: some TestClientProtocol, auth: JSON) async throws -> String {
        let key = "vault" + String(UUID().uuidString.prefix(6)).lowercased()
        let r = try await client.call(.post, "/v1/definitions?publish=true", json: definition(key, extra: ["auth": auth]))
        #expect(r.status == 201, "\(r.body)")
        let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": .string(key), "name": "v"])
        #expect(c.status == 201, "\(c.body)")
        return try #require(c.body["id"]?.stringValue)
    }

    /// PUTs each case's credentials on a new connection with the case's auth, and expects a 422 VALIDATION_ERROR whose
    /// one problem names `path` and says `rule`, an answer without `hidden` (the value is never echoed), and nothing stored.
    static func expectRefused(
        _ client: some TestClientProtocol, _ cases: [(auth: JSON, body: JSON, path: String)], rule: String, hidden: String? = nil
    ) async throws {
        for (auth, body, path) in cases {
            let id = try await connection(client, auth: auth)
            let r = try await client.call(.put, "/v1/connections/\(id)/credentials", json: body)
            #expect(r.status == 422, "\(path): \(r.body)")
            #expect(r.body["error"]?["code"] == "VALIDATION_ERROR")
            #expect(r.body["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == [path], "\(r.body)")
            #expect(r.body["error"]?["details"]?[0]?["message"]?.stringValue?.contains(rule) == true, "\(r.body)")
            if let hidden { #expect(!r.body.serialized().contains(hidden), "\(r.body)") }
            #expect(try await client.call(.get, "/v1/connections/\(id)/credentials").status == 404)
            #expect(try await client.call(.get, "/v1/connections/\(id)").body["status"] == "PENDING_AUTHENTICATION")
        }
    }

    @Test func vaultRoutesAreDocumented() {
        let operations = OpenAPIDocument().operations
        for op in [
            "PUT /v1/connections/{id}/credentials", "GET /v1/connections/{id}/credentials", "DELETE /v1/connections/{id}/credentials",
            "POST /v1/connections/{id}/oauth/authorize", "GET /v1/oauth/callback", "GET /v1/audit",
        ] {
            #expect(operations.contains(op), "\(op) is not in the OpenAPI document")
        }
    }

    @Test(arguments: TestBackend.available)
    func credentialsLifecycle(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await Self.connection(client, auth: ["type": "basic"])
            #expect(try await client.call(.get, "/v1/connections/\(id)").body["status"] == "PENDING_AUTHENTICATION")
            let bad = try await client.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "basic", "username": "u"])
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["details"]?[0]?["path"] == "/password")
            let put = try await client.call(
                .put, "/v1/connections/\(id)/credentials", json: ["type": "basic", "username": "u", "password": "pw-API-SECRET-1"])
            #expect(put.status == 200)
            #expect(put.body["connectionStatus"] == "CONNECTED")
            let get = try await client.call(.get, "/v1/connections/\(id)/credentials")
            #expect(get.status == 200)
            #expect(get.body["type"] == "basic")
            #expect(get.body["fields"] == ["password", "username"])
            #expect(get.body["fingerprint"]?.stringValue?.count == 12)
            #expect(!get.body.serialized().contains("pw-API-SECRET-1"))
            #expect(!put.body.serialized().contains("pw-API-SECRET-1"))
            #expect(try await client.call(.get, "/v1/connections/\(id)").body["status"] == "CONNECTED")
            let audit = try await client.call(.get, "/v1/audit?connectionId=\(id)")
            #expect(audit.status == 200)
            #expect(audit.body["items"]?[0]?["action"] == "credentials.set")
            #expect(!audit.body.serialized().contains("pw-API-SECRET-1"))
            #expect(try await client.call(.get, "/v1/audit?since=yesterday").status == 400)
            // Microseconds (Python's isoformat) are read to the millisecond: the parse used to stop the server.
            #expect(try await client.call(.get, "/v1/audit?since=2020-01-01T00:00:00.123456Z").body["items"]?[0]?["action"] == "credentials.set")
            #expect(try await client.call(.get, "/v1/executions?since=2020-01-01T00:00:00.1234Z").status == 200)
            #expect(try await client.call(.get, "/v1/events?since=2020-01-01T00:00:00.1234Z").status == 200)
            #expect(try await client.call(.delete, "/v1/connections/\(id)/credentials").status == 204)
            #expect(try await client.call(.get, "/v1/connections/\(id)/credentials").status == 404)
            #expect(try await client.call(.get, "/v1/connections/conn_nope/credentials").status == 404)
            let actions = try await client.call(.get, "/v1/audit?connectionId=\(id)&action=credentials.deleted")
            #expect(actions.body["items"]?.arrayValue?.count == 1)
        }
    }

    /// Deleting the credentials of a connection whose definition needs auth moves it to PENDING_AUTHENTICATION (it stayed
    /// CONNECTED, and calls answered "has no credentials"), with an event and the status in the audit entry; the
    /// execution cache sees the new status at once.
    @Test(arguments: TestBackend.available)
    func deletingCredentialsMovesTheConnectionToPendingAuthentication(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            // Port 9 (discard) refuses: the first call fails upstream, after the connection was read (and cached).
            let document = definition("vaultdel", extra: ["auth": ["type": "bearer"], "baseUrl": "http://127.0.0.1:9"])
            let d = try await client.call(.post, "/v1/definitions?publish=true", json: document)
            #expect(d.status == 201, "\(d.body)")
            let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "vaultdel", "name": "w"])
            let cid = try #require(c.body["id"]?.stringValue)
            let put = try await client.call(.put, "/v1/connections/\(cid)/credentials", json: ["type": "bearer", "token": "tok-1"])
            #expect(put.body["connectionStatus"] == "CONNECTED")
            let before = try await client.call(.post, "/v1/connections/\(cid)/methods/ping", json: [:])
            #expect(before.body["error"]?["code"] != "CONNECTION_NOT_USABLE", "\(before.body)")
            let version = try await client.call(.get, "/v1/connections/\(cid)").body["version"]?.intValue ?? 0

            #expect(try await client.call(.delete, "/v1/connections/\(cid)/credentials").status == 204)
            let after = try await client.call(.get, "/v1/connections/\(cid)").body
            #expect(after["status"] == "PENDING_AUTHENTICATION")
            #expect(after["version"]?.intValue == version + 1)
            let call = try await client.call(.post, "/v1/connections/\(cid)/methods/ping", json: [:])
            #expect(call.status == 409)
            #expect(call.body["error"]?["message"]?.stringValue?.contains("PENDING_AUTHENTICATION") == true, "\(call.body)")
            let events = try await client.call(.get, "/v1/events?type=integration.credentials.deleted&connectionId=\(cid)").body
            #expect(events["items"]?[0]?["payload"]?["connectionStatus"] == "PENDING_AUTHENTICATION", "\(events)")
            let audit = try await client.call(.get, "/v1/audit?connectionId=\(cid)&action=credentials.deleted").body
            #expect(audit["items"]?[0]?["details"]?["connectionStatus"] == "PENDING_AUTHENTICATION", "\(audit)")

            // New credentials connect it again.
            let again = try await client.call(.put, "/v1/connections/\(cid)/credentials", json: ["type": "bearer", "token": "tok-2"])
            #expect(again.body["connectionStatus"] == "CONNECTED")
        }
    }

    /// A credential may not name a header the HTTP client computes (Content-Length, Transfer-Encoding, Connection...):
    /// refused at PUT (422) for custom `values.headers` and an API key's header name, where before it was stored and
    /// sent (a `Content-Length` on a GET made the upstream wait for a body).
    @Test(arguments: TestBackend.available)
    func credentialsMayNotSetFramingHeaders(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let cases: [(auth: JSON, body: JSON, path: String)] = [
                (["type": "custom"], ["type": "custom", "values": ["headers": ["Content-Length": "5"]]], "/values/headers/Content-Length"),
                (["type": "custom"], ["type": "custom", "values": ["headers": ["transfer-encoding": "x"]]], "/values/headers/transfer-encoding"),
                (["type": "api_key"], ["type": "api_key", "key": "key-1", "name": "Connection"], "/name"),
                (["type": "api_key"], ["type": "api_key", "key": "key-1", "in": "header", "name": "Upgrade"], "/name"),
            ]
            try await Self.expectRefused(client, cases, rule: "is set by the HTTP client")
            // Host may be set (virtual hosting); a query parameter may have any name.
            let custom = try await Self.connection(client, auth: ["type": "custom"])
            let host = try await client.call(
                .put, "/v1/connections/\(custom)/credentials", json: ["type": "custom", "values": ["headers": ["Host": "api.example.test"]]])
            #expect(host.status == 200, "\(host.body)")
            let key = try await Self.connection(client, auth: ["type": "api_key"])
            let query = try await client.call(
                .put, "/v1/connections/\(key)/credentials", json: ["type": "api_key", "key": "key-1", "in": "query", "name": "te"])
            #expect(query.status == 200, "\(query.body)")
        }
    }

    /// A credential value that goes into an HTTP header is refused at PUT (422, with its path and without the value) when
    /// it holds a line break or another control character; before, it was stored and every call failed.
    @Test(arguments: TestBackend.available)
    func headerBoundCredentialsRefuseControlCharacters(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let cases: [(auth: JSON, body: JSON, path: String)] = [
                (["type": "bearer"], ["type": "bearer", "token": "TOK\r\nX-Injected: yes"], "/token"),
                (["type": "bearer"], ["type": "bearer", "token": "TOK\u{0}X-Injected"], "/token"),
                (["type": "api_key"], ["type": "api_key", "key": "KEY\r\nX-Injected: yes"], "/key"),
                (["type": "api_key"], ["type": "api_key", "key": "key-1", "name": "X-Key\r\nX-Injected"], "/name"),
                (["type": "basic"], ["type": "basic", "username": "u", "password": "PW\nX-Injected: yes"], "/password"),
                (["type": "basic"], ["type": "basic", "username": "U\r\nX-Injected", "password": "pass"], "/username"),
                (["type": "jwt"], ["type": "jwt", "token": "a.b.c\r\nX-Injected: yes"], "/token"),
                (
                    ["type": "oauth2", "oauth2": ["authorizationUrl": "http://127.0.0.1:9/authorize", "tokenUrl": "http://127.0.0.1:9/token"]],
                    ["type": "oauth2", "accessToken": "AT\r\nX-Injected: yes"], "/accessToken"
                ),
                (["type": "custom"], ["type": "custom", "values": ["headers": ["X-Api": "V\r\nX-Injected: yes"]]], "/values/headers/X-Api"),
            ]
            try await Self.expectRefused(client, cases, rule: "must not contain", hidden: "Injected")  // (NUL has a message of its own)
            // A tab is not a line break: header values may hold one.
            let id = try await Self.connection(client, auth: ["type": "bearer"])
            #expect(try await client.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "bearer", "token": "a\tbcd"]).status == 200)
        }
    }

    /// A credential value that goes into an HTTP header is refused at PUT (422, with its path, saying why, and without the
    /// value) when it holds a non-ASCII character: sent as UTF-8, a provider that echoed it back (httpbin reads the bytes
    /// as Latin-1) returned something the redactor did not recognise, and the secret reached the caller. Basic
    /// credentials (base64 of UTF-8) and an api_key sent in the query (percent-encoded; its `in`, else the definition's)
    /// may hold such characters.
    @Test(arguments: TestBackend.available)
    func headerBoundCredentialsRefuseNonASCII(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let oauth2: JSON = [
                "type": "oauth2", "oauth2": ["authorizationUrl": "http://127.0.0.1:9/authorize", "tokenUrl": "http://127.0.0.1:9/token"],
            ]
            let cases: [(auth: JSON, body: JSON, path: String)] = [
                (["type": "api_key"], ["type": "api_key", "key": "clé-Secret-ü"], "/key"),
                (["type": "api_key", "apiKey": ["in": "query"]], ["type": "api_key", "key": "clé-Secret-ü", "in": "header"], "/key"),
                (["type": "api_key"], ["type": "api_key", "key": "key-1", "name": "X-Clé-Secret"], "/name"),
                (["type": "bearer"], ["type": "bearer", "token": "tøken-Secret"], "/token"),
                (["type": "bearer"], ["type": "bearer", "token": "Secret-\u{85}"], "/token"),  // a C1 control: not ASCII
                (["type": "jwt"], ["type": "jwt", "token": "a.b.Secret-ç"], "/token"),
                (oauth2, ["type": "oauth2", "accessToken": "AT-Secret-é"], "/accessToken"),
                (oauth2, ["type": "oauth2", "accessToken": "at-1", "tokenType": "Bëarer-Secret"], "/tokenType"),
                (["type": "custom"], ["type": "custom", "values": ["headers": ["X-Api": "vé-Secret"]]], "/values/headers/X-Api"),
            ]
            try await Self.expectRefused(client, cases, rule: "only visible ASCII characters", hidden: "Secret")
            // A custom header's name is checked too, and named by its path.
            let custom = try await Self.connection(client, auth: ["type": "custom"])
            let named = try await client.call(
                .put, "/v1/connections/\(custom)/credentials", json: ["type": "custom", "values": ["headers": ["X-Ä": "v"]]])
            #expect(named.status == 422, "\(named.body)")
            #expect(named.body["error"]?["details"]?[0]?["path"] == "/values/headers/X-Ä", "\(named.body)")
            let nameRule =
                "the header name must hold only visible ASCII characters, spaces and tabs (no accented letters or other non-ASCII characters)"
            #expect(named.body["error"]?["details"]?[0]?["message"] == .string(nameRule), "\(named.body)")
            // Accepted: basic (base64 of UTF-8, RFC 7617), an api_key sent in the query, custom values outside headers,
            // and every visible ASCII character with a space and a tab.
            let accepted: [(auth: JSON, body: JSON)] = [
                (["type": "basic"], ["type": "basic", "username": "José", "password": "pässwörd"]),
                (["type": "api_key"], ["type": "api_key", "key": "clé-ü", "in": "query"]),
                (["type": "api_key", "apiKey": ["in": "query"]], ["type": "api_key", "key": "clé-ü"]),
                (["type": "custom"], ["type": "custom", "values": ["note": "café", "headers": ["X-Api": "v"]]]),
                (["type": "bearer"], ["type": "bearer", "token": .string(String(decoding: Array(UInt8(0x20)...UInt8(0x7E)), as: UTF8.self) + "\t")]),
            ]
            for (auth, body) in accepted {
                let id = try await Self.connection(client, auth: auth)
                let r = try await client.call(.put, "/v1/connections/\(id)/credentials", json: body)
                #expect(r.status == 200, "\(body["type"]!): \(r.body)")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func oauthAuthorizeAndCallback(_ backend: TestBackend) async throws {
        let peer = try await PeerProcess.start(script: "oauth_server.py", arguments: ["--port", "0"])
        defer { peer.stop() }
        try await withApp(backend) { client in
            let auth: JSON = [
                "type": "oauth2",
                "oauth2": [
                    "authorizationUrl": .string(peer.baseURL + "/authorize"), "tokenUrl": .string(peer.baseURL + "/token"),
                    "revocationUrl": .string(peer.baseURL + "/revoke"), "scopes": ["read"],
                ],
            ]
            let id = try await Self.connection(client, auth: auth)
            #expect(
                try await client.call(.post, "/v1/connections/\(id)/oauth/authorize", json: ["redirectUri": "http://127.0.0.1:9/cb"]).status == 409)
            _ = try await client.call(
                .put, "/v1/connections/\(id)/credentials", json: ["type": "oauth2", "clientId": "web-client", "clientSecret": "web-secret-Q8f3"])
            #expect(try await client.call(.post, "/v1/connections/\(id)/oauth/authorize", json: ["redirectUri": "ftp://x"]).status == 422)
            let r = try await client.call(
                .post, "/v1/connections/\(id)/oauth/authorize", json: ["redirectUri": "http://127.0.0.1:9/v1/oauth/callback"])
            #expect(r.status == 200, "\(r.body)")
            let url = try #require(r.body["authorizationUrl"]?.stringValue)
            // The browser: the provider redirects to our callback.
            let location = try await Self.redirectLocation(url)
            let callback = try #require(URLComponents(string: location))
            let answer = try await client.call(
                .get, "/v1/oauth/callback?" + (callback.percentEncodedQuery ?? ""), headers: [.accept: "application/json"])
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body["connected"] == true)
            #expect(try await client.call(.get, "/v1/connections/\(id)").body["status"] == "CONNECTED")
            // Replayed: refused, HTML page.
            let replay = try await client.call(.get, "/v1/oauth/callback?" + (callback.percentEncodedQuery ?? ""))
            #expect(replay.status == 400)
            #expect(replay.body.stringValue?.contains("invalid_state") == true)
            // Deleting the connection revokes its tokens.
            #expect(try await client.call(.delete, "/v1/connections/\(id)").status == 204)
            let revoked = try await client.call(.get, "/v1/audit?connectionId=\(id)&action=oauth.revoked")
            #expect(revoked.body["items"]?.arrayValue?.count == 1)
        }
    }

    /// GETs `url` without following redirects and returns the Location.
    static func redirectLocation(_ url: String) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            try await http.shutdown()
            #expect(response.status.code == 302)
            return try #require(response.headers.first(name: "location"))
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
