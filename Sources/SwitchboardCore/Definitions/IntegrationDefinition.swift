import JSONValue

/// What kind of system an integration talks to; chooses the protocol adapter.
public enum IntegrationType: String, Sendable, CaseIterable, Codable {
    case restAPI = "rest_api"
    case graphql
    case soap
    case webhook
    case eventStream = "event_stream"
    case messageQueue = "message_queue"
    case database
    case fileTransfer = "file_transfer"
    case custom
}

/// The lifecycle of one version of a definition.
public enum DefinitionStatus: String, Sendable, CaseIterable, Codable {
    case draft = "DRAFT"
    case published = "PUBLISHED"
    case deprecated = "DEPRECATED"
    case archived = "ARCHIVED"

    /// An explicit transition, named as in the API (`.../publish`).
    public enum Transition: String, Sendable, CaseIterable {
        case publish, deprecate, archive

        public var target: DefinitionStatus {
            switch self {
            case .publish: .published
            case .deprecate: .deprecated
            case .archive: .archived
            }
        }
    }

    /// The status after `transition`, or nil when the transition is not allowed from this status.
    public func applying(_ transition: Transition) -> DefinitionStatus? {
        switch (self, transition) {
        case (.draft, .publish), (.deprecated, .publish): .published
        case (.published, .deprecate): .deprecated
        case (.draft, .archive), (.published, .archive), (.deprecated, .archive): .archived
        default: nil
        }
    }
}

/// How a connection authenticates to the provider.
public enum AuthType: String, Sendable, CaseIterable, Codable {
    case none, basic
    case apiKey = "api_key"
    case bearer, oauth2, jwt, custom
    /// Mutual TLS only: the connection's `client_certificate` credentials are presented in the TLS handshake.
    case clientCertificate = "client_certificate"
}

/// Where an API key goes.
public enum APIKeyPlacement: String, Sendable, CaseIterable, Codable {
    case header, query
}

/// Authentication settings of a definition.
public struct AuthSettings: Sendable, Equatable {
    public var type: AuthType
    /// For `api_key`: where the key goes and under which name (default header `X-API-Key`).
    public var apiKeyPlacement: APIKeyPlacement
    public var apiKeyName: String
    /// For `oauth2`: endpoints, scopes and client authentication.
    public var oauth2: OAuth2Settings?
    /// Any further settings, kept as given (custom auth, JWT claims templates).
    public var extra: JSONObject

    public init(type: AuthType, apiKeyPlacement: APIKeyPlacement = .header, apiKeyName: String = "X-API-Key", oauth2: OAuth2Settings? = nil, extra: JSONObject = [:]) {
        self.type = type
        self.apiKeyPlacement = apiKeyPlacement
        self.apiKeyName = apiKeyName
        self.oauth2 = oauth2
        self.extra = extra
    }
}

/// OAuth 2 endpoints and client settings of a provider.
public struct OAuth2Settings: Sendable, Equatable {
    public enum GrantType: String, Sendable, CaseIterable { case authorizationCode = "authorization_code", clientCredentials = "client_credentials", jwtBearer = "jwt_bearer" }
    public enum ClientAuthMethod: String, Sendable, CaseIterable { case clientSecretPost = "client_secret_post", clientSecretBasic = "client_secret_basic" }

    public var grantType: GrantType
    public var authorizationURL: String?
    public var tokenURL: String
    public var revocationURL: String?
    public var scopes: [String]
    public var clientAuthMethod: ClientAuthMethod
    public var usePKCE: Bool
    /// Extra query parameters for the authorization URL (e.g. `access_type: offline`).
    public var authorizationParameters: [String: String]

    public init(
        grantType: GrantType = .authorizationCode, authorizationURL: String? = nil, tokenURL: String, revocationURL: String? = nil,
        scopes: [String] = [], clientAuthMethod: ClientAuthMethod = .clientSecretPost, usePKCE: Bool = true,
        authorizationParameters: [String: String] = [:]
    ) {
        self.grantType = grantType
        self.authorizationURL = authorizationURL
        self.tokenURL = tokenURL
        self.revocationURL = revocationURL
        self.scopes = scopes
        self.clientAuthMethod = clientAuthMethod
        self.usePKCE = usePKCE
        self.authorizationParameters = authorizationParameters
    }
}

/// One callable operation of an integration.
public struct DefinitionMethod: Sendable, Equatable {
    public enum HTTPVerb: String, Sendable, CaseIterable { case GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS }
    public enum BodyEncoding: String, Sendable, CaseIterable { case json, form, raw, none }

    public var name: String
    public var description: String?
    public var verb: HTTPVerb
    /// Path template relative to the base URL: `/users/{id}`; `{name}` is a parameter, `{config.name}` a config value.
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]
    /// Body template: any JSON, whose strings may hold `{{params.x}}` / `{{config.y}}` placeholders.
    public var body: JSON?
    public var bodyEncoding: BodyEncoding
    public var paramSchema: JSON?
    public var resultSchema: JSON?
    /// JSONata expressions applied to the parameters before the request and to the response body after it.
    public var requestTransform: String?
    public var responseTransform: String?
    public var timeoutMs: Int?
    /// Resilience settings (retry, circuitBreaker, rateLimit, bulkhead, cache, fallback), validated by the resilience layer.
    public var retry: JSON?
    public var rateLimit: JSON?
    public var cache: JSON?
    public var resilience: JSON?
    /// Keep request and response bodies in the executions log (truncated).
    public var logBodies: Bool
    /// Everything else the method declared for protocol adapters (GraphQL query, SOAP action, SQL statement...).
    public var options: JSONObject

    public init(name: String, verb: HTTPVerb = .GET, path: String = "/") {
        self.name = name
        self.description = nil
        self.verb = verb
        self.path = path
        self.query = [:]
        self.headers = [:]
        self.body = nil
        self.bodyEncoding = .json
        self.paramSchema = nil
        self.resultSchema = nil
        self.requestTransform = nil
        self.responseTransform = nil
        self.timeoutMs = nil
        self.retry = nil
        self.rateLimit = nil
        self.cache = nil
        self.resilience = nil
        self.logBodies = false
        self.options = [:]
    }
}

/// One version of an integration definition: the registry's unit.
public struct IntegrationDefinition: Sendable, Equatable {
    public var key: String
    public var name: String
    public var description: String?
    public var category: String?
    public var provider: String?
    public var type: IntegrationType
    public var version: SemanticVersion
    public var status: DefinitionStatus
    public var auth: AuthSettings
    public var baseURL: String?
    public var configSchema: JSON?
    public var defaultConfig: JSONObject
    public var capabilities: [String]
    public var requiredCredentials: [String]
    public var optionalCredentials: [String]
    public var popular: Bool
    public var icon: String?
    public var docsURL: String?
    public var metadata: JSONObject
    public var methods: [DefinitionMethod]
    /// The method run by `POST /v1/connections/{id}/test`.
    public var healthCheck: String?
    /// Sync definitions (validated by the sync engine).
    public var syncs: JSON?
    /// Definition-wide resilience defaults.
    public var resilience: JSON?
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?
    public var publishedAt: Timestamp?
    /// The document as submitted (normalized), kept so nothing the author wrote is lost.
    public var document: JSONObject

    public func method(named name: String) -> DefinitionMethod? { methods.first { $0.name == name } }
}
