import JSONValue
import SwitchboardCore

/// An HTTP request ready to send: every value rendered and encoded.
public struct HTTPRequestSpec: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Client certificate and trusted CAs for the TLS connection (client_certificate credentials); nil: the defaults.
    public var tls: UpstreamTLS? = nil
    /// The headers that carry credentials (those the authentication injection set): a redirect to another origin
    /// drops them, as it drops `Authorization` and `Cookie`.
    public var credentialHeaders: [String] = []
    /// The query parameters that carry credentials (an API key sent in the query), encoded as sent (`api_key=...`): a
    /// redirect within the same origin sends them again when its `Location` lacks them, one to another origin does not.
    public var credentialQuery: [String] = []

    public static func == (a: HTTPRequestSpec, b: HTTPRequestSpec) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.tls == b.tls && a.credentialHeaders == b.credentialHeaders
            && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }
}

/// Builds HTTP requests from a compiled method, the parameters and the connection's config, and injects
/// authentication from the credentials.
///
/// - Path parameters are percent-encoded as path segments (`a/b` becomes `a%2Fb`); a missing or empty one, `.` and `..`
///   are errors.
/// - Query parameters whose value is undefined are left out; an array makes the parameter repeat.
/// - Header values may not contain line breaks or NUL (no header injection). A value rendered from the parameters or
///   the config may hold non-ASCII characters, sent as UTF-8 (RFC 9110 allows such bytes as obs-text; what they mean is
///   between the caller and the provider, and they are not secrets); a credential may not (`AuthInjector`).
/// - Without a body template, POST/PUT/PATCH send the parameters as the body.
public enum HTTPRequestBuilder {
    /// What makes `text` unfit for a header value (header injection): "a line break" (CR or LF), "a control character"
    /// (NUL), or nil when it is fit.
    static func forbiddenCharacter(inHeaderValue text: String) -> String? {
        for scalar in text.unicodeScalars {
            if scalar == "\r" || scalar == "\n" { return "a line break" }
            if scalar == "\0" { return "a control character" }
        }
        return nil
    }

    public static func build(_ request: AdapterRequest) throws(AdapterError) -> HTTPRequestSpec {
        let m = request.method
        let params = request.params
        let config = request.config
        let (base, baseQuery) = try baseURL(m, request)
        var url = base
        // Path.
        for part in m.path.parts {
            switch part {
            case .literal(let s): url += s
            case .placeholder(let ref):
                // A config value is the connection's to set: its absence is not the caller's fault.
                let isConfig = ref.root == .config
                let name = ref.path.joined(separator: ".")
                guard let v = Template.lookup(ref, params: params, config: config) else {
                    if isConfig {
                        throw AdapterError(
                            .connectionConfiguration, "the connection's config has no value for config.\(name), which the method's path uses")
                    }
                    throw AdapterError(.invalidRequest, "path parameter '\(name)' is missing")
                }
                let text = Template.text(v)
                // "." and ".." are not encoded by percent-encoding (they are unreserved) and would walk the path up;
                // an empty value would leave an empty segment ("//"). Both are refused rather than sent.
                if text.isEmpty || text == "." || text == ".." {
                    if isConfig {
                        throw AdapterError(
                            .connectionConfiguration,
                            "the connection's config value config.\(name), which the method's path uses, "
                                + (text.isEmpty ? "is empty" : "may not be '\(text)'"))
                    }
                    throw AdapterError(
                        .invalidRequest, text.isEmpty ? "path parameter '\(name)' is empty" : "path parameter '\(name)' may not be '\(text)'")
                }
                url += PercentEncoding.encode(text, allowed: .pathSegment)
            }
        }
        // Query.
        var pairs: [(String, String)] = []
        for (name, t) in m.query {
            guard let v = t.render(params: params, config: config) else { continue }
            if case .array(let items) = v {
                for item in items where !item.isNull { pairs.append((name, Template.text(item))) }
            } else {
                pairs.append((name, Template.text(v)))
            }
        }
        // Headers.
        var headers: [(name: String, value: String)] = []
        for (name, t) in m.headers {
            guard let v = t.render(params: params, config: config) else { continue }
            let text = Template.text(v)
            if let forbidden = forbiddenCharacter(inHeaderValue: text) {
                if let culprit = configCulprit(t, config: config) {
                    throw AdapterError(
                        .connectionConfiguration, "the connection's config value config.\(culprit) would put \(forbidden) in header '\(name)'")
                }
                throw AdapterError(.invalidRequest, "header '\(name)' would contain \(forbidden)")
            }
            headers.append((name, text))
        }
        // Body.
        var body: [UInt8]?
        let verb = m.method.verb
        // (Careful: `nil` here must be Optional.none; JSON itself is nil-literal-expressible as JSON.null.)
        let sendsParams = (verb == .POST || verb == .PUT || verb == .PATCH) && m.method.bodyEncoding != .none
        let bodyValue: JSON? =
            if let template = m.body { template.render(params: params, config: config) ?? .null } else if sendsParams { params } else {
                Optional<JSON>.none
            }
        if let bodyValue, m.method.bodyEncoding != .none {
            switch m.method.bodyEncoding {
            case .json, .none:
                body = bodyValue.serializedBytes()
                headers.append(("Content-Type", "application/json"))
            case .form:
                body = Array(FormEncoding.encode(bodyValue).utf8)
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            case .raw:
                body = Array(Template.text(bodyValue).utf8)
                if !headers.contains(where: { ASCII.equalsIgnoringCase($0.name, "content-type") }) {
                    headers.append(("Content-Type", "text/plain; charset=utf-8"))
                }
            }
        }
        if let key = request.idempotencyKey { headers.append((key.name, key.value)) }
        // Authentication.
        let beforeAuth = headers.count
        let queryBeforeAuth = pairs.count
        try AuthInjector.inject(request.credentials, auth: request.definition.auth, headers: &headers, query: &pairs)
        let credentialQuery = pairs[queryBeforeAuth...].map {
            PercentEncoding.encode($0.0, allowed: .queryComponent) + "=" + PercentEncoding.encode($0.1, allowed: .queryComponent)
        }
        let credentialHeaders = headers.count > beforeAuth ? headers[beforeAuth...].map(\.name) : []
        // The baseUrl's own query (`https://api.example.com/v1?api-version=2024-01-01`) comes after the method's path,
        // as written, before the method's query parameters.
        if let baseQuery, !baseQuery.isEmpty { url += (url.utf8.contains(UInt8(ascii: "?")) ? "&" : "?") + baseQuery }
        if !pairs.isEmpty {
            url +=
                (url.utf8.contains(UInt8(ascii: "?")) ? "&" : "?")
                + pairs.map { PercentEncoding.encode($0.0, allowed: .queryComponent) + "=" + PercentEncoding.encode($0.1, allowed: .queryComponent) }
                .joined(separator: "&")
        }
        if !headers.contains(where: { ASCII.equalsIgnoringCase($0.name, "accept") }) { headers.append(("Accept", "application/json")) }
        return HTTPRequestSpec(
            method: verb.rawValue, url: url, headers: headers, body: body, tls: UpstreamTLS(request.credentials), credentialHeaders: credentialHeaders,
            credentialQuery: credentialQuery
        )
    }

    /// The first config placeholder of `template` whose value holds a character a header value may not (the
    /// connection's config is at fault rather than the parameters), as `name.sub`; nil when none does.
    static func configCulprit(_ template: Template, config: JSONObject) -> String? {
        for case .placeholder(let ref) in template.parts where ref.root == .config {
            if let v = Template.lookup(ref, params: .null, config: config), forbiddenCharacter(inHeaderValue: Template.text(v)) != nil {
                return ref.path.joined(separator: ".")
            }
        }
        return nil
    }

    /// The baseUrl as rendered from the connection's config, without trailing slashes, and its query (without the `?`),
    /// which `build` puts after the method's path. A fragment (`#...`) is refused: it is never sent, and the method's path
    /// appended after it would be dropped with it.
    static func baseURL(_ m: CompiledMethod, _ request: AdapterRequest) throws(AdapterError) -> (base: String, query: String?) {
        guard let t = m.baseURL else { throw AdapterError(.configuration, "the definition has no baseUrl") }
        // The baseUrl reads the connection's config only (`{config.baseUrl}`, or `{name}` for the same): a value
        // missing there, or one that is not an http(s) URL, is the connection's to fix.
        let fromConfig = !t.isConstant
        let refs = t.parts.compactMap { (part) -> Template.Reference? in if case .placeholder(let ref) = part { ref } else { nil } }
        func named(_ refs: [Template.Reference]) -> String { refs.map { "config." + $0.path.joined(separator: ".") }.joined(separator: ", ") }
        // Text around config values (`https://{config.host}/v1`) needs each of them: rendered without one it would
        // still be a URL, to another place (`https:///v1`).
        if t.parts.count > 1 {
            let missing = refs.filter { ref in
                Template.lookup(ref, params: .object(request.config), config: request.config).map { Template.text($0).isEmpty } ?? true
            }
            if !missing.isEmpty {
                throw AdapterError(.connectionConfiguration, "the connection's config has no value for \(named(missing)), which the baseUrl uses")
            }
        }
        guard let v = t.render(params: .object(request.config), config: request.config), var s = v.stringValue, !s.isEmpty else {
            throw AdapterError(.connectionConfiguration, "the connection's config has no string value for \(named(refs)), which the baseUrl uses")
        }
        guard s.hasPrefix("http://") || s.hasPrefix("https://") else {
            throw AdapterError(
                fromConfig ? .connectionConfiguration : .configuration,
                fromConfig ? "the baseUrl taken from the connection's config must be an http(s) URL" : "the baseUrl must be an http(s) URL")
        }
        if s.utf8.contains(UInt8(ascii: "#")) {
            throw AdapterError(
                fromConfig ? .connectionConfiguration : .configuration,
                (fromConfig ? "the baseUrl taken from the connection's config" : "the baseUrl") + " may not have a fragment ('#')")
        }
        var query: String?
        if let mark = s.firstIndex(of: "?") {
            query = String(s[s.index(after: mark)...])
            s = String(s[..<mark])
        }
        while s.hasSuffix("/") { s.removeLast() }
        return (s, query)
    }
}

/// Percent-encoding (RFC 3986) for the parts of a URL.
public enum PercentEncoding {
    public enum Allowed { case pathSegment, queryComponent }

    /// Per byte: 1 if it is unreserved, 2 if it is also allowed in a path segment, 0 if it is encoded.
    static let kinds: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for b in "!$&'()*+,;=:@".utf8 { t[Int(b)] = 2 }
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8 { t[Int(b)] = 1 }
        return t
    }()
    static let hex = Array("0123456789ABCDEF".utf8)

    public static func encode(_ s: String, allowed: Allowed) -> String {
        let limit: UInt8 = allowed == .pathSegment ? 2 : 1
        if s.utf8.allSatisfy({ b in (1...limit).contains(kinds[Int(b)]) }) { return s }
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count * 3)
        for b in s.utf8 {
            if (1...limit).contains(kinds[Int(b)]) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `application/x-www-form-urlencoded` bodies; nested objects and arrays use the bracket convention
/// (`metadata[plan]=pro`, `items[0][price]=5`) that Stripe and many form APIs read.
public enum FormEncoding {
    public static func encode(_ value: JSON) -> String {
        var pairs: [(String, String)] = []
        flatten(value, prefix: nil, into: &pairs)
        return pairs.map { PercentEncoding.encode($0.0, allowed: .queryComponent) + "=" + PercentEncoding.encode($0.1, allowed: .queryComponent) }
            .joined(separator: "&")
    }

    static func flatten(_ value: JSON, prefix: String?, into pairs: inout [(String, String)]) {
        switch value {
        case .object(let o):
            for (k, v) in o { flatten(v, prefix: prefix.map { "\($0)[\(k)]" } ?? k, into: &pairs) }
        case .array(let a):
            for (i, v) in a.enumerated() { flatten(v, prefix: "\(prefix ?? "")[\(i)]", into: &pairs) }
        case .null:
            return
        default:
            if let prefix { pairs.append((prefix, Template.text(value))) }
        }
    }
}

/// ASCII-only text helpers for protocol tokens (header names, media types), without Foundation or allocations.
enum ASCII {
    /// True if `a` and `b` are equal ignoring the case of ASCII letters (`Content-Type` and `content-type`).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    /// True if `needle` (lowercase) occurs in `text`, ignoring the case of ASCII letters in `text`.
    static func containsIgnoringCase(_ text: String, _ needle: String) -> Bool {
        let t = Array(text.utf8)
        let n = Array(needle.utf8)
        guard !n.isEmpty else { return true }
        guard t.count >= n.count else { return false }
        for start in 0...(t.count - n.count) where (0..<n.count).allSatisfy({ lower(t[start + $0]) == n[$0] }) { return true }
        return false
    }

    static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
}
