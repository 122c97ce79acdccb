import AsyncHTTPClient
import Foundation
import JSONValue
import NIOCore
import NIOHTTP1
import SwitchboardCore

/// A token endpoint's answer (RFC 6749 §5.1). Held only in memory and in the sealed credential document.
struct TokenResponse: Sendable {
    var accessToken: String
    var tokenType: String?
    var expiresIn: Int?
    var refreshToken: String?
    var scope: String?
    var raw: JSONObject
}

/// A token endpoint's refusal (RFC 6749 §5.2): `error` is `invalid_grant`, `invalid_client`...
struct OAuthErrorResponse: Error, Sendable, CustomStringConvertible {
    var status: Int
    var error: String
    var description: String { "the authorization server answered \(status) \(error)" }
}

/// Talks to token and revocation endpoints with AsyncHTTPClient.
struct TokenClient: Sendable {
    let http: HTTPClient
    let timeout: TimeAmount

    /// POSTs a form to the token endpoint, authenticating the client as `method` says.
    func token(
        url: String, form: [(String, String)], clientId: String?, clientSecret: String?, method: OAuth2Settings.ClientAuthMethod
    ) async throws -> TokenResponse {
        let (status, json) = try await post(url: url, form: form, clientId: clientId, clientSecret: clientSecret, method: method)
        guard (200..<300).contains(status), case .object(let o) = json, let access = o["access_token"]?.stringValue, !access.isEmpty else {
            let error = json["error"]?.stringValue ?? (status >= 200 && status < 300 ? "invalid_response" : "http_\(status)")
            throw OAuthErrorResponse(status: status, error: String(error.prefix(100)))
        }
        var expires = o["expires_in"]?.intValue
        if expires == nil, let s = o["expires_in"]?.stringValue { expires = Int(s) }
        return TokenResponse(
            accessToken: access, tokenType: o["token_type"]?.stringValue, expiresIn: expires, refreshToken: o["refresh_token"]?.stringValue,
            scope: o["scope"]?.stringValue, raw: o)
    }

    /// RFC 7009 revocation; true if the server answered 200.
    func revoke(url: String, token: String, hint: String, clientId: String?, clientSecret: String?, method: OAuth2Settings.ClientAuthMethod)
        async throws -> Bool
    {
        let (status, _) = try await post(
            url: url, form: [("token", token), ("token_type_hint", hint)], clientId: clientId, clientSecret: clientSecret, method: method)
        return status == 200
    }

    private func post(
        url: String, form: [(String, String)], clientId: String?, clientSecret: String?, method: OAuth2Settings.ClientAuthMethod
    ) async throws -> (Int, JSON) {
        var fields = form
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let clientId {
            if let clientSecret, method == .clientSecretBasic {
                let pair = FormEncoding.escape(clientId) + ":" + FormEncoding.escape(clientSecret)
                request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
            } else {
                fields.append(("client_id", clientId))
                if let clientSecret { fields.append(("client_secret", clientSecret)) }
            }
        }
        request.body = .bytes(Array(FormEncoding.encode(fields).utf8))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw VaultErrors.oauth("the authorization server at \(Self.origin(url)) could not be reached", code: "OAUTH_UNREACHABLE")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let bytes = Array(body.readableBytesView)
        let json = (try? JSON(parsing: bytes)) ?? .null
        return (Int(response.status.code), json)
    }

    /// Scheme, host and port of a URL (for messages: never a query string that might carry a secret).
    static func origin(_ url: String) -> String {
        guard let c = URLComponents(string: url), let scheme = c.scheme, let host = c.host else { return "(invalid URL)" }
        return "\(scheme)://\(host)" + (c.port.map { ":\($0)" } ?? "")
    }
}

/// `application/x-www-form-urlencoded` and query encoding.
enum FormEncoding {
    static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    static func escape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if unreserved.contains(b) { out.unicodeScalars.append(UnicodeScalar(b)) } else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }
}
