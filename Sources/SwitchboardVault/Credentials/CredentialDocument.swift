import JSONValue
import SwitchboardCore

/// The secret content of one connection's credentials, as stored (sealed) in the vault.
///
/// `values` holds every field the client set (and, for oauth2, the token state the vault maintains:
/// `accessToken`, `refreshToken`, `tokenType`, `scope`, `expiresAt` in milliseconds, `raw`). It is never serialized
/// anywhere but into the sealed payload.
public struct CredentialDocument: Sendable, Equatable {
    public var type: CredentialType
    public var values: JSONObject

    public init(type: CredentialType, values: JSONObject) {
        self.type = type
        self.values = values
    }

    public func string(_ key: String) -> String? { values[key]?.stringValue }

    /// When the access token (oauth2) expires.
    public var expiresAt: Timestamp? {
        values["expiresAt"]?.numberValue.map { Timestamp(millisecondsSinceEpoch: Int64($0)) }
    }

    /// The names of the fields that are set (shown by the API; never their values).
    public var fieldNames: [String] { values.keys.filter { $0 != "raw" }.sorted() }

    /// The sealed form.
    var serialized: [UInt8] {
        var o = values
        o["type"] = .string(type.rawValue)
        return JSON.object(o).serializedBytes()
    }

    init(serialized bytes: [UInt8]) throws {
        guard case .object(var o) = try JSON(parsing: bytes), let t = o["type"]?.stringValue, let type = CredentialType(rawValue: t) else {
            throw SwitchboardError.internalError("a stored credential document is malformed")
        }
        _ = o.removeValue(forKey: "type")
        self.type = type
        self.values = o
    }

    /// True if the document's signing settings mint JWTs (a jwt credential without a static token).
    var mintsJWT: Bool { type == .jwt && values["token"] == nil }
}

extension CredentialDocument {
    /// Reads a `PUT /v1/connections/{id}/credentials` body, listing every problem (422).
    ///
    /// - basic: `username`, `password`
    /// - api_key: `key`, optional `in` (header|query) and `name`
    /// - bearer: `token`
    /// - oauth2: `clientId`, `clientSecret`, `accessToken`, `refreshToken`, `tokenType`, `scope`, `expiresAt` (RFC 3339)
    ///   or `expiresIn` (seconds), `assertion` ({algorithm, key, keyId?, claims?, ttlSeconds?}) for the JWT bearer grant;
    ///   at least one of `clientId`, `accessToken`, `assertion`
    /// - jwt: `token` (static), or `algorithm` (RS256|ES256|HS256), `key` (PEM, or the HMAC secret), `keyId?`,
    ///   `claims?` (object), `ttlSeconds?` (default 3600)
    /// - custom: `values` (any object)
    /// - client_certificate: `certificatePEM` (leaf first, then intermediates), `privateKeyPEM` (unencrypted),
    ///   `caCertificatePEM?` (the CAs the upstream's certificate must chain to, instead of the system's); checked by
    ///   loading them as the transport will; the leaf's expiry becomes `expiresAt`
    ///
    /// `apiKeyPlacement`: where the definition sends an api_key whose credentials do not say (`in`); a key sent in a
    /// header is checked as a header value (see `checkHeaderText`).
    public init(json: JSON, now: Timestamp, apiKeyPlacement: APIKeyPlacement = .header) throws(SwitchboardError) {
        var r = FieldReader(json, path: "")
        guard let type = r.enumeration("type", CredentialType.self, required: true) else {
            throw .validation("the credentials have \(r.problems.count) problem(s)", problems: r.problems)
        }
        var v = JSONObject()
        func take(_ key: String, required: Bool = false, maxLength: Int = 20_000) {
            if let s = r.string(key, required: required, maxLength: maxLength) { v[key] = .string(s) }
        }
        switch type {
        case .basic:
            take("username", required: true, maxLength: 1000)
            take("password", required: true)
        case .apiKey:
            take("key", required: true)
            if let placement = r.string("in") {
                if placement == "header" || placement == "query" { v["in"] = .string(placement) } else { r.report("in", "must be header or query") }
            }
            take("name", maxLength: 200)
        case .bearer:
            take("token", required: true)
        case .oauth2:
            for k in ["clientId", "clientSecret", "accessToken", "refreshToken", "tokenType", "scope"] { take(k) }
            if let e = r.string("expiresAt", maxLength: 64) {
                if let t = Timestamp(iso8601: e) {
                    v["expiresAt"] = .number(Double(t.millisecondsSinceEpoch))
                } else {
                    r.report("expiresAt", "must be an RFC 3339 date-time")
                }
            }
            if let s = r.integer("expiresIn", range: 1...(10 * 365 * 86_400)) {
                v["expiresAt"] = .number(Double(now.millisecondsSinceEpoch + Int64(s) * 1000))
            }
            if let a = r.object("assertion") {
                var ar = FieldReader(.object(a), path: "/assertion")
                Self.readSigning(&ar, into: &v, prefix: "assertion")
                _ = ar.object("claims").map { v["assertionClaims"] = .object($0) }
                ar.rejectUnknown()
                r.absorb(ar.problems)
            }
            if v["clientId"] == nil && v["accessToken"] == nil && v["assertionKey"] == nil {
                r.report(nil, "oauth2 credentials need at least one of clientId, accessToken or assertion")
            }
            if v["clientSecret"] != nil && v["clientId"] == nil { r.report("clientId", "is required with clientSecret") }
        case .jwt:
            if let t = r.string("token", maxLength: 20_000) {
                if t.split(separator: ".", omittingEmptySubsequences: false).count != 3 {
                    r.report("token", "must be a compact JWS (three dot-separated parts)")
                }
                v["token"] = .string(t)
            } else {
                Self.readSigning(&r, into: &v, prefix: "")
                if let c = r.object("claims") { v["claims"] = .object(c) }
            }
        case .custom:
            if let o = r.object("values") { v["values"] = .object(o) } else if r.problems.isEmpty { r.report("values", "is required") }
        case .clientCertificate:
            take("certificatePEM", required: true, maxLength: 100_000)
            take("privateKeyPEM", required: true, maxLength: 100_000)
            take("caCertificatePEM", maxLength: 500_000)
            if let c = v["certificatePEM"]?.stringValue, let k = v["privateKeyPEM"]?.stringValue,
                let notAfter = ClientCertificateCheck.check(
                    certificatePEM: c, privateKeyPEM: k, caCertificatePEM: v["caCertificatePEM"]?.stringValue, now: now, into: &r)
            {
                v["expiresAt"] = .number(Double(notAfter.millisecondsSinceEpoch))
            }
        }
        Self.checkHeaderText(v, type: type, apiKeyPlacement: apiKeyPlacement, into: &r)
        for key in Self.secretFields(of: type) {
            if let text = v[key]?.stringValue, !text.isEmpty, text.count < Credentials.minimumSecretLength {
                r.report(
                    key,
                    "must be at least \(Credentials.minimumSecretLength) characters long: a shorter secret cannot be told apart "
                        + "from ordinary text, so it could not be kept out of answers and logs")
            }
        }
        r.rejectUnknown()
        guard r.problems.isEmpty else { throw .validation("the credentials have \(r.problems.count) problem(s)", problems: r.problems) }
        self.type = type
        self.values = v
    }

    /// The fields sent to providers as secrets, which must be long enough to be redacted from answers
    /// (`Credentials.minimumSecretLength`). Custom credentials' values are free-form (a region, a port) and not checked.
    static func secretFields(of type: CredentialType) -> [String] {
        switch type {
        case .basic: ["password"]
        case .apiKey: ["key"]
        case .bearer: ["token"]
        case .oauth2: ["clientSecret", "accessToken", "refreshToken"]
        case .jwt, .custom, .clientCertificate: []
        }
    }

    /// The fields `AuthInjector` puts into an HTTP header (or, for `basic`, base64-encodes into one: RFC 7617 forbids
    /// control characters in user-ids and passwords), by type. An api_key's `key` and `name` are checked for control
    /// characters wherever the key goes (header or query).
    static func headerFields(of type: CredentialType) -> [String] {
        switch type {
        case .basic: ["username", "password"]
        case .apiKey: ["key", "name"]
        case .bearer, .jwt: ["token"]
        case .oauth2: ["accessToken", "tokenType"]
        case .custom, .clientCertificate: []
        }
    }

    /// Why a text cannot go into an HTTP header as it is: the rule it breaks, said of a field or a header name.
    enum HeaderTextProblem {
        /// A line break or another control character (header injection); a tab is allowed.
        case control
        /// A character outside visible ASCII, space and tab. Sent as UTF-8 bytes, it reaches the provider as whatever
        /// it decodes them to (Latin-1, often), so that a secret the provider echoes back is no longer the secret and
        /// escapes redaction.
        case nonASCII

        var rule: String {
            switch self {
            case .control: "must not contain line breaks or other control characters"
            case .nonASCII: "must hold only visible ASCII characters, spaces and tabs (no accented letters or other non-ASCII characters)"
            }
        }

        /// The problem of `text`, or nil when it fits; non-ASCII characters are one only when `allowsNonASCII` is false.
        init?(_ text: String, allowsNonASCII: Bool) {
            if text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                self = .control
            } else if !allowsNonASCII && text.unicodeScalars.contains(where: { $0.value > 0x7E }) {
                self = .nonASCII
            } else {
                return nil
            }
        }
    }

    /// Reports every header-bound field holding a line break or another control character (header injection), or a
    /// non-ASCII character, by path and never with its value; a header name the HTTP client computes
    /// (`TransportHeaders`) is refused as a custom header and as an API key's header name. Basic credentials may hold
    /// non-ASCII characters (they are base64-encoded, as UTF-8: RFC 7617), and so may an api_key sent in the query
    /// (percent-encoded): its `in`, or else `apiKeyPlacement`, the definition's. Custom credentials' `values.headers`,
    /// sent as they are, are checked name and value.
    static func checkHeaderText(_ v: JSONObject, type: CredentialType, apiKeyPlacement: APIKeyPlacement, into r: inout FieldReader) {
        let placement = v["in"]?.stringValue.flatMap(APIKeyPlacement.init(rawValue:)) ?? apiKeyPlacement
        let allowsNonASCII = type == .basic || (type == .apiKey && placement == .query)
        for key in headerFields(of: type) {
            if let text = v[key]?.stringValue, let problem = HeaderTextProblem(text, allowsNonASCII: allowsNonASCII) {
                r.report(key, problem.rule + ": it is sent in an HTTP header")
            }
        }
        // An API key's header name (unless the key goes in the query) and custom headers may not be one the HTTP client
        // computes (Content-Length, Transfer-Encoding, Connection...).
        if type == .apiKey, placement != .query, let name = v["name"]?.stringValue, TransportHeaders.contains(name) {
            r.report("name", TransportHeaders.refusal(name))
        }
        if type == .custom, case .object(let headers)? = v["values"]?["headers"] {
            for (name, value) in headers {
                let path = "/values/headers/" + JSONPointer.escape(name)
                if let problem = HeaderTextProblem(name, allowsNonASCII: false) {
                    r.absorb([Problem(path: path, message: "the header name " + problem.rule)])
                } else if TransportHeaders.contains(name) {
                    r.absorb([Problem(path: path, message: TransportHeaders.refusal(name))])
                } else if let problem = value.stringValue.flatMap({ HeaderTextProblem($0, allowsNonASCII: false) }) {
                    r.absorb([Problem(path: path, message: problem.rule + ": it is sent in an HTTP header")])
                }
            }
        }
    }

    /// `algorithm`, `key`, `keyId?`, `ttlSeconds?` of a signing configuration; stored as `<prefix>Algorithm`... (or plain names).
    static func readSigning(_ r: inout FieldReader, into v: inout JSONObject, prefix: String) {
        func name(_ k: String) -> String { prefix.isEmpty ? k : prefix + k.prefix(1).uppercased() + k.dropFirst() }
        let alg = r.string("algorithm", required: true, maxLength: 10)
        if let alg {
            if JWTSigning.Algorithm(rawValue: alg) == nil {
                r.report("algorithm", "must be RS256, ES256 or HS256")
            } else {
                v[name("algorithm")] = .string(alg)
            }
        }
        if let key = r.string("key", required: true, maxLength: 100_000) {
            v[name("key")] = .string(key)
            if let alg, let a = JWTSigning.Algorithm(rawValue: alg), a != .hs256, !key.contains("PRIVATE KEY-----") {
                r.report("key", "must be a PEM private key for \(alg)")
            }
            if alg == JWTSigning.Algorithm.hs256.rawValue, key.utf8.count < JWTSigning.minimumHMACKeyBytes {
                r.report("key", JWTSigning.shortHMACKey)
            }
        }
        if let kid = r.string("keyId", maxLength: 200) { v[name("keyId")] = .string(kid) }
        if let ttl = r.integer("ttlSeconds", range: 30...86_400) { v[name("ttlSeconds")] = .number(Double(ttl)) }
    }

    /// What the engine gets: see `Credentials` for the field names by type.
    func credentials(definition: IntegrationDefinition?, mintedToken: String? = nil) -> Credentials {
        var fields: [String: String] = [:]
        var extra: JSONObject = [:]
        switch type {
        case .basic:
            fields["username"] = string("username")
            fields["password"] = string("password")
        case .apiKey:
            fields["key"] = string("key")
            fields["in"] = string("in") ?? definition?.auth.apiKeyPlacement.rawValue ?? "header"
            fields["name"] = string("name") ?? definition?.auth.apiKeyName ?? "X-API-Key"
        case .bearer:
            fields["token"] = string("token")
        case .oauth2:
            fields["accessToken"] = string("accessToken")
            fields["refreshToken"] = string("refreshToken")
            fields["tokenType"] = string("tokenType") ?? "Bearer"
            fields["scope"] = string("scope")
            if case .object(let raw)? = values["raw"] { extra = raw }
        case .jwt:
            fields["token"] = mintedToken ?? string("token")
        case .custom:
            if case .object(let o)? = values["values"] {
                extra = o
                for (k, v) in o { if let s = v.stringValue { fields[k] = s } }
            }
        case .clientCertificate:
            fields["certificatePEM"] = string("certificatePEM")
            fields["privateKeyPEM"] = string("privateKeyPEM")
            fields["caCertificatePEM"] = string("caCertificatePEM")
        }
        return Credentials(type: type, fields: fields, expiresAt: expiresAt, extra: extra)
    }
}
