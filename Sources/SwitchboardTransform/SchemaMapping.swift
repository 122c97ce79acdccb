import JSONValue
import JSONata
import SwitchboardCore

/// A schema mapping, compiled: every path parsed and every expression and regex compiled once.
///
/// ```json
/// {"name": "contact", "rules": [
///   {"source": "properties.email", "target": "contact.email", "transform": {"type": "string"}, "required": true},
///   {"source": "properties.age", "target": "contact.age", "transform": {"type": "number"}, "default": 0}
/// ]}
/// ```
public struct CompiledMapping: Sendable {
    public let sourceSchema: JSON?
    public let targetSchema: JSON?
    public let rules: [MappingRule]

    /// Compiles the `definition` (the stored mapping document); 422 `VALIDATION_ERROR` listing every problem.
    public init(_ definition: JSON, evaluator: TransformEvaluator, schemas: any SchemaChecker) throws(SwitchboardError) {
        var problems: [Problem] = []
        var r = FieldReader(definition, path: "")
        _ = r.string("id")
        _ = r.string("name", required: true, maxLength: 200)
        _ = r.string("description")
        _ = r.raw("createdAt")
        _ = r.raw("updatedAt")
        let source = r.raw("sourceSchema")
        let target = r.raw("targetSchema")
        for (key, schema) in [("sourceSchema", source), ("targetSchema", target)] {
            if let schema { r.absorb(schemas.problems(inSchema: schema).map { Problem(path: "/\(key)" + $0.path, message: $0.message) }) }
        }
        var rules: [MappingRule] = []
        if let raw = r.raw("rules") {
            if case .array(let items) = raw {
                for (i, item) in items.enumerated() {
                    if let rule = MappingRule.read(item, index: i, path: "/rules/\(i)", evaluator: evaluator, problems: &problems) {
                        rules.append(rule)
                    }
                }
            } else {
                r.report("rules", "must be an array")
            }
        } else {
            r.report("rules", "is required")
        }
        r.rejectUnknown()
        problems = r.problems + problems
        guard problems.isEmpty else { throw SwitchboardError.validation("the mapping is not valid", problems: problems) }
        sourceSchema = source
        targetSchema = target
        self.rules = rules
    }

    /// One problem of an application: the rule's index (nil for schema checks), the path and what went wrong.
    public struct ApplyError: Sendable, Equatable {
        public var rule: Int?
        public var path: String
        public var message: String

        public init(rule: Int?, path: String, message: String) {
            self.rule = rule
            self.path = path
            self.message = message
        }

        public var json: JSON { ["rule": rule.map { .number(Double($0)) } ?? .null, "path": .string(path), "message": .string(message)] }
    }

    /// Applies the mapping to one document: source checked against `sourceSchema`, rules in order, target checked.
    ///
    /// A failing source check stops before the rules; rule failures are collected and the other rules still run.
    public func apply(_ document: JSON, evaluator: TransformEvaluator, schemas: any SchemaChecker) -> (output: JSON, errors: [ApplyError]) {
        var errors: [ApplyError] = []
        if let sourceSchema {
            let problems = schemas.validate(document, against: sourceSchema)
            if !problems.isEmpty {
                return (.null, problems.map { ApplyError(rule: nil, path: $0.path, message: "source: \($0.message)") })
            }
        }
        var output: JSON = .object(JSONObject())
        for (i, rule) in rules.enumerated() {
            do { try rule.apply(to: document, output: &output, evaluator: evaluator) } catch {
                errors.append(ApplyError(rule: i, path: rule.target.description, message: error.message))
            }
        }
        if errors.isEmpty, let targetSchema {
            errors += schemas.validate(output, against: targetSchema).map { ApplyError(rule: nil, path: $0.path, message: "target: \($0.message)") }
        }
        return (output, errors)
    }
}

/// Why a rule failed, in words.
public struct RuleError: Error, Sendable {
    public var message: String
}

/// One rule of a mapping: where the value comes from, where it goes, how it is converted, and when it applies.
public struct MappingRule: Sendable {
    public enum Source: Sendable {
        case path(FieldPath)
        case expression(JSONataExpression)
    }

    public let source: Source?
    public let target: FieldPath
    public let transform: ValueTransform?
    public let condition: Condition?
    public let defaultValue: JSON?
    public let isRequired: Bool

    static func read(_ json: JSON, index: Int, path: String, evaluator: TransformEvaluator, problems: inout [Problem]) -> MappingRule? {
        var r = FieldReader(json, path: path)
        let sourceText = r.string("source")
        let expressionText = r.string("expression", maxLength: 100_000)
        let targetText = r.string("target", required: true)
        let defaultValue = r.raw("default")
        let required = r.bool("required") ?? false
        var source: Source?
        if let sourceText, expressionText != nil {
            _ = sourceText
            r.report("expression", "give either source or expression, not both")
        } else if let sourceText {
            if let p = FieldPath(sourceText) { source = .path(p) } else { r.report("source", "'\(sourceText)' is not a path") }
        } else if let expressionText {
            do { source = .expression(try evaluator.cache.expression(expressionText)) } catch {
                r.report("expression", error.message)
            }
        } else if defaultValue == nil {
            r.report("source", "a rule needs a source, an expression or a default")
        }
        var target: FieldPath?
        if let targetText {
            target = FieldPath(targetText)
            if target == nil { r.report("target", "'\(targetText)' is not a path") }
        }
        var nested: [Problem] = []
        let transform = r.raw("transform").flatMap { ValueTransform.read($0, path: r.child("transform"), evaluator: evaluator, problems: &nested) }
        let condition = r.raw("condition").flatMap { Condition.read($0, path: r.child("condition"), problems: &nested) }
        r.rejectUnknown()
        problems += r.problems + nested
        guard let target, r.problems.isEmpty, nested.isEmpty else { return nil }
        return MappingRule(
            source: source, target: target, transform: transform, condition: condition, defaultValue: defaultValue, isRequired: required)
    }

    func apply(to document: JSON, output: inout JSON, evaluator: TransformEvaluator) throws(RuleError) {
        if let condition, !condition.holds(in: document) { return }
        var value: JSON?
        switch source {
        case .path(let p)?: value = p.value(in: document)
        case .expression(let e)?:
            do { value = try evaluator.run(e, input: document) } catch { throw RuleError(message: error.message) }
        case nil: value = nil
        }
        if value?.isNull ?? true {
            if let defaultValue {
                value = defaultValue
            } else if isRequired {
                throw RuleError(message: "required value is missing")
            } else {
                return
            }
        }
        guard var v = value else { return }
        if let transform { v = try transform.apply(v, document: document, evaluator: evaluator) }
        do { try target.set(v, in: &output) } catch { throw RuleError(message: error.message) }
    }
}
