import JSONValue
import Logging
import SwitchboardCore

/// Everything an adapter needs to run one method call. Built by the engine; credentials are already resolved.
public struct AdapterRequest: Sendable {
    public var definition: IntegrationDefinition
    public var method: CompiledMethod
    public var connectionId: String
    /// The connection's config (defaults applied).
    public var config: JSONObject
    /// The parameters after the request transform.
    public var params: JSON
    public var credentials: Credentials?
    /// Time allowed for this attempt.
    public var timeout: Duration
    /// The idempotency header (name and key) to send; the same key across attempts of one call.
    public var idempotencyKey: (name: String, value: String)?
    public var logger: Logger

    public init(
        definition: IntegrationDefinition, method: CompiledMethod, connectionId: String, config: JSONObject, params: JSON,
        credentials: Credentials?, timeout: Duration, idempotencyKey: (name: String, value: String)? = nil, logger: Logger
    ) {
        self.definition = definition
        self.method = method
        self.connectionId = connectionId
        self.config = config
        self.params = params
        self.credentials = credentials
        self.timeout = timeout
        self.idempotencyKey = idempotencyKey
        self.logger = logger
    }
}

/// What came back from the provider, before the engine maps it to SUCCESS or an error.
public struct AdapterResponse: Sendable {
    /// The HTTP status, when the protocol has one.
    public var status: Int?
    public var headers: [(name: String, value: String)]
    /// The body as JSON (parsed JSON, converted XML, rows...), or a string for text bodies, or null when empty.
    public var body: JSON
    /// Protocol-level failure inside a successful transport (GraphQL `errors`, a SOAP Fault): the engine reports it
    /// as an error with these details, keeping `body` as partial data.
    public var protocolError: ProtocolError?
    public var requestBytes: Int
    public var responseBytes: Int
    /// The raw request and response bodies, kept only when the method opts in to logging bodies.
    public var requestBodyText: String?
    public var responseBodyText: String?
    /// What the request asked the provider (`HTTPRequestSpec.signature`), for adapters that can tell: equal for two
    /// requests that ask the same thing. Compared within this process only.
    public var requestSignature: RequestSignature?

    public init(
        status: Int?, headers: [(name: String, value: String)] = [], body: JSON, protocolError: ProtocolError? = nil, requestBytes: Int = 0,
        responseBytes: Int = 0, requestBodyText: String? = nil, responseBodyText: String? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.protocolError = protocolError
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.requestBodyText = requestBodyText
        self.responseBodyText = responseBodyText
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) }?.value
    }
}

/// A failure the protocol reported in a response (GraphQL errors, SOAP Fault).
public struct ProtocolError: Sendable, Equatable {
    public var code: String
    public var message: String
    public var details: [JSON]

    public init(code: String, message: String, details: [JSON]) {
        self.code = code
        self.message = message
        self.details = details
    }
}

/// A transport-level failure: the adapter could not get a response.
public struct AdapterError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The attempt's time ran out.
        case timeout
        /// Connection refused, reset or DNS failure.
        case connection
        /// The response exceeded the size limit.
        case responseTooLarge
        /// The request could not be built from the parameters and config (bad template value, bad URL).
        case invalidRequest
        /// The adapter is misconfigured for this definition or method.
        case configuration
        /// The connection's config lacks a value the method's templates need (`{config.region}` in the path), or holds
        /// one that cannot be sent: the connection's fault, not the caller's nor the definition's.
        case connectionConfiguration
        /// The TLS handshake failed: the upstream's certificate is not trusted, or the upstream refused ours.
        case tls
        /// The connection's credentials cannot be used as stored (a malformed client certificate or key).
        case invalidCredentials
        /// The connection's config names a target the adapter refuses to reach (the SQL adapter: Switchboard's own
        /// database). The connection's fault: every call fails the same way until its config changes.
        case refusedTarget
        /// The connection's config holds a secret that belongs in its credentials (the SQL adapter: a password in
        /// `databaseUrl`). Refused when the config is written; a call on such a config is refused too.
        case secretInConfig
        /// The provider refused the credentials at login (the SQL adapter: PostgreSQL refused the role or password).
        case authentication
        /// Anything else in the transport.
        case other
    }

    public var kind: Kind
    public var message: String
    /// The method setting at fault, as a dotted path inside the method's options (`soap.version`), when the error is
    /// about one (`configuration` errors of the adapters' option parsing).
    public var field: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }
}

/// Runs methods of one integration type. Implementations are stateless or share pooled clients; they are chosen
/// by the definition's type, and custom ones can be registered in code.
public protocol Adapter: Sendable {
    func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse

    /// Checks `method`'s adapter settings (`graphql`, `soap`, `sql`...) when a definition is written, with the same
    /// parsing `execute` does, so that a definition whose calls would fail on its settings is refused (422) instead.
    ///
    /// - Returns: the error `execute` would throw for these settings, or nil. Its `field` (`graphql.query`) locates
    ///   the problem; the default implementation (custom adapters registered in code) accepts everything.
    func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError?

    /// Checks a connection's `config` (defaults applied) for `definition` when it is written (created or changed), so
    /// that a config every call would refuse is refused then (422). `execute` checks it again on every call.
    ///
    /// - Returns: the error `execute` would throw for this config, or nil; its `field` (`sqlitePath`) names the
    ///   config member at fault. The default implementation accepts every config.
    func validate(config: JSONObject, of definition: IntegrationDefinition) -> AdapterError?
}

extension Adapter {
    public func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError? { nil }
    public func validate(config: JSONObject, of definition: IntegrationDefinition) -> AdapterError? { nil }
}

/// The adapters by integration type.
public struct AdapterRegistry: Sendable {
    private var adapters: [IntegrationType: any Adapter] = [:]

    public init() {}

    public mutating func register(_ adapter: any Adapter, for type: IntegrationType) { adapters[type] = adapter }

    public func adapter(for type: IntegrationType) -> (any Adapter)? { adapters[type] }

    /// Problems in the adapter settings of `definition`'s methods, found by the adapter of its type
    /// (`Adapter.validate(_:of:)`), each with its path in the document: `/methods/0/graphql/query`, or
    /// `/methods/0/options/graphql/query` when the document put the settings under `options`.
    public func problems(in definition: IntegrationDefinition) -> [Problem] {
        guard let adapter = adapters[definition.type] else { return [] }
        var out: [Problem] = []
        let documented = definition.document["methods"]?.arrayValue ?? []
        for (i, method) in definition.methods.enumerated() {
            guard let error = adapter.validate(method, of: definition) else { continue }
            let tokens = (error.field ?? "").split(separator: ".").map(String.init)
            var path = "/methods/\(i)"
            if let first = tokens.first, i < documented.count, documented[i][first] == nil, documented[i]["options"]?[first] != nil {
                path += "/options"
            }
            out.append(Problem(path: path + tokens.map { "/" + JSONPointer.escape($0) }.joined(), message: error.message))
        }
        return out
    }

    /// The problem in a connection's `config` for `definition`, found by the adapter of its type
    /// (`Adapter.validate(config:of:)`), with its path in the connection document (`/config/sqlitePath`), and the
    /// kind of error the adapter gave (a `secretInConfig` is answered apart from other refusals).
    public func problems(inConfig config: JSONObject, of definition: IntegrationDefinition) -> (kind: AdapterError.Kind, problems: [Problem])? {
        guard let error = adapters[definition.type]?.validate(config: config, of: definition) else { return nil }
        let tokens = (error.field ?? "").split(separator: ".").map(String.init)
        return (error.kind, [Problem(path: "/config" + tokens.map { "/" + JSONPointer.escape($0) }.joined(), message: error.message)])
    }
}

extension String {
    func caseInsensitiveCompare(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}
