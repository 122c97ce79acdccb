import JSONSchema
import JSONValue
import JSONata
import Logging
import Synchronization
import SwitchboardAdapters
import SwitchboardCore
import SwitchboardResilience

/// Runs a connection's method: the whole pipeline in one readable place.
///
/// 1. load the connection and its definition version (cached; invalidated on change)
/// 2. refuse unless the connection is CONNECTED (or the definition needs no auth)
/// 3. validate the parameters against `paramSchema`
/// 4. apply the request transform (JSONata)
/// 5. resolve credentials (the vault, through `CredentialProvider`)
/// 6. build the request from the templates, inject authentication, send it through the adapter with the
///    method's timeout (once more after refreshing credentials on a 401)
/// 7. map the response to SUCCESS or a typed error
/// 8. apply the response transform, validate against `resultSchema`
/// 9. record the execution, emit an event, update lastUsedAt — all batched off the hot path
public struct MethodExecutor: Sendable {
    public let connections: any ConnectionRepository
    public let definitions: any DefinitionRepository
    public let adapters: AdapterRegistry
    public let credentials: (any CredentialProvider)?
    public let schemas: JSONSchemaChecker
    public let cache: ExecutionCache
    public let recorder: ExecutionRecorder
    public let events: EventBus
    public let resilience: ResilienceRuntime
    public let clock: any WallClock
    public let logger: Logger
    /// Applied when neither the method nor the connection sets a timeout.
    public var defaultTimeout: Duration = .seconds(30)
    /// Limits for request/response transforms.
    public var transformLimits = EvaluationLimits(maxDepth: 500, timeLimit: .seconds(2))

    public init(
        connections: any ConnectionRepository, definitions: any DefinitionRepository, adapters: AdapterRegistry,
        credentials: (any CredentialProvider)?, schemas: JSONSchemaChecker, cache: ExecutionCache, recorder: ExecutionRecorder,
        events: EventBus, resilience: ResilienceRuntime = ResilienceRuntime(), clock: any WallClock, logger: Logger
    ) {
        self.resilience = resilience
        self.connections = connections
        self.definitions = definitions
        self.adapters = adapters
        self.credentials = credentials
        self.schemas = schemas
        self.cache = cache
        self.recorder = recorder
        self.events = events
        self.clock = clock
        self.logger = logger
    }

    /// Runs `methodName` on `connectionId` with `params`; never throws: every failure is an ERROR result.
    /// - Parameter testing: a connection test (`ConnectionService.test`): this call alone runs on a connection that is
    ///   not CONNECTED yet or whose credentials were refused (PENDING_AUTHENTICATION, AUTH_ERROR; any status when the
    ///   definition needs no auth) as if it were; the other calls on it meanwhile are refused as usual.
    public func execute(connectionId: String, methodName: String, params: JSON, testing: Bool = false) async -> ExecutionResult {
        let started = ContinuousClock.now
        let startedAt = clock.now()
        let executionId = Identifier.make(prefix: "exec_", now: startedAt)
        var trace = Trace()
        var result: ExecutionResult
        do {
            trace.testing = testing
            var data = try await run(connectionId: connectionId, methodName: methodName, params: params, trace: &trace)
            if let r = trace.redactor, let redacted = r.redactedIfNeeded(data) { data = redacted }
            var success = ExecutionResult(
                executionId: executionId, data: data, error: nil, partialData: nil, attempts: trace.attempts, durationMs: elapsed(started),
                cached: trace.cached, fallback: trace.fallback)
            success.headers = trace.responseHeaders
            success.requestSignature = trace.requestSignature
            result = success
        } catch let error as SwitchboardError {
            result = ExecutionResult(
                executionId: executionId, data: nil, error: trace.redactor.map { r in Self.redacted(error, r) } ?? error,
                partialData: trace.partialData.map { p in trace.redactor?.redactedIfNeeded(p) ?? p },
                attempts: trace.attempts, durationMs: elapsed(started), cached: false, fallback: false)
        } catch let error as any SwitchboardErrorConvertible where error.switchboardError != nil {
            // The database is unavailable (loading the connection, its definition or its credentials): a 503.
            logger.error("execution failed", metadata: ["connection.id": "\(connectionId)", "method": "\(methodName)", "error": "\(error)"])
            result = ExecutionResult(
                executionId: executionId, data: nil, error: error.switchboardError, partialData: nil, attempts: trace.attempts,
                durationMs: elapsed(started), cached: false, fallback: false)
        } catch {
            logger.error("unexpected execution failure", metadata: ["connection.id": "\(connectionId)", "method": "\(methodName)", "error.type": "\(type(of: error))"])
            result = ExecutionResult(
                executionId: executionId, data: nil, error: .internalError("the execution failed unexpectedly"), partialData: nil,
                attempts: trace.attempts, durationMs: elapsed(started), cached: false, fallback: false)
        }
        result.isRecorded = record(result, connectionId: connectionId, methodName: methodName, startedAt: startedAt, trace: trace)
        return result
    }

    /// Per-call facts gathered along the pipeline for the log and the event.
    struct Trace {
        var attempts = 0
        var connection: Connection?
        var definition: IntegrationDefinition?
        var definitionVersion: String?
        var httpStatus: Int?
        var requestBytes = 0
        var responseBytes = 0
        var requestBody: String?
        var responseBody: String?
        var partialData: JSON?
        var redactor: SecretRedactor?
        var cached = false
        var fallback = false
        var inFallback = false
        /// A connection test's call (see `execute(connectionId:methodName:params:testing:)`).
        var testing = false
        /// The provider's response headers (for callers that page by `Link`).
        var responseHeaders: [(name: String, value: String)] = []
        /// What the request asked the provider (`AdapterResponse.requestSignature`), when the answer depends on nothing else.
        var requestSignature: RequestSignature?
    }

    func run(connectionId: String, methodName: String, params: JSON, trace: inout Trace) async throws -> JSON {
        // 1. Connection and definition.
        var connection = try await loadConnection(connectionId)
        trace.connection = connection
        let prepared = try await loadDefinition(connection)
        let definition = prepared.definition
        if trace.testing && (definition.auth.type == .none || [.pendingAuthentication, .authError].contains(connection.status)) {
            connection.status = .connected
        }
        trace.definition = definition
        trace.definitionVersion = prepared.versionText
        guard let method = prepared.methods[methodName] else { throw ExecutionErrors.methodNotFound(methodName, definition) }

        // 2. Usable?
        if definition.auth.type != .none && connection.status != .connected { throw ExecutionErrors.notUsable(connection) }
        if definition.auth.type == .none && [.disconnected, .configError, .pendingConfiguration].contains(connection.status) {
            throw ExecutionErrors.notUsable(connection)
        }

        // 3. Parameters.
        if let schema = method.paramSchema {
            let result = schema.validate(params, mode: .allErrors)
            if !result.isValid {
                throw ExecutionErrors.invalidParams(result.errors.map { Problem(path: $0.instanceLocation.description, message: $0.message) })
            }
        }

        // 4. Request transform.
        var effectiveParams = params
        if let t = method.requestTransform {
            do {
                effectiveParams = try t.evaluate(input: params, bindings: ["config": .object(connection.config)], limits: transformLimits) ?? .null
            } catch { throw ExecutionErrors.transform("request", error.description, status: 422) }
        }

        // 5. Credentials.
        var creds: Credentials?
        if definition.auth.type != .none {
            guard let provider = credentials else { throw ExecutionErrors.notUsable(connection, "no credential store is configured") }
            creds = try await provider.credentials(for: connection, definition: definition)
            if creds == nil { throw ExecutionErrors.notUsable(connection, "connection \(connection.id) has no credentials") }
        }
        trace.redactor = SecretRedactor(creds)

        // 6. Send through the resilience layers (bulkhead, total timeout, rate limit, cache, breaker, retry,
        //    attempt timeout); within an attempt, a 401 refreshes the credentials once and tries again.
        guard let adapter = adapters.adapter(for: definition.type) else {
            throw SwitchboardError(code: "ADAPTER_NOT_AVAILABLE", message: "no adapter runs \(definition.type.rawValue) integrations", status: 409)
        }
        let timeout = method.compiled.method.timeoutMs.map { Duration.milliseconds($0) }
            ?? connection.config["timeoutMs"]?.intValue.map { Duration.milliseconds($0) } ?? defaultTimeout
        let request = AdapterRequest(
            definition: definition, method: method.compiled, connectionId: connection.id, config: connection.config, params: effectiveParams,
            credentials: creds, timeout: timeout, logger: logger)
        let config = try resilience.configuration(definition, method.compiled.method, connection)
        let response = try await send(adapter, request, config: config, connection: connection, trace: &trace)

        // 7. Response transform and result schema.
        var data = response.body
        // The answer is the provider's to that request, unless the response transform also reads the parameters.
        // (Both are looked at only when the signature is read: a sync reads it, a call through the API does not.)
        if let signature = response.requestSignature, let transform = method.responseTransform {
            trace.requestSignature = RequestSignature { transform.source.contains("$params") ? nil : signature.value }
        } else {
            trace.requestSignature = response.requestSignature
        }
        if let t = method.responseTransform {
            // The transform reads the answer redacted, as it does when the answer comes from the cache: a transform
            // (`$base64encode(headers.Authorization)`, `$substring`, `$error`) cannot hand a secret the provider echoed
            // back to the caller in a form the redaction of its result would not recognise.
            var input = response.body
            if let r = trace.redactor, let redacted = r.redactedIfNeeded(input) { input = redacted }
            do {
                data = try t.evaluate(input: input, bindings: ["params": params, "config": .object(connection.config)], limits: transformLimits) ?? .null
            } catch { throw ExecutionErrors.transform("response", error.description, status: 502) }
        }
        if let schema = method.resultSchema {
            let result = schema.validate(data, mode: .allErrors)
            if !result.isValid {
                throw ExecutionErrors.resultInvalid(result.errors.prefix(20).map { Problem(path: $0.instanceLocation.description, message: $0.message) })
            }
        }
        return data
    }

    /// Runs the call through the resilience pipeline and maps every way it can end.
    func send(
        _ adapter: any Adapter, _ request: AdapterRequest, config: ResilienceConfiguration, connection: Connection, trace: inout Trace
    ) async throws -> AdapterResponse {
        let m = request.method.method
        let log = AttemptLog(redactor: trace.redactor ?? SecretRedactor(nil), logBodies: m.logBodies)
        // A breaker declared on the method guards that method alone; one declared on the definition guards the connection.
        let perMethod = m.resilience?["circuitBreaker"] != nil  // (the shorthand fields methodLevel folds in are not breakers)
        let breakerKey = perMethod ? "\(connection.id)|\(m.name)" : connection.id
        let cacheable = config.cache != nil && (m.verb == .GET || m.verb == .HEAD || m.options["cacheable"]?.boolValue == true)
        let keepsLastGood = if case .lastGoodResponse = config.fallback?.action { true } else { false }
        // Answers kept for later are filed under the credentials they were fetched with (served to calls with the same
        // credentials only) and what else the request was built from (`answerScope`), and kept redacted (see `storable`).
        let keepsAnswers = cacheable || keepsLastGood
        let credentialsDigest = keepsAnswers ? request.credentials?.digest ?? "" : ""
        let cacheKey = cacheable ? Self.answerKey(connection, m, request.params, credentialsDigest) : nil
        let pipeline = ResiliencePipeline<AdapterResponse, AnyResilienceClock>(
            configuration: config, clock: resilience.clock,
            bulkhead: config.bulkhead.map { resilience.bulkheads.bulkhead(for: connection.id, configuration: $0) },
            rateLimitStore: config.rateLimits.isEmpty ? nil : resilience.rateLimits,
            circuitBreaker: config.circuitBreaker.map { resilience.breakers.breaker(for: breakerKey, configuration: $0) },
            cache: cacheable ? config.cache.map { resilience.responseCache("\(connection.id)|\(m.name)", $0) } : nil,
            observer: EngineResilienceObserver(events: events, metrics: resilience.metrics, breakerKey: breakerKey, logger: logger))
        let resilienceRequest = ResilienceRequest(
            definitionID: request.definition.key, connectionID: connection.id, method: m.name, httpMethod: m.verb.rawValue, cacheKey: cacheKey)
        let provider = credentials
        let definition = request.definition
        let outcome: Result<ResilienceResult<AdapterResponse>, ResilienceError>
        do {
            outcome = .success(try await pipeline.execute(resilienceRequest) { context in
                var attemptRequest = request
                if let key = context.idempotencyKey { attemptRequest.idempotencyKey = (key.name, key.value) }
                var response = try await Self.attempt(adapter, attemptRequest, log: log)
                if response.status == 401, let provider, let rejected = attemptRequest.credentials, log.claimRefresh(),
                    let fresh = try await provider.refreshAfterUnauthorized(connection: connection, definition: definition, rejected: rejected)
                {
                    attemptRequest.credentials = fresh
                    log.redactor = SecretRedactor(fresh)
                    response = try await Self.attempt(adapter, attemptRequest, log: log)
                }
                if let status = response.status, !(200..<300).contains(status) { throw UpstreamStatusError(response: response) }
                if response.protocolError != nil { throw ProtocolFailure(response: response) }
                return keepsAnswers ? Self.storable(response, redacting: [request.credentials, attemptRequest.credentials]) : response
            })
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let result):
            log.copy(into: &trace)
            trace.redactor = log.redactor  // after a refresh on 401, the new credentials'
            trace.responseHeaders = result.value.headers
            trace.cached = result.cached
            if result.cached { trace.attempts = 0 }
            if keepsLastGood, !result.cached {
                resilience.lastGoodStore("\(connection.id)|\(m.name)").insert(
                    result.value, forKey: Self.answerKey(connection, m, request.params, credentialsDigest), now: resilience.clock.now)
            }
            return result.value
        case .failure(let error):
            log.copy(into: &trace)
            trace.redactor = log.redactor
            if let fallback = config.fallback, fallback.applies(to: error),
                let value = try await self.fallback(
                    fallback, connection: connection, method: m, params: request.params, credentialsDigest: credentialsDigest, trace: &trace)
            {
                trace.fallback = true
                return value
            }
            throw Self.map(error, trace: &trace)
        }
    }

    /// The key of a kept answer (a cached response, a last good response): the call's parameters, the digest of the
    /// credentials it was fetched with, and the connection's definition version and configuration, which the request
    /// was built from: after a PATCH of the config (another tenant, another base URL) or an upgrade to another
    /// definition version, what was fetched before is not served.
    static func answerKey(_ c: Connection, _ m: DefinitionMethod, _ params: JSON, _ credentialsDigest: String) -> ResponseCacheKey {
        let scope = "\(c.definitionVersion)\u{1F}\(JSON.object(c.config).serialized(.canonical))"
        return ResponseCacheKey(connectionID: c.id, method: m.name, params: params, credentials: credentialsDigest, scope: scope)
    }

    /// `response` as it may be kept for later calls (the response cache, the last good response): every secret of
    /// the credentials it was fetched with (those the call started with and, after a refresh on 401, the new ones)
    /// replaced in its body and header values, and the raw bodies, kept for the executions log only, dropped. A kept
    /// answer is served only with the same credentials (its key holds their digest), and even then holds no secret.
    static func storable(_ response: AdapterResponse, redacting credentials: [Credentials?]) -> AdapterResponse {
        var kept = response
        kept.requestBodyText = nil
        kept.responseBodyText = nil
        var seen: [Credentials] = []
        for case let c? in credentials where !seen.contains(c) {
            seen.append(c)
            let redactor = SecretRedactor(c)
            if let body = redactor.redactedIfNeeded(kept.body) { kept.body = body }
            kept.headers = kept.headers.map { (name: $0.name, value: redactor.redact($0.value)) }
        }
        return kept
    }

    /// The fallback's answer, or nil when it has none (no last good response fetched with these credentials yet).
    func fallback(
        _ f: FallbackConfiguration, connection: Connection, method: DefinitionMethod, params: JSON, credentialsDigest: String, trace: inout Trace
    ) async throws -> AdapterResponse? {
        switch f.action {
        case .staticValue(let value):
            return AdapterResponse(status: 200, body: value)
        case .lastGoodResponse(let maxAge):
            let key = Self.answerKey(connection, method, params, credentialsDigest)
            guard let (value, storedAt) = resilience.lastGoodStore("\(connection.id)|\(method.name)").staleValue(forKey: key) else { return nil }
            if let maxAge, resilience.clock.now - storedAt > maxAge { return nil }
            return value
        case .method(let name, let fixedParams):
            guard name != method.name, !trace.inFallback else { return nil }
            var nested = Trace()
            nested.inFallback = true
            nested.testing = trace.testing
            let data = try await run(connectionId: connection.id, methodName: name, params: fixedParams ?? params, trace: &nested)
            trace.attempts += nested.attempts
            return AdapterResponse(status: 200, body: data)
        }
    }

    /// One attempt on the adapter, its facts noted in `log`.
    static func attempt(_ adapter: any Adapter, _ request: AdapterRequest, log: AttemptLog) async throws -> AdapterResponse {
        log.begin()
        do {
            let response = try await adapter.execute(request)
            log.note(response)
            return response
        } catch {
            // A request the adapter could not build or send (a template value, the connection's config or credentials,
            // the definition's settings) never reached the provider: it is not counted as an attempt.
            if Self.refusedBeforeSending.contains(error.kind) { log.sentNothing() }
            throw TransportError(error: error)
        }
    }

    /// The adapter failures that happen before anything is sent.
    static let refusedBeforeSending: Set<AdapterError.Kind> = [
        .invalidRequest, .configuration, .connectionConfiguration, .invalidCredentials, .refusedTarget, .secretInConfig,
    ]

    /// The wait, in seconds, a provider's `Retry-After` asks for (RFC 9110: delay-seconds or an HTTP-date; a date in
    /// the past is no wait); nil when there is none or it is neither form ("nan", "-5", "1.5" are not waits).
    static func providerRetryAfter(_ response: AdapterResponse) -> Double? {
        guard let value = response.header("Retry-After"), let delay = RetryAfter.delay(from: value, now: SystemResilienceClock().now) else {
            return nil
        }
        return retryAfterSeconds(delay)
    }

    /// A wait as the answer's `retryAfter`: seconds to the millisecond, rounded up (waiting that long is enough), and
    /// at most 10^9 seconds (about 31 years), as in the `Retry-After` header sent with it.
    static func retryAfterSeconds(_ wait: Duration) -> Double {
        let (seconds, attoseconds) = wait.components
        return min(Double(seconds) + (Double(attoseconds) / 1e15).rounded(.up) / 1000, maximumRetryAfter)
    }

    /// The longest wait an answer gives (`APIResponse.headers(retryAfter:)` caps the header at the same).
    public static let maximumRetryAfter: Double = 1e9

    /// Maps how a call ended (a resilience decision, an upstream answer, a transport failure) to the API's error.
    static func map(_ error: ResilienceError, trace: inout Trace) -> SwitchboardError {
        let retryAfter = error.retryAfter.map(retryAfterSeconds)
        switch error.code {
        case .circuitOpen:
            return SwitchboardError(code: "CIRCUIT_OPEN", message: error.message, status: 503, retryAfter: retryAfter)
        case .bulkheadFull:
            return SwitchboardError(code: "BULKHEAD_FULL", message: error.message, status: 503)
        case .timeout:
            return ExecutionErrors.timeout("the call did not finish within its total timeout", attempt: false)
        case .attemptTimeout:
            return ExecutionErrors.timeout("the provider did not answer within the attempt timeout", attempt: true)
        case .cancelled:
            return SwitchboardError(code: "CANCELLED", message: "the call was cancelled", status: 499)
        case .rateLimitExceeded:
            var e = SwitchboardError(code: "RATE_LIMIT_EXCEEDED", message: error.message, status: 429, retryAfter: retryAfter)
            if let upstream = error.underlying as? UpstreamStatusError {
                do { try check(upstream.response, trace: &trace) } catch let mapped as SwitchboardError { e.details = mapped.details } catch {}
                e.retryAfter = e.retryAfter ?? providerRetryAfter(upstream.response)
            }
            return e
        case .retriesExhausted, .operationFailed:
            switch error.underlying {
            case let upstream as UpstreamStatusError:
                do { try check(upstream.response, trace: &trace) } catch let mapped as SwitchboardError { return mapped } catch {}
                return SwitchboardError(code: "UPSTREAM_ERROR", message: "the provider failed", status: 502)
            case let p as ProtocolFailure:
                do { try check(p.response, trace: &trace) } catch let mapped as SwitchboardError { return mapped } catch {}
                return SwitchboardError(code: "UPSTREAM_ERROR", message: "the provider failed", status: 502)
            case let t as TransportError:
                return map(t.error)
            case let s as SwitchboardError:
                return s
            case let own as ResilienceError:  // the last attempt's own timeout (`attemptTimeoutMs`): ATTEMPT_TIMEOUT
                return map(own, trace: &trace)
            default:
                return SwitchboardError(code: "UPSTREAM_ERROR", message: "the call failed", status: 502)
            }
        }
    }

    static func map(_ error: AdapterError) -> SwitchboardError {
        switch error.kind {
        case .timeout: ExecutionErrors.timeout("the provider did not answer within the method's timeout", attempt: true)
        case .connection: SwitchboardError(code: "UPSTREAM_UNAVAILABLE", message: error.message, status: 502)
        case .responseTooLarge: SwitchboardError(code: "RESPONSE_TOO_LARGE", message: error.message, status: 502)
        case .invalidRequest: .validation(error.message)
        case .configuration: SwitchboardError(code: "DEFINITION_ERROR", message: error.message, status: 409)
        case .connectionConfiguration: SwitchboardError(code: "CONNECTION_NOT_USABLE", message: error.message, status: 409)
        case .tls: SwitchboardError(code: "UPSTREAM_TLS_ERROR", message: error.message, status: 502)
        case .invalidCredentials: SwitchboardError(code: "CREDENTIALS_INVALID", message: error.message, status: 409)
        case .refusedTarget: SwitchboardError(code: "CONNECTION_TARGET_REFUSED", message: error.message, status: 409)
        case .secretInConfig: SwitchboardError(code: "CONNECTION_NOT_USABLE", message: error.message, status: 409)
        case .authentication: SwitchboardError(code: "UPSTREAM_AUTH_ERROR", message: error.message, status: 502)
        case .other: SwitchboardError(code: "UPSTREAM_ERROR", message: error.message, status: 502)
        }
    }

    /// Turns a provider's answer into SUCCESS (returns) or the typed error (throws).
    static func check(_ response: AdapterResponse, trace: inout Trace) throws {
        if let p = response.protocolError {
            trace.partialData = response.body.isNull ? JSON?.none : response.body
            throw SwitchboardError(code: p.code, message: p.message, details: p.details, status: 502)
        }
        guard let status = response.status, !(200..<300).contains(status) else { return }
        let excerpt: JSON = {
            if case .string(let s) = response.body { return .string(String(s.prefix(1024))) }
            let text = response.body.serialized()
            return text.utf8.count <= 2048 ? response.body : .string(String(text.prefix(1024)))
        }()
        let details: [JSON] = [["status": .number(Double(status)), "body": excerpt]]
        switch status {
        case 429:
            let retryAfter = providerRetryAfter(response)
            throw SwitchboardError(code: "RATE_LIMIT_EXCEEDED", message: "the provider is rate limiting this connection", details: details, status: 429, retryAfter: retryAfter)
        case 401, 403:
            throw SwitchboardError(code: "UPSTREAM_AUTH_ERROR", message: "the provider refused the credentials (HTTP \(status))", details: details, status: 502)
        case 404:
            throw SwitchboardError(code: "UPSTREAM_NOT_FOUND", message: "the provider answered 404 Not Found", details: details, status: 502)
        case 400..<500:
            throw SwitchboardError(code: "UPSTREAM_CLIENT_ERROR", message: "the provider rejected the request (HTTP \(status))", details: details, status: 502)
        default:
            throw SwitchboardError(code: "UPSTREAM_ERROR", message: "the provider failed (HTTP \(status))", details: details, status: 502)
        }
    }

    static func redacted(_ e: SwitchboardError, _ r: SecretRedactor) -> SwitchboardError {
        let secrets = r.secrets
        guard !secrets.isEmpty else { return e }
        var out = e
        out.message = SecretRedactor.redact(e.message, secrets)
        out.details = e.details.map { SecretRedactor.redact($0, secrets) }
        return out
    }

    func loadConnection(_ id: String) async throws -> Connection {
        if let c = cache.connection(id) { return c }
        let generation = cache.generation
        guard Identifier.isWellFormed(id, prefix: "conn_"), let c = try await connections.get(id: id) else { throw ExecutionErrors.connectionNotFound(id) }
        cache.store(c, readAt: generation)
        return c
    }

    func loadDefinition(_ c: Connection) async throws -> PreparedDefinition {
        if let d = cache.definition(c.definitionKey, c.definitionVersion) { return d }
        let generation = cache.generation
        guard let d = try await definitions.version(key: c.definitionKey, version: c.definitionVersion) else {
            throw SwitchboardError(code: "DEFINITION_NOT_FOUND", message: "the connection's definition version no longer exists", status: 409)
        }
        let prepared = try PreparedDefinition(d, schemas: schemas)
        cache.store(prepared, readAt: generation)
        return prepared
    }

    /// Milliseconds since `start`, to the microsecond: the answer's `meta`, the execution record and the event carry
    /// this one value.
    func elapsed(_ start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return (Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12).rounded() / 1000
    }

    /// A method name as the log and events keep it: at most 200 characters (a name from the path of a call on a method
    /// that does not exist can be as long as the URL), NUL as U+FFFD.
    static func loggable(_ name: String) -> String {
        let clean = name.withoutNUL
        return clean.count > 200 ? String(clean.prefix(200)) + "…" : clean
    }

    /// `startedAt` is the record's `createdAt`, the time in its (time-ordered) id: the log lists executions by id, so
    /// by `createdAt` too. Returns whether the call was recorded: not when its connection does not exist.
    func record(_ result: ExecutionResult, connectionId: String, methodName: String, startedAt: Timestamp, trace: Trace) -> Bool {
        let now = clock.now()
        let methodName = Self.loggable(methodName)
        let record = ExecutionRecord(
            id: result.executionId, connectionId: connectionId, definitionKey: trace.definition?.key ?? "",
            definitionVersion: trace.definitionVersion ?? "", method: methodName, status: result.isSuccess ? .success : .error,
            errorCode: result.error?.code, errorMessage: result.error?.message, httpStatus: trace.httpStatus, attempts: result.attempts,
            durationMs: result.durationMs, requestBytes: trace.requestBytes, responseBytes: trace.responseBytes, cached: result.cached,
            fallback: result.fallback, createdAt: startedAt, requestBody: trace.requestBody, responseBody: trace.responseBody)
        guard trace.connection != nil else { return false }  // unknown connection: nothing to log against
        recorder.record(record)
        var payload: JSONObject = [
            "executionId": .string(result.executionId), "connectionId": .string(connectionId), "method": .string(methodName),
            "definitionKey": .string(record.definitionKey), "definitionVersion": .string(record.definitionVersion),
            "durationMs": .number(record.durationMs), "attempts": .number(Double(record.attempts)),
            "httpStatus": record.httpStatus.map { .number(Double($0)) } ?? .null, "cached": .bool(record.cached), "fallback": .bool(record.fallback),
        ]
        if let e = result.error {
            payload["status"] = "ERROR"
            payload["errorCode"] = .string(e.code)
            payload["message"] = .string(e.message)
            events.emit("integration.method.failed", connectionId: connectionId, payload: payload)
        } else {
            payload["status"] = "SUCCESS"
            events.emit("integration.method.executed", connectionId: connectionId, payload: payload)
        }
        recorder.touch(connectionId: connectionId, at: now)
        return true
    }
}
