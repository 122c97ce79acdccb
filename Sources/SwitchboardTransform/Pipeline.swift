import JSONValue
import JSONata
import SwitchboardCore

/// Calls a method on a connection for an enrichment step; the server binds it to the method executor.
public protocol EnrichmentRunner: Sendable {
    /// The method's result data, or the execution's error.
    func call(connectionId: String, method: String, params: JSON) async throws(SwitchboardError) -> JSON
}

/// A transformation pipeline, compiled: ordered steps, each with an optional condition and an error handler.
///
/// ```json
/// {"name": "contacts", "steps": [
///   {"type": "filtering", "expression": "$not(archived = true)"},
///   {"type": "mapping", "mappingId": "map_..."},
///   {"type": "validation", "validatorId": "val_...", "onError": "ignore"},
///   {"type": "transformation", "expression": "$merge([$, {\"source\": \"hubspot\"}])"},
///   {"type": "enrichment", "connectionId": "conn_...", "method": "lookup", "params": "{\"email\": email}",
///    "merge": "company", "onError": {"action": "retry", "count": 2}}
/// ]}
/// ```
public struct CompiledPipeline: Sendable {
    public enum ErrorHandler: Sendable, Equatable {
        case ignore
        case retry(Int)
        case fallback(JSON)
        case `throw`
    }

    public enum Kind: String, Sendable, CaseIterable { case mapping, validation, transformation, enrichment, filtering }

    public enum Action: Sendable {
        case mapping(CompiledMapping)
        case validation(CompiledValidator)
        case transformation(JSONataExpression)
        case enrichment(connectionId: String, method: String, params: JSONataExpression?, merge: Merge)
        case filtering(JSONataExpression)
    }

    public enum Merge: Sendable {
        case path(FieldPath)
        case expression(JSONataExpression)
    }

    public struct Step: Sendable {
        public let name: String
        public let action: Action
        public let condition: JSONataExpression?
        public let onError: ErrorHandler
    }

    public let steps: [Step]

    /// What `run` needs besides the pipeline.
    public struct Context: Sendable {
        public var evaluator: TransformEvaluator
        public var schemas: any SchemaChecker
        public var enrichment: (any EnrichmentRunner)?

        public init(evaluator: TransformEvaluator, schemas: any SchemaChecker, enrichment: (any EnrichmentRunner)?) {
            self.evaluator = evaluator
            self.schemas = schemas
            self.enrichment = enrichment
        }
    }

    /// Compiles `definition`; `resolve(kind, id)` returns the compiled mapping or validator a step names.
    public init(
        _ definition: JSON, evaluator: TransformEvaluator,
        mapping: (String) async throws(SwitchboardError) -> CompiledMapping?,
        validator: (String) async throws(SwitchboardError) -> CompiledValidator?
    ) async throws(SwitchboardError) {
        var r = FieldReader(definition, path: "")
        _ = r.string("id")
        _ = r.string("name", required: true, maxLength: 200)
        _ = r.string("description")
        _ = r.raw("createdAt")
        _ = r.raw("updatedAt")
        var problems: [Problem] = []
        var steps: [Step] = []
        if case .array(let items)? = r.raw("steps") {
            for (i, item) in items.enumerated() {
                if let step = try await Self.readStep(
                    item, index: i, path: "/steps/\(i)", evaluator: evaluator, mapping: mapping, validator: validator, problems: &problems)
                {
                    steps.append(step)
                }
            }
        } else {
            r.report("steps", "is required and must be an array")
        }
        r.rejectUnknown()
        problems = r.problems + problems
        guard problems.isEmpty else { throw SwitchboardError.validation("the pipeline is not valid", problems: problems) }
        self.steps = steps
    }

    static func readStep(
        _ json: JSON, index: Int, path: String, evaluator: TransformEvaluator,
        mapping: (String) async throws(SwitchboardError) -> CompiledMapping?,
        validator: (String) async throws(SwitchboardError) -> CompiledValidator?, problems: inout [Problem]
    ) async throws(SwitchboardError) -> Step? {
        var r = FieldReader(json, path: path)
        let name = r.string("name") ?? "step \(index)"
        let kind = r.enumeration("type", Kind.self, required: true)
        func compile(_ key: String, required: Bool) -> JSONataExpression? {
            guard let text = r.string(key, required: required, maxLength: 100_000) else { return nil }
            do { return try evaluator.cache.expression(text) } catch {
                r.report(key, error.message)
                return nil
            }
        }
        let condition = compile("condition", required: false)
        var onError: ErrorHandler = .throw
        switch r.raw("onError") {
        case nil: break
        case .string(let s)?:
            switch s {
            case "ignore": onError = .ignore
            case "throw": onError = .throw
            case "retry": onError = .retry(1)
            default: r.report("onError", "must be ignore, retry, fallback or throw")
            }
        case .object(let o)?:
            var h = FieldReader(.object(o), path: r.child("onError"))
            switch h.string("action", required: true) {
            case "ignore"?: onError = .ignore
            case "throw"?: onError = .throw
            case "retry"?: onError = .retry(h.integer("count", range: 1...10) ?? 1)
            case "fallback"?: onError = .fallback(h.raw("value") ?? .null)
            case let other?: h.report("action", "'\(other)' is not one of ignore, retry, fallback, throw")
            case nil: break
            }
            _ = h.raw("value")
            _ = h.raw("count")
            h.rejectUnknown()
            r.absorb(h.problems)
        case let other?: r.report("onError", "must be a string or an object, not \(other.typeName)")
        }
        var action: Action?
        switch kind {
        case .mapping?:
            if let id = r.string("mappingId", required: true) {
                if let m = try await mapping(id) { action = .mapping(m) } else { r.report("mappingId", "no mapping with id '\(id)'") }
            }
        case .validation?:
            if let id = r.string("validatorId", required: true) {
                if let v = try await validator(id) { action = .validation(v) } else { r.report("validatorId", "no validator with id '\(id)'") }
            }
        case .transformation?:
            if let e = compile("expression", required: true) { action = .transformation(e) }
        case .filtering?:
            if let e = compile("expression", required: true) { action = .filtering(e) }
        case .enrichment?:
            let connectionId = r.string("connectionId", required: true)
            let method = r.string("method", required: true)
            let params = compile("params", required: false)
            var merge: Merge?
            if let text = r.string("merge", required: true) {
                if text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "[" || $0 == "]" }), let p = FieldPath(text) {
                    merge = .path(p)
                } else {
                    do { merge = .expression(try evaluator.cache.expression(text)) } catch { r.report("merge", error.message) }
                }
            }
            if let connectionId, let method, let merge {
                action = .enrichment(connectionId: connectionId, method: method, params: params, merge: merge)
            }
        case nil: break
        }
        r.rejectUnknown()
        problems += r.problems
        guard let action, r.problems.isEmpty else { return nil }
        return Step(name: name, action: action, condition: condition, onError: onError)
    }

    /// The outcome for one record.
    public enum Outcome: Sendable {
        case output(JSON)
        case dropped(step: Int)
        case failed(step: Int, error: SwitchboardError)

        /// The NDJSON line for record `index`.
        public func json(index: Int) -> JSON {
            switch self {
            case .output(let o): return ["index": .number(Double(index)), "output": o]
            case .dropped(let step): return ["index": .number(Double(index)), "dropped": true, "step": .number(Double(step))]
            case .failed(let step, let error):
                var e = error.json
                if case .object(var o) = e {
                    o["step"] = .number(Double(step))
                    e = .object(o)
                }
                return ["index": .number(Double(index)), "error": e]
            }
        }
    }

    /// Runs every step on `record` in order.
    public func run(_ record: JSON, context: Context) async -> Outcome {
        var current = record
        for (i, step) in steps.enumerated() {
            if let condition = step.condition {
                do {
                    guard try Self.truthy(context.evaluator.run(condition, input: current, context: "condition")) else { continue }
                } catch {
                    return .failed(step: i, error: error)
                }
            }
            var attemptsLeft = 1
            if case .retry(let n) = step.onError { attemptsLeft += n }
            while true {
                attemptsLeft -= 1
                let result = await perform(step, on: current, context: context, fallback: nil)
                switch result {
                case .success(.some(let next)):
                    current = next
                case .success(.none):
                    return .dropped(step: i)
                case .failure(let error):
                    if attemptsLeft > 0 { continue }
                    switch step.onError {
                    case .ignore: break
                    case .fallback(let value):
                        if case .enrichment = step.action {
                            if case .success(.some(let next)) = await perform(step, on: current, context: context, fallback: value) {
                                current = next
                            } else {
                                return .failed(step: i, error: error)
                            }
                        } else {
                            current = value
                        }
                    case .retry, .throw: return .failed(step: i, error: error)
                    }
                }
                break
            }
        }
        return .output(current)
    }

    /// One step: the new record, `nil` when filtered out, or the error.
    func perform(_ step: Step, on record: JSON, context: Context, fallback: JSON?) async -> Result<JSON?, SwitchboardError> {
        let ev = context.evaluator
        switch step.action {
        case .mapping(let mapping):
            let (output, errors) = mapping.apply(record, evaluator: ev, schemas: context.schemas)
            guard errors.isEmpty else {
                return .failure(
                    SwitchboardError(code: "MAPPING_FAILED", message: "the mapping failed on this record", details: errors.map(\.json), status: 422))
            }
            return .success(output)
        case .validation(let validator):
            let report = validator.validate(record, evaluator: ev, schemas: context.schemas)
            guard report.isValid else {
                let errors = report.failures.filter { $0.severity == .error }
                return .failure(
                    SwitchboardError(code: "VALIDATION_FAILED", message: "the record is not valid", details: errors.map(\.json), status: 422))
            }
            return .success(record)
        case .transformation(let e):
            do { return .success(try ev.run(e, input: record, context: step.name) ?? .null) } catch { return .failure(error) }
        case .filtering(let e):
            do { return .success(Self.truthy(try ev.run(e, input: record, context: step.name)) ? JSON?.some(record) : JSON?.none) } catch {
                return .failure(error)
            }
        case .enrichment(let connectionId, let method, let params, let merge):
            let result: JSON
            if let fallback {
                result = fallback
            } else {
                guard let runner = context.enrichment else {
                    return .failure(SwitchboardError(code: "ENRICHMENT_UNAVAILABLE", message: "no method executor is configured", status: 503))
                }
                do {
                    let p =
                        try params.map { e throws(SwitchboardError) in try ev.run(e, input: record, context: "params") ?? .object(JSONObject()) }
                        ?? record
                    result = try await runner.call(connectionId: connectionId, method: method, params: p)
                } catch { return .failure(error) }
            }
            switch merge {
            case .path(let path):
                var out = record
                do { try path.set(result, in: &out) } catch { return .failure(TransformErrors.transform(error.message)) }
                return .success(out)
            case .expression(let e):
                do { return .success(try ev.run(e, input: record, bindings: ["result": result], context: "merge") ?? .null) } catch {
                    return .failure(error)
                }
            }
        }
    }

    /// JSONata's boolean cast of a predicate result (undefined is false).
    static func truthy(_ value: JSON?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case .number(let n)?: return n != 0
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return a.contains { truthy($0) }
        case .object(let o)?: return !o.isEmpty
        }
    }
}
