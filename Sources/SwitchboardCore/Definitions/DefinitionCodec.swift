import JSONValue

/// Turns a definition document (already parsed from JSON or YAML) into an `IntegrationDefinition`, listing
/// every problem found, and back into its JSON form for the API.
public struct DefinitionCodec: Sendable {
    public let schemas: any SchemaChecker

    public init(schemas: any SchemaChecker) { self.schemas = schemas }

    /// A definition key is a slug: lowercase letters, digits, `-`, `_`, `.`, starting with a letter, at most 64.
    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, (97...122).contains(first), key.utf8.count <= 64 else { return false }
        return key.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// Decodes and validates a definition document.
    ///
    /// - Throws: `SwitchboardError` `VALIDATION_ERROR` (422) with one detail per problem.
    public func decode(_ document: JSON) throws(SwitchboardError) -> IntegrationDefinition {
        var r = FieldReader(document, path: "")
        guard r.problems.isEmpty else { throw .validation("the definition must be a JSON or YAML object", problems: r.problems) }

        let key = r.string("key", required: true, maxLength: 64)
        if let key, !Self.isValidKey(key) {
            r.report("key", "must be a slug: lowercase letters, digits, '-', '_' or '.', starting with a letter (at most 64)")
        }
        let name = r.string("name", required: true, maxLength: 200)
        let description = r.string("description")
        let category = r.string("category", maxLength: 100)
        let provider = r.string("provider", maxLength: 100)
        let type = r.enumeration("type", IntegrationType.self) ?? (r.raw("type") == nil ? .restAPI : nil)
        let versionText = r.string("version", required: true, maxLength: 100)
        var version: SemanticVersion?
        if let versionText {
            version = SemanticVersion(versionText)
            if version == nil { r.report("version", "'\(versionText)' is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])") }
        }
        var status = DefinitionStatus.draft
        if let s = r.enumeration("status", DefinitionStatus.self) { status = s }
        let auth = decodeAuth(r.raw("auth"), path: "/auth", problems: &r)
        let baseURL = r.string("baseUrl", maxLength: 2048)
        if let baseURL, !(baseURL.contains("://") || baseURL.hasPrefix("{config.")) {
            r.report("baseUrl", "must be an absolute URL such as https://api.example.com, or a {config.name} reference")
        }
        let configSchema = r.raw("configSchema")
        if let configSchema { r.absorb(schemas.problems(inSchema: configSchema).map { Problem(path: "/configSchema" + $0.path, message: $0.message) }) }
        let defaultConfig = r.object("defaultConfig") ?? [:]
        if let configSchema, !defaultConfig.isEmpty {
            // Defaults need not be complete, but what they set must fit the schema's property types.
            for p in schemas.validate(.object(defaultConfig), against: configSchema) where !p.message.contains("required") {
                r.report("defaultConfig", "\(p.path.isEmpty ? "" : p.path + ": ")\(p.message)")
            }
        }
        let capabilities = r.stringArray("capabilities") ?? []
        var requiredCredentials: [String] = []
        var optionalCredentials: [String] = []
        if let c = r.raw("credentials") {
            var cr = FieldReader(c, path: "/credentials")
            requiredCredentials = cr.stringArray("required") ?? []
            optionalCredentials = cr.stringArray("optional") ?? []
            cr.rejectUnknown()
            r.absorb(cr.problems)
        }
        let popular = r.bool("popular") ?? false
        let icon = r.string("icon", maxLength: 2048)
        let docsURL = r.string("docsUrl", maxLength: 2048)
        let metadata = r.object("metadata") ?? [:]
        var methods: [DefinitionMethod] = []
        if let m = r.raw("methods") {
            if case .array(let list) = m {
                var names: Set<String> = []
                for (i, entry) in list.enumerated() {
                    let path = "/methods/\(i)"
                    if let method = decodeMethod(entry, path: path, problems: &r) {
                        if !names.insert(method.name).inserted {
                            r.absorb([Problem(path: path + "/name", message: "duplicate method name '\(method.name)'")])
                        }
                        methods.append(method)
                    }
                }
            } else {
                r.report("methods", "must be an array of methods, not \(m.typeName)")
            }
        }
        let healthCheck = r.string("healthCheck")
        if let healthCheck, !methods.contains(where: { $0.name == healthCheck }) {
            r.report("healthCheck", "names method '\(healthCheck)', which the definition does not declare")
        }
        let syncs = r.raw("syncs")
        let resilience = r.raw("resilience")
        for readOnly in ["createdAt", "updatedAt", "publishedAt"] { _ = r.raw(readOnly) }
        r.rejectUnknown()

        guard r.problems.isEmpty, let key, let name, let type, let version, let auth else {
            throw .validation("the definition has \(max(r.problems.count, 1)) problem(s)", problems: r.problems)
        }
        var normalized = document.objectValue ?? [:]
        for readOnly in ["createdAt", "updatedAt", "publishedAt", "status"] { normalized.removeValue(forKey: readOnly) }
        return IntegrationDefinition(
            key: key, name: name, description: description, category: category, provider: provider, type: type,
            version: version, status: status, auth: auth, baseURL: baseURL, configSchema: configSchema,
            defaultConfig: defaultConfig, capabilities: capabilities, requiredCredentials: requiredCredentials,
            optionalCredentials: optionalCredentials, popular: popular, icon: icon, docsURL: docsURL, metadata: metadata,
            methods: methods, healthCheck: healthCheck, syncs: syncs, resilience: resilience,
            createdAt: nil, updatedAt: nil, publishedAt: nil, document: normalized
        )
    }

    func decodeAuth(_ json: JSON?, path: String, problems outer: inout FieldReader) -> AuthSettings? {
        guard let json else { return AuthSettings(type: .none) }
        if case .string(let s) = json {
            guard let t = AuthType(rawValue: s) else {
                outer.absorb([Problem(path: path, message: "'\(s)' is not one of \(AuthType.allCases.map(\.rawValue).joined(separator: ", "))")])
                return nil
            }
            if t == .oauth2 { outer.absorb([Problem(path: path, message: "oauth2 needs settings: {type: oauth2, oauth2: {tokenUrl: ...}}")]) }
            return AuthSettings(type: t)
        }
        var r = FieldReader(json, path: path)
        let type = r.enumeration("type", AuthType.self, required: true)
        var settings = AuthSettings(type: type ?? .none)
        if let k = r.raw("apiKey") {
            var kr = FieldReader(k, path: path + "/apiKey")
            if let placement = kr.enumeration("in", APIKeyPlacement.self) { settings.apiKeyPlacement = placement }
            if let name = kr.string("name", maxLength: 200) {
                if name.isEmpty || name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" || $0 == " " }) {
                    kr.report("name", "must be a valid header or query parameter name")
                } else {
                    settings.apiKeyName = name
                }
            }
            kr.rejectUnknown()
            r.absorb(kr.problems)
        }
        if let o = r.raw("oauth2") {
            var orr = FieldReader(o, path: path + "/oauth2")
            let grant = orr.enumeration("grantType", OAuth2Settings.GrantType.self) ?? .authorizationCode
            let authURL = orr.string("authorizationUrl", maxLength: 2048)
            let tokenURL = orr.string("tokenUrl", required: true, maxLength: 2048)
            let revocationURL = orr.string("revocationUrl", maxLength: 2048)
            let scopes = orr.stringArray("scopes") ?? []
            let method = orr.enumeration("clientAuthMethod", OAuth2Settings.ClientAuthMethod.self) ?? .clientSecretPost
            let pkce = orr.bool("pkce") ?? true
            let params = orr.stringMap("authorizationParameters") ?? [:]
            if grant == .authorizationCode && authURL == nil { orr.report("authorizationUrl", "is required for the authorization_code grant") }
            orr.rejectUnknown()
            r.absorb(orr.problems)
            if let tokenURL {
                settings.oauth2 = OAuth2Settings(
                    grantType: grant, authorizationURL: authURL, tokenURL: tokenURL, revocationURL: revocationURL, scopes: scopes,
                    clientAuthMethod: method, usePKCE: pkce, authorizationParameters: params)
            }
        } else if type == .oauth2 {
            r.report("oauth2", "is required when type is oauth2")
        }
        var extra = JSONObject()
        for (k, v) in r.object where !["type", "apiKey", "oauth2"].contains(k) {
            _ = r.raw(k)
            extra[k] = v
        }
        settings.extra = extra
        outer.absorb(r.problems)
        return r.problems.isEmpty ? settings : nil
    }

    func decodeMethod(_ json: JSON, path: String, problems outer: inout FieldReader) -> DefinitionMethod? {
        var r = FieldReader(json, path: path)
        guard r.problems.isEmpty else {
            outer.absorb(r.problems)
            return nil
        }
        let name = r.string("name", required: true, maxLength: 100)
        if let name, name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) {
            r.report("name", "must contain only letters, digits, '_', '-' and '.'")
        }
        var method = DefinitionMethod(name: name ?? "")
        method.description = r.string("description")
        if let v = r.string("verb") ?? r.string("httpMethod") {
            if let verb = DefinitionMethod.HTTPVerb(rawValue: v.uppercased()) {
                method.verb = verb
            } else {
                r.report("verb", "'\(v)' is not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)")
            }
        }
        if let p = r.string("path", maxLength: 2048) { method.path = p }
        method.query = r.stringMap("query") ?? [:]
        method.headers = r.stringMap("headers") ?? [:]
        for (h, _) in method.headers where h.isEmpty || h.contains(where: { !$0.isASCII || $0 == " " || $0 == ":" || $0.isNewline }) {
            r.report("headers", "'\(h)' is not a valid header name")
        }
        method.body = r.raw("body")
        if let e = r.enumeration("bodyEncoding", DefinitionMethod.BodyEncoding.self) { method.bodyEncoding = e }
        method.paramSchema = r.raw("paramSchema")
        method.resultSchema = r.raw("resultSchema")
        for (field, schema) in [("paramSchema", method.paramSchema), ("resultSchema", method.resultSchema)] {
            if let schema { r.absorb(schemas.problems(inSchema: schema).map { Problem(path: path + "/" + field + $0.path, message: $0.message) }) }
        }
        method.requestTransform = r.string("requestTransform")
        method.responseTransform = r.string("responseTransform")
        method.timeoutMs = r.integer("timeoutMs", range: 1...3_600_000)
        method.retry = r.raw("retry")
        method.rateLimit = r.raw("rateLimit")
        method.cache = r.raw("cache")
        method.resilience = r.raw("resilience")
        method.logBodies = r.bool("logBodies") ?? false
        var options = r.object("options") ?? [:]
        for adapterKey in ["graphql", "soap", "sql", "pagination"] {
            if let v = r.raw(adapterKey) { options[adapterKey] = v }
        }
        method.options = options
        r.rejectUnknown()

        // Every `{name}` in the path must be a parameter the paramSchema declares (or a `{config.x}` reference).
        switch PathTemplate.parse(method.path) {
        case .failure(let error):
            r.report("path", error.message)
        case .success(let template):
            let declared = Set(method.paramSchema?["properties"]?.objectValue?.keys ?? [])
            for variable in template.variables where !variable.hasPrefix("config.") && !declared.contains(variable) {
                r.report("path", "names parameter '\(variable)', which paramSchema does not declare in its properties")
            }
        }
        outer.absorb(r.problems)
        return r.problems.isEmpty ? method : nil
    }

    // MARK: - Encoding

    /// The API form of a definition version.
    public func encode(_ d: IntegrationDefinition, includeMethods: Bool = true) -> JSON {
        var o = JSONObject()
        o["key"] = .string(d.key)
        o["name"] = .string(d.name)
        o["description"] = d.description.map(JSON.string) ?? .null
        o["category"] = d.category.map(JSON.string) ?? .null
        o["provider"] = d.provider.map(JSON.string) ?? .null
        o["type"] = .string(d.type.rawValue)
        o["version"] = .string(d.version.description)
        o["status"] = .string(d.status.rawValue)
        o["auth"] = d.document["auth"].map { $0.stringValue.map { .object(["type": .string($0)]) } ?? $0 } ?? ["type": "none"]
        o["baseUrl"] = d.baseURL.map(JSON.string) ?? .null
        o["configSchema"] = d.configSchema ?? .null
        o["defaultConfig"] = .object(d.defaultConfig)
        o["capabilities"] = .array(d.capabilities.map(JSON.string))
        o["credentials"] = ["required": .array(d.requiredCredentials.map(JSON.string)), "optional": .array(d.optionalCredentials.map(JSON.string))]
        o["popular"] = .bool(d.popular)
        o["icon"] = d.icon.map(JSON.string) ?? .null
        o["docsUrl"] = d.docsURL.map(JSON.string) ?? .null
        o["metadata"] = .object(d.metadata)
        if includeMethods {
            o["methods"] = d.document["methods"] ?? []
            o["healthCheck"] = d.healthCheck.map(JSON.string) ?? .null
            if let syncs = d.syncs { o["syncs"] = syncs }
            if let resilience = d.resilience { o["resilience"] = resilience }
        } else {
            o["methodCount"] = .number(Double(d.methods.count))
        }
        o["createdAt"] = d.createdAt.map { .string($0.iso8601) } ?? .null
        o["updatedAt"] = d.updatedAt.map { .string($0.iso8601) } ?? .null
        o["publishedAt"] = d.publishedAt.map { .string($0.iso8601) } ?? .null
        return .object(o)
    }
}
