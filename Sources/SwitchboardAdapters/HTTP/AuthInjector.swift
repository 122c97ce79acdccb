import JSONValue
import SwitchboardCore

/// Puts credentials where the definition's auth settings say: Basic, API key (header or query), Bearer
/// (bearer tokens, OAuth 2 access tokens, JWTs).
///
/// A credential that would put a line break or a control character into a header is refused (header injection), and
/// so is one that would put a non-ASCII character there (in a name or a value): sent as UTF-8 bytes, a provider reads
/// them as it likes (Latin-1, often), and a secret it echoes back is then no longer recognised and redacted. The vault
/// refuses such values when they are set; this catches the rest (an api_key placed in a header by the definition, a
/// token from a token endpoint, a value stored before that check). Basic credentials are base64 and always fit.
public enum AuthInjector {
    public static func inject(
        _ credentials: Credentials?, auth: AuthSettings, headers: inout [(name: String, value: String)], query: inout [(String, String)]
    ) throws(AdapterError) {
        let injected = headers.count
        guard auth.type != .none else { return }
        guard let c = credentials else { return }
        switch c.type {
        case .basic:
            guard let user = c["username"] else { throw AdapterError(.configuration, "basic credentials need a username") }
            let token = Base64.encode(Array("\(user):\(c["password"] ?? "")".utf8))
            headers.append(("Authorization", "Basic " + token))
        case .apiKey:
            guard let key = c["key"] else { throw AdapterError(.configuration, "api_key credentials need a key") }
            let placement = c["in"].flatMap(APIKeyPlacement.init) ?? auth.apiKeyPlacement
            let name = c["name"] ?? auth.apiKeyName
            switch placement {
            case .header:
                let prefix = auth.extra["apiKey"]?["prefix"]?.stringValue ?? c["prefix"]
                headers.append((name, prefix.map { "\($0) \(key)" } ?? key))
            case .query: query.append((name, key))
            }
        case .bearer, .jwt:
            guard let token = c["token"] ?? c["accessToken"] else { throw AdapterError(.configuration, "\(c.type.rawValue) credentials need a token") }
            headers.append(("Authorization", "Bearer " + token))
        case .oauth2:
            guard let token = c["accessToken"] else { throw AdapterError(.configuration, "the OAuth 2 credentials hold no access token") }
            let type = c["tokenType"].map { $0.lowercased() == "bearer" ? "Bearer" : $0 } ?? "Bearer"
            headers.append(("Authorization", type + " " + token))
        case .custom:
            // Custom credentials are applied by templates (`{{config...}}` cannot read them) or a custom adapter;
            // a `headers` object in them is sent as is.
            if case .object(let h)? = c.extra["headers"] {
                for (k, v) in h { if let s = v.stringValue { headers.append((k, s)) } }
            }
        case .clientCertificate:
            return  // used for mutual TLS by the transport, not as a header
        }
        // Only the headers added here: the builder checked the ones it rendered before calling.
        for h in headers[injected...] {
            if let forbidden = HTTPRequestBuilder.forbiddenCharacter(inHeaderValue: h.value) {
                throw AdapterError(.invalidRequest, "a credential would put \(forbidden) in header '\(h.name)'")
            }
            if h.name.unicodeScalars.contains(where: { !$0.isASCII }) {
                throw AdapterError(.invalidRequest, "a credential would name a header with a non-ASCII character")
            }
            if h.value.unicodeScalars.contains(where: { !$0.isASCII }) {
                throw AdapterError(.invalidRequest, "a credential would put a non-ASCII character in header '\(h.name)'")
            }
        }
    }
}
