import JSONValue
import JSONata
import SwitchboardCore
import Synchronization

/// A bounded cache of compiled JSONata expressions, shared across requests and threads.
///
/// When full, the oldest entry is evicted (insertion order), so memory stays bounded whatever users send.
public final class ExpressionCache: Sendable {
    private struct State {
        var entries: [String: JSONataExpression] = [:]
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 1024) { self.capacity = max(1, capacity) }

    /// The compiled expression for `source`, compiled on first use; syntax errors as `TRANSFORM_ERROR`.
    public func expression(_ source: String) throws(SwitchboardError) -> JSONataExpression {
        if let hit = state.withLock({ $0.entries[source] }) { return hit }
        let compiled: JSONataExpression
        do { compiled = try JSONataExpression(compiling: source) } catch { throw TransformErrors.jsonata(error) }
        state.withLock { s in
            guard s.entries[source] == nil else { return }
            if s.entries.count >= capacity {
                let oldest = s.order[s.head]
                s.entries[oldest] = nil
                s.order[s.head] = source
                s.head = (s.head + 1) % capacity
            } else {
                s.order.append(source)
            }
            s.entries[source] = compiled
        }
        return compiled
    }

    /// Number of cached expressions.
    public var count: Int { state.withLock { $0.entries.count } }
}

/// The errors of the transformation area, in Switchboard's one error shape.
public enum TransformErrors {
    /// 422 `TRANSFORM_ERROR` with the JSONata code, position and token in `details`.
    public static func jsonata(_ e: JSONataError, context: String? = nil) -> SwitchboardError {
        var detail: JSONObject = ["code": .string(e.code), "message": .string(e.message)]
        detail["position"] = e.position.map { .number(Double($0)) } ?? .null
        detail["token"] = e.token.map(JSON.string) ?? .null
        let prefix = context.map { $0 + ": " } ?? ""
        return SwitchboardError(code: "TRANSFORM_ERROR", message: "\(prefix)\(e.code): \(e.message)", details: [.object(detail)], status: 422)
    }

    public static func transform(_ message: String, details: [JSON] = []) -> SwitchboardError {
        SwitchboardError(code: "TRANSFORM_ERROR", message: message, details: details, status: 422)
    }
}

/// Evaluates JSONata with the server's limits.
public struct TransformEvaluator: Sendable {
    public let cache: ExpressionCache
    public let limits: EvaluationLimits

    public init(cache: ExpressionCache = ExpressionCache(), limits: EvaluationLimits = EvaluationLimits(maxDepth: 500, timeLimit: .seconds(2))) {
        self.cache = cache
        self.limits = limits
    }

    /// `POST /v1/transform`: compiles (cached) and evaluates; `nil` is undefined.
    public func evaluate(_ expression: String, input: JSON?, bindings: [String: JSON] = [:]) throws(SwitchboardError) -> JSON? {
        let compiled = try cache.expression(expression)
        return try run(compiled, input: input, bindings: bindings)
    }

    public func run(_ compiled: JSONataExpression, input: JSON?, bindings: [String: JSON] = [:], context: String? = nil) throws(SwitchboardError)
        -> JSON?
    {
        do { return try compiled.evaluate(input: input, bindings: bindings, limits: limits) } catch {
            throw TransformErrors.jsonata(error, context: context)
        }
    }
}
