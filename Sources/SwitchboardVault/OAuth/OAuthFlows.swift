import Crypto
import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore

extension Vault {
    // MARK: - Refresh (single-flight)

    /// Obtains a new access token (refresh token, client credentials or JWT bearer grant), once per connection at a time:
    /// concurrent callers in this process share one in-flight request; across processes on PostgreSQL an advisory lock
    /// serializes refreshes and the winner's token is re-read by the others.
    ///
    /// `rejectedAccessToken` is the token the caller saw: if the stored token already differs (someone else refreshed)
    /// and is not about to expire, it is used without a request.
    func refresh(connection: Connection, definition: IntegrationDefinition, rejectedAccessToken: String?) async throws -> CredentialDocument {
        let id = connection.id
        let task = inflightTask(id) {
            try await self.performRefresh(connectionId: id, definition: definition, rejectedAccessToken: rejectedAccessToken)
        }
        return try await task.value
    }

    func performRefresh(connectionId: String, definition: IntegrationDefinition, rejectedAccessToken: String?) async throws -> CredentialDocument {
        guard let settings = definition.auth.oauth2 else {
            throw SwitchboardError.conflict("the definition has no oauth2 settings", code: "OAUTH_NOT_CONFIGURED")
        }
        let outcome: (CredentialDocument, Bool) = try await withRefreshLock(connectionId) { exec in
            guard let row = try await CredentialRecords.get(exec, connectionId: connectionId, forUpdate: true) else {
                throw VaultErrors.noCredentials(connectionId)
            }
            var document = try self.open(row)
            if let current = document.string("accessToken"), current != rejectedAccessToken, !self.expiresSoon(document) {
                self.remember(CacheEntry(row: row, document: document, loadedAt: self.clock.now()))
                return (document, false)
            }
            let response = try await self.requestToken(document, settings: settings, connectionId: connectionId)
            document.apply(response, now: self.clock.now())
            try await self.write(document, connectionId: connectionId, on: exec)
            return (document, true)
        }
        if outcome.1 {
            recordAudit(connectionId, "credentials.refreshed", actor: "oauth", ["grant": .string(outcome.0.string("refreshGrant") ?? "")])
            emit("integration.credentials.refreshed", connectionId)
            if let c = try await connections.get(id: connectionId), c.status == .authError || c.status == .pendingAuthentication {
                try await setStatus(connectionId, .connected)
            }
        }
        return outcome.0
    }

    /// The token request for a document: refresh token if there is one, else the definition's grant.
    func requestToken(_ document: CredentialDocument, settings: OAuth2Settings, connectionId: String) async throws -> TokenResponse {
        var form: [(String, String)]
        var stage = "refresh"
        if let refreshToken = document.string("refreshToken") {
            form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        } else {
            switch settings.grantType {
            case .clientCredentials:
                stage = "client_credentials"
                form = [("grant_type", "client_credentials")]
                if !settings.scopes.isEmpty { form.append(("scope", settings.scopes.joined(separator: " "))) }
            case .jwtBearer:
                stage = "jwt_bearer"
                var claims: JSONObject = ["aud": .string(settings.tokenURL)]
                if let clientId = document.string("clientId") {
                    claims["iss"] = .string(clientId)
                    claims["sub"] = .string(clientId)
                }
                if !settings.scopes.isEmpty { claims["scope"] = .string(settings.scopes.joined(separator: " ")) }
                let assertion = try await JWTSigning.sign(document: document, prefix: "assertion", extraClaims: claims, now: clock.now()).token
                form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]
                if !settings.scopes.isEmpty { form.append(("scope", settings.scopes.joined(separator: " "))) }
            case .authorizationCode:
                throw VaultErrors.oauth("connection \(connectionId) has no refresh token: authorize it again", code: "OAUTH_REAUTHORIZE", status: 409)
            }
        }
        do {
            return try await tokens.token(
                url: settings.tokenURL, form: form, clientId: document.string("clientId"), clientSecret: document.string("clientSecret"),
                method: settings.clientAuthMethod)
        } catch let e as OAuthErrorResponse {
            if ["invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type"].contains(e.error) || e.status == 401 {
                await authFailed(connectionId, reason: e.error, stage: stage)
                throw VaultErrors.oauth("the authorization server refused the \(stage) grant: \(e.error)", code: "OAUTH_GRANT_REFUSED", status: 409)
            }
            throw VaultErrors.oauth("the token request failed: \(e.error)")
        }
    }

    func inflightTask(_ id: String, _ work: @escaping @Sendable () async throws -> CredentialDocument) -> Task<CredentialDocument, any Error> {
        inflightMap { m in
            if let t = m[id] { return t }
            let t = Task<CredentialDocument, any Error> {
                defer { self.inflightMap { $0[id] = nil } }
                return try await work()
            }
            m[id] = t
            return t
        }
    }

    /// Runs `body` holding the cross-process refresh lock of a connection: on PostgreSQL a transaction-scoped advisory
    /// lock (and the row locked FOR UPDATE); on SQLite (one process) the in-process single-flight is enough.
    func withRefreshLock<T: Sendable>(_ connectionId: String, _ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        guard db.dialect == .postgres else { return try await body(db) }
        let digest = SHA256.hash(data: Array("switchboard.vault.refresh|\(connectionId)".utf8))
        var key: Int64 = 0
        for b in digest.prefix(8) { key = key << 8 | Int64(b) }
        let lockKey = key
        return try await db.transaction { tx in
            try await tx.execute("SELECT pg_advisory_xact_lock(?)", [.int(lockKey)])
            return try await body(tx)
        }
    }

    // MARK: - Authorization code with PKCE

    /// Starts the authorization code flow: a random single-use `state` bound to the connection and redirect URI
    /// (stored hashed, expiring after the configured lifetime), a PKCE S256 challenge, and the URL to send the user to.
    public func authorize(connectionId: String, redirectURI: String?) async throws -> (url: String, state: String, expiresAt: Timestamp) {
        guard let connection = try await connections.get(id: connectionId) else {
            throw SwitchboardError.notFound("no connection with id '\(connectionId)'", code: "CONNECTION_NOT_FOUND")
        }
        let definition = try await definition(of: connection)
        guard let settings = definition.auth.oauth2, let authorizationURL = settings.authorizationURL, settings.grantType == .authorizationCode else {
            throw SwitchboardError.conflict(
                "definition '\(definition.key)' has no OAuth 2 authorization code settings (auth.oauth2.authorizationUrl)",
                code: "OAUTH_NOT_CONFIGURED")
        }
        guard let redirect = redirectURI ?? configuration.defaultRedirectURI else {
            throw SwitchboardError.validation(
                "a redirectUri is needed", problems: [Problem(path: "/redirectUri", message: "is required (the server has no default)")])
        }
        guard let r = URLComponents(string: redirect), r.scheme == "http" || r.scheme == "https", r.host != nil, r.fragment == nil else {
            throw SwitchboardError.validation(
                "invalid redirectUri", problems: [Problem(path: "/redirectUri", message: "must be an absolute http(s) URL without a fragment")])
        }
        let clientId = try await load(connectionId)?.document.string("clientId") ?? connection.config["clientId"]?.stringValue
        guard let clientId else {
            throw SwitchboardError.conflict(
                "connection \(connectionId) has no OAuth client id: PUT oauth2 credentials with clientId (and clientSecret) first",
                code: "OAUTH_CLIENT_MISSING")
        }
        let state = Self.randomToken()
        let verifier = Self.randomToken()
        let challenge = Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
        let now = clock.now()
        let expiresAt = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + configuration.stateLifetimeMilliseconds)
        let stateHash = Self.hashState(state)
        let sealed = try Envelope.seal(
            JSON.object(["verifier": .string(verifier)]).serializedBytes(), connectionId: connectionId, field: "oauth_state|" + stateHash,
            master: try primaryKey())
        try await db.execute(
            """
            INSERT INTO vault_oauth_states (state_hash, connection_id, redirect_uri, key_id, wrapped_key, ciphertext, expires_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(stateHash), .text(connectionId), .text(redirect), .text(sealed.keyId), .text(Data(sealed.wrappedKey).base64EncodedString()),
                .text(Data(sealed.ciphertext).base64EncodedString()), .timestamp(expiresAt), .timestamp(now),
            ])
        var query: [(String, String)] = [("response_type", "code"), ("client_id", clientId), ("redirect_uri", redirect), ("state", state)]
        if !settings.scopes.isEmpty { query.append(("scope", settings.scopes.joined(separator: " "))) }
        if settings.usePKCE { query += [("code_challenge", challenge), ("code_challenge_method", "S256")] }
        for (k, v) in settings.authorizationParameters.sorted(by: { $0.key < $1.key }) { query.append((k, v)) }
        let separator = authorizationURL.contains("?") ? "&" : "?"
        recordAudit(connectionId, "oauth.authorize", actor: "api", ["redirectUri": .string(redirect)])
        return (authorizationURL + separator + FormEncoding.encode(query), state, expiresAt)
    }

    /// What the callback did.
    public struct CallbackResult: Sendable {
        public var connectionId: String?
        public var status: ConnectionStatus?
        /// Set on failure: an OAuth error code (`access_denied`, `invalid_grant`) or ours (`invalid_state`, `expired_state`).
        public var error: String?
        public var succeeded: Bool { error == nil }
    }

    /// Completes the authorization code flow from the callback's query parameters. The state is consumed whatever
    /// happens; on failure the connection (if the state named one) moves to AUTH_ERROR with `integration.auth.failed`.
    public func completeAuthorization(query: [String: String]) async -> CallbackResult {
        guard let state = query["state"], !state.isEmpty else { return CallbackResult(error: "invalid_state") }
        let stateHash = Self.hashState(state)
        let row: SQLRow?
        do {
            row = try await db.first("DELETE FROM vault_oauth_states WHERE state_hash = ? RETURNING *", [.text(stateHash)])
        } catch {
            logger.warning("could not read the OAuth state", metadata: ["error": "\(error)"])
            return CallbackResult(error: "server_error")
        }
        guard let row, let connectionId = row.text("connection_id"), let redirect = row.text("redirect_uri") else {
            recordAudit(nil, "oauth.failed", actor: "oauth", ["reason": "invalid_state", "stage": "callback"])
            return CallbackResult(error: "invalid_state")
        }
        func fail(_ reason: String) async -> CallbackResult {
            await authFailed(connectionId, reason: reason, stage: "authorization")
            return CallbackResult(connectionId: connectionId, status: .authError, error: reason)
        }
        if (row.timestamp("expires_at")?.millisecondsSinceEpoch ?? 0) <= clock.now().millisecondsSinceEpoch { return await fail("expired_state") }
        if let error = query["error"] {
            let code = String(error.prefix(64).filter { $0.isLetter || $0.isNumber || $0 == "_" })
            return await fail(code.isEmpty ? "provider_error" : code)
        }
        guard let code = query["code"], !code.isEmpty else { return await fail("missing_code") }
        do {
            guard let keyId = row.text("key_id"), let w = row.text("wrapped_key").flatMap({ Data(base64Encoded: $0) }),
                let c = row.text("ciphertext").flatMap({ Data(base64Encoded: $0) })
            else { return await fail("server_error") }
            let plain = try Envelope.open(
                SealedRecord(keyId: keyId, wrappedKey: Array(w), ciphertext: Array(c)), connectionId: connectionId, field: "oauth_state|" + stateHash,
                keys: ring)
            guard let verifier = try JSON(parsing: plain)["verifier"]?.stringValue else { return await fail("server_error") }
            guard let connection = try await connections.get(id: connectionId) else {
                return CallbackResult(connectionId: connectionId, error: "connection_deleted")
            }
            let definition = try await definition(of: connection)
            guard let settings = definition.auth.oauth2 else { return await fail("not_configured") }
            var document = try await load(connectionId)?.document ?? CredentialDocument(type: .oauth2, values: [:])
            let clientId = document.string("clientId") ?? connection.config["clientId"]?.stringValue
            var form: [(String, String)] = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect)]
            if settings.usePKCE { form.append(("code_verifier", verifier)) }
            let response: TokenResponse
            do {
                response = try await tokens.token(
                    url: settings.tokenURL, form: form, clientId: clientId, clientSecret: document.string("clientSecret"),
                    method: settings.clientAuthMethod)
            } catch let e as OAuthErrorResponse {
                return await fail(e.error)
            }
            if document.type != .oauth2 { document = CredentialDocument(type: .oauth2, values: [:]) }
            if let clientId, document.string("clientId") == nil { document.values["clientId"] = .string(clientId) }
            document.values["refreshToken"] = nil
            document.apply(response, now: clock.now())
            try await write(document, connectionId: connectionId)
            recordAudit(connectionId, "oauth.connected", actor: "oauth", ["grant": "authorization_code"])
            let updated = try await setStatus(connectionId, .connected)
            emit("integration.connected", connectionId, ["grant": "authorization_code"])
            return CallbackResult(connectionId: connectionId, status: updated.status)
        } catch {
            logger.info("OAuth callback failed", metadata: ["connection.id": "\(connectionId)", "error": "\(error)"])
            return await fail((error as? SwitchboardError)?.code.lowercased() ?? "server_error")
        }
    }

    // MARK: - Revocation

    /// Revokes the refresh and access tokens (RFC 7009) if the definition has a revocation endpoint. Never throws.
    func revoke(connectionId: String) async {
        do {
            guard let entry = try await load(connectionId), entry.document.type == .oauth2,
                let connection = try await connections.get(id: connectionId), let definition = try? await definition(of: connection),
                let settings = definition.auth.oauth2, let url = settings.revocationURL
            else { return }
            let d = entry.document
            var revoked: [JSON] = []
            for (hint, token) in [("refresh_token", d.string("refreshToken")), ("access_token", d.string("accessToken"))] {
                guard let token else { continue }
                if try await tokens.revoke(
                    url: url, token: token, hint: hint, clientId: d.string("clientId"), clientSecret: d.string("clientSecret"),
                    method: settings.clientAuthMethod)
                {
                    revoked.append(.string(hint))
                }
            }
            recordAudit(connectionId, "oauth.revoked", actor: "api", ["tokens": .array(revoked)])
            emit("integration.credentials.revoked", connectionId, ["tokens": .array(revoked)])
        } catch {
            logger.warning("token revocation failed", metadata: ["connection.id": "\(connectionId)", "error": "\(error)"])
            recordAudit(connectionId, "oauth.revoke_failed", actor: "api")
        }
    }

    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    static func hashState(_ state: String) -> String {
        SHA256.hash(data: Array(state.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension CredentialDocument {
    /// Stores a token response: a rotated refresh token replaces the old one; one left out keeps it.
    mutating func apply(_ r: TokenResponse, now: Timestamp) {
        values["accessToken"] = .string(r.accessToken)
        if let rt = r.refreshToken { values["refreshToken"] = .string(rt) }
        values["tokenType"] = .string(r.tokenType ?? "Bearer")
        if let s = r.scope { values["scope"] = .string(s) }
        if let e = r.expiresIn {
            values["expiresAt"] = .number(Double(now.millisecondsSinceEpoch + Int64(e) * 1000))
        } else {
            values["expiresAt"] = nil
        }
        values["raw"] = .object(r.raw)
    }
}
