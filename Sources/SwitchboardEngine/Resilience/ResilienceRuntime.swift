import JSONValue
import Logging
import Synchronization
import SwitchboardAdapters
import SwitchboardCore
import SwitchboardResilience

/// The shared state of the resilience layers for one Switchboard process: circuit breakers and bulkheads per
/// connection, rate limiters (in-process, or shared through PostgreSQL), response caches and last good
/// responses per method. Configurations are merged from definition, method and connection and cached.
public final class ResilienceRuntime: Sendable {
    public let breakers = CircuitBreakerRegistry()
    public let bulkheads = BulkheadRegistry()
    public let rateLimits: any RateLimitStore
    public let clock: AnyResilienceClock
    let caches = Mutex<[String: ResponseCacheStore<AdapterResponse>]>([:])
    let lastGood = Mutex<[String: ResponseCacheStore<AdapterResponse>]>([:])
    let configurations = Mutex<[ConfigurationKey: ResilienceConfiguration]>([:])

    /// What a merged configuration depends on: the definition version, the method, the connection's version.
    struct ConfigurationKey: Hashable {
        var definitionKey: String
        var definitionVersion: SemanticVersion
        var method: String
        var connectionId: String
        var connectionVersion: Int
    }
    public let metrics = ResilienceMetrics()

    /// - Parameters:
    ///   - rateLimits: in-process limiters (one node, SQLite) or a store shared by every node (PostgreSQL).
    ///   - clock: the system clock; tests pass a manual one.
    public init(rateLimits: any RateLimitStore = RateLimiterRegistry(), clock: any ResilienceClock = SystemResilienceClock()) {
        self.rateLimits = rateLimits
        self.clock = AnyResilienceClock(clock)
    }

    /// The merged configuration of `method` on `connection` (definition < method < connection `metadata.resilience`).
    func configuration(_ definition: IntegrationDefinition, _ method: DefinitionMethod, _ connection: Connection) throws(SwitchboardError)
        -> ResilienceConfiguration
    {
        let key = ConfigurationKey(
            definitionKey: definition.key, definitionVersion: definition.version, method: method.name, connectionId: connection.id,
            connectionVersion: connection.version)
        if let hit = configurations.withLock({ $0[key] }) { return hit }
        do {
            let config = try ResilienceConfiguration.layered(
                definition: definition.resilience, method: Self.methodLevel(method), connection: connection.metadata["resilience"])
            configurations.withLock { c in
                if c.count > 10_000 { c.removeAll() }
                c[key] = config
            }
            return config
        } catch {
            throw SwitchboardError(
                code: "DEFINITION_ERROR", message: "the resilience settings of method '\(method.name)' are invalid",
                details: error.issues.map { ["path": .string($0.path), "message": .string($0.message)] }, status: 409)
        }
    }

    /// The method's `resilience` block, with the shorthand fields `retry`, `rateLimit` and `cache` folded in.
    static func methodLevel(_ m: DefinitionMethod) -> JSON? {
        var o = m.resilience?.objectValue ?? [:]
        if let r = m.retry { o["retry"] = r }
        if let r = m.rateLimit { o["rateLimit"] = r }
        if let c = m.cache { o["cache"] = c }
        return o.isEmpty ? nil : .object(o)
    }

    /// Problems in a definition's resilience settings, for validation on write.
    public static func problems(in definition: IntegrationDefinition) -> [Problem] {
        var out: [Problem] = []
        func check(_ json: JSON?, _ path: String) {
            guard let json else { return }
            do { _ = try ResilienceConfiguration(json: json, path: path) } catch { out += error.issues.map { problem($0) } }
        }
        check(definition.resilience, "resilience")
        for (i, m) in definition.methods.enumerated() { check(methodLevel(m), "methods.\(i).resilience") }
        return out
    }

    /// Problems in a connection's `metadata.resilience`, for validation on write: it is layered over the definition's
    /// and each method's settings exactly as calls layer it (`configuration(_:_:_:)`), so what is accepted here is
    /// what calls can use. Paths start at `/metadata/resilience`.
    public static func problems(inConnectionLayer layer: JSON?, of definition: IntegrationDefinition) -> [Problem] {
        guard let layer else { return [] }
        var out: [Problem] = []
        var seen: Set<String> = []
        let methodLevels: [JSON?] = definition.methods.isEmpty ? [nil] : definition.methods.map(methodLevel)
        for method in methodLevels {
            do { _ = try ResilienceConfiguration.layered(definition: definition.resilience, method: method, connection: layer) } catch {
                for issue in error.issues where seen.insert(issue.description).inserted { out.append(problem(issue, under: "/metadata")) }
            }
        }
        return out
    }

    /// An issue's dotted path (`resilience.retry.maxAtempts`) as a problem's JSON pointer (`/resilience/retry/maxAtempts`).
    static func problem(_ issue: ConfigurationError.Issue, under prefix: String = "") -> Problem {
        Problem(path: prefix + "/" + issue.path.replacing(".", with: "/"), message: issue.message)
    }

    func responseCache(_ key: String, _ config: CacheConfiguration) -> ResponseCacheStore<AdapterResponse> {
        caches.withLock { c in
            if let existing = c[key] { return existing }
            let store = ResponseCacheStore<AdapterResponse>(configuration: config)
            c[key] = store
            return store
        }
    }

    func lastGoodStore(_ key: String) -> ResponseCacheStore<AdapterResponse> {
        lastGood.withLock { c in
            if let existing = c[key] { return existing }
            let store = ResponseCacheStore<AdapterResponse>(configuration: CacheConfiguration(ttl: .seconds(365 * 86400), maxEntries: 1000))
            c[key] = store
            return store
        }
    }

    /// The breakers of a connection, for its health endpoint.
    public func health(connectionId: String) -> [(key: String, breaker: CircuitBreaker)] {
        breakers.all.filter { $0.key == connectionId || $0.key.hasPrefix(connectionId + "|") }.map { ($0.key, $0.value) }.sorted { $0.key < $1.key }
    }
}

/// Counters of every resilience decision (exported as metrics).
public final class ResilienceMetrics: Sendable {
    private let counters = Mutex<[String: Int]>([:])

    public init() {}

    func increment(_ name: String) { counters.withLock { $0[name, default: 0] += 1 } }

    /// `name -> count`, e.g. `retries`, `circuit_rejected`, `rate_limited`, `cache_hits`.
    public var snapshot: [String: Int] { counters.withLock { $0 } }
}

/// Maps pipeline decisions to events and metrics.
struct EngineResilienceObserver: ResilienceObserver {
    let events: EventBus
    let metrics: ResilienceMetrics
    let breakerKey: String
    let logger: Logger

    func observe(_ event: ResilienceEvent, request: ResilienceRequest) {
        switch event {
        case .circuitTransition(let t):
            metrics.increment("circuit_transitions")
            events.emit(
                t.eventName, connectionId: request.connectionID,
                payload: [
                    "connectionId": .string(request.connectionID), "breaker": .string(breakerKey), "from": .string(t.from.rawValue),
                    "to": .string(t.to.rawValue), "method": .string(request.method),
                ])
        case .circuitRejected: metrics.increment("circuit_rejected")
        case .rateLimitRejected: metrics.increment("rate_limit_rejected")
        case .rateLimitDelayed: metrics.increment("rate_limit_delayed")
        case .rateLimitStoreFailed(let key, let error):
            metrics.increment("rate_limit_store_failures")
            logger.warning("rate-limit store failed; the call proceeds without that limit", metadata: ["rate_limit.key": "\(key)", "error": "\(error)"])
        case .bulkheadRejected: metrics.increment("bulkhead_rejected")
        case .cacheHit: metrics.increment("cache_hits")
        case .cacheMiss: metrics.increment("cache_misses")
        case .cacheStored: break
        case .attemptFailed: metrics.increment("attempts_failed")
        case .retryScheduled: metrics.increment("retries")
        case .retryGaveUp: metrics.increment("retries_exhausted")
        case .timedOut(let code): metrics.increment(code == .timeout ? "timeouts" : "attempt_timeouts")
        case .succeeded: break
        }
    }
}

/// An upstream answer with an error status, thrown inside an attempt so retry and breaker can judge it.
struct UpstreamStatusError: Error, ResilienceClassifiable {
    let response: AdapterResponse

    var attemptFailure: AttemptFailure {
        .http(response.status ?? 0, headers: HeaderFields(response.headers.map { HeaderFields.Field(name: $0.name, value: $0.value) }))
    }
}

/// A transport failure, classified for retry and breaker.
struct TransportError: Error, ResilienceClassifiable {
    let error: AdapterError

    var attemptFailure: AttemptFailure {
        switch error.kind {
        case .timeout: .kind(.timeout)
        case .connection: .kind(error.message.contains("refused") || error.message.contains("cannot connect") ? .connectionRefused : .connectionReset)
        default: .kind(.other)
        }
    }
}

/// A type-erased clock, so the runtime can hold the system clock or a test's manual one.
public struct AnyResilienceClock: ResilienceClock {
    let base: any ResilienceClock

    public init(_ base: any ResilienceClock) { self.base = base }

    public var now: ResilienceInstant { base.now }

    public func sleep(until deadline: ResilienceInstant) async throws { try await base.sleep(until: deadline) }
}
