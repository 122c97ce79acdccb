import ECMARegex
import JSONValue
import JSONata
import SwitchboardCore

/// A data validator, compiled: rules checked against a document, each failure with a severity.
///
/// ```json
/// {"name": "contact", "rules": [
///   {"field": "email", "type": "required", "message": "an email is needed"},
///   {"field": "email", "type": "format", "format": "email"},
///   {"field": "age", "type": "range", "min": 0, "max": 150, "severity": "warning"},
///   {"field": "", "type": "custom", "expression": "$count(tags) < 10", "severity": "info"}
/// ]}
/// ```
public struct CompiledValidator: Sendable {
    public enum Severity: String, Sendable, CaseIterable { case error, warning, info }

    public enum Check: Sendable {
        case required
        case type(String)
        case format(String)
        case range(min: Double?, max: Double?)
        case length(min: Int?, max: Int?)
        case pattern(ECMARegex)
        case enumeration([JSON])
        case custom(JSONataExpression)
    }

    public enum Kind: String, Sendable, CaseIterable { case required, type, format, range, length, pattern, `enum`, custom }

    public struct Rule: Sendable {
        /// The field checked; `nil` (empty in the document) checks the whole document.
        public let field: FieldPath?
        public let fieldText: String
        public let kind: Kind
        public let check: Check
        public let message: String?
        public let severity: Severity
    }

    public let rules: [Rule]

    static let types: Set<String> = ["string", "number", "integer", "boolean", "object", "array", "null"]

    /// Compiles a validator document; 422 `VALIDATION_ERROR` listing every problem.
    public init(_ definition: JSON, evaluator: TransformEvaluator) throws(SwitchboardError) {
        var r = FieldReader(definition, path: "")
        _ = r.string("id")
        _ = r.string("name", required: true, maxLength: 200)
        _ = r.string("description")
        _ = r.raw("createdAt")
        _ = r.raw("updatedAt")
        var problems: [Problem] = []
        var rules: [Rule] = []
        if case .array(let items)? = r.raw("rules") {
            for (i, item) in items.enumerated() {
                if let rule = Self.readRule(item, path: "/rules/\(i)", evaluator: evaluator, problems: &problems) { rules.append(rule) }
            }
        } else {
            r.report("rules", "is required and must be an array")
        }
        r.rejectUnknown()
        problems = r.problems + problems
        guard problems.isEmpty else { throw SwitchboardError.validation("the validator is not valid", problems: problems) }
        self.rules = rules
    }

    static func readRule(_ json: JSON, path: String, evaluator: TransformEvaluator, problems: inout [Problem]) -> Rule? {
        var r = FieldReader(json, path: path)
        let fieldText = r.string("field") ?? ""
        let kind = r.enumeration("type", Kind.self, required: true)
        let message = r.string("message")
        let severity = r.enumeration("severity", Severity.self) ?? .error
        var field: FieldPath?
        if !fieldText.isEmpty {
            field = FieldPath(fieldText)
            if field == nil { r.report("field", "'\(fieldText)' is not a path") }
        }
        var check: Check?
        switch kind {
        case .required?: check = .required
        case .type?:
            if let t = r.string("expected", required: true) {
                if types.contains(t) { check = .type(t) } else { r.report("expected", "must be one of \(types.sorted().joined(separator: ", "))") }
            }
        case .format?:
            if let f = r.string("format", required: true) { check = .format(f) }
        case .range?:
            let min = r.raw("min")
            let max = r.raw("max")
            if min == nil && max == nil { r.report("min", "a range needs min or max") }
            if let min, min.numberValue == nil { r.report("min", "must be a number") }
            if let max, max.numberValue == nil { r.report("max", "must be a number") }
            check = .range(min: min?.numberValue, max: max?.numberValue)
        case .length?:
            let min = r.integer("min", range: 0...Int(Int32.max))
            let max = r.integer("max", range: 0...Int(Int32.max))
            if min == nil && max == nil { r.report("min", "a length rule needs min or max") }
            check = .length(min: min, max: max)
        case .pattern?:
            if let p = r.string("pattern", required: true) {
                do { check = .pattern(try ECMARegex(p)) } catch { r.report("pattern", "is not a valid regular expression: \(error)") }
            }
        case .enum?:
            if case .array(let values)? = r.raw("values") {
                check = .enumeration(values)
            } else {
                r.report("values", "is required and must be an array")
            }
        case .custom?:
            if let text = r.string("expression", required: true, maxLength: 100_000) {
                do { check = .custom(try evaluator.cache.expression(text)) } catch { r.report("expression", error.message) }
            }
        case nil: break
        }
        r.rejectUnknown()
        problems += r.problems
        guard let kind, let check, r.problems.isEmpty else { return nil }
        return Rule(field: field, fieldText: fieldText, kind: kind, check: check, message: message, severity: severity)
    }

    /// One failed rule.
    public struct Failure: Sendable, Equatable {
        public var field: String
        public var rule: String
        public var message: String
        public var severity: Severity
        public var json: JSON {
            ["field": .string(field), "rule": .string(rule), "message": .string(message), "severity": .string(severity.rawValue)]
        }
    }

    /// The outcome: `valid` is true when no error-severity rule failed.
    public struct Report: Sendable {
        public var failures: [Failure]
        public var isValid: Bool { !failures.contains { $0.severity == .error } }
        public var json: JSON {
            [
                "valid": .bool(isValid),
                "errors": .array(failures.filter { $0.severity == .error }.map(\.json)),
                "warnings": .array(failures.filter { $0.severity == .warning }.map(\.json)),
                "infos": .array(failures.filter { $0.severity == .info }.map(\.json)),
            ]
        }
    }

    /// Checks `document`. Rules other than `required` and `custom` pass when the field is absent.
    public func validate(_ document: JSON, evaluator: TransformEvaluator, schemas: any SchemaChecker) -> Report {
        var failures: [Failure] = []
        for rule in rules {
            let value = rule.field.map { $0.value(in: document) } ?? document
            if let problem = Self.failure(of: rule, value: value, document: document, evaluator: evaluator, schemas: schemas) {
                failures.append(Failure(field: rule.fieldText, rule: rule.kind.rawValue, message: rule.message ?? problem, severity: rule.severity))
            }
        }
        return Report(failures: failures)
    }

    static func failure(of rule: Rule, value: JSON?, document: JSON, evaluator: TransformEvaluator, schemas: any SchemaChecker) -> String? {
        let present = value.flatMap { $0.isNull ? JSON?.none : $0 }
        switch rule.check {
        case .required:
            if present == nil { return "is required" }
            if case .string(let s)? = present, s.isEmpty { return "is required" }
            return nil
        case .custom(let e):
            do {
                let out = try evaluator.run(e, input: document, bindings: ["value": value ?? .null])
                return out == .bool(true) ? nil : "does not satisfy \(e.source)"
            } catch { return error.message }
        default: break
        }
        guard let v = present else { return nil }
        switch rule.check {
        case .type(let t):
            let ok: Bool
            switch t {
            case "integer": ok = v.numberValue.map { $0.rounded() == $0 } ?? false
            default: ok = v.typeName == t
            }
            return ok ? nil : "must be of type \(t), not \(v.typeName)"
        case .format(let f):
            guard case .string = v else { return "must be a string in format \(f)" }
            return schemas.validate(v, against: ["format": .string(f)]).isEmpty ? nil : "is not a valid \(f)"
        case .range(let min, let max):
            guard let n = v.numberValue else { return "must be a number" }
            if let min, n < min { return "must be at least \(JSON.number(min).serialized())" }
            if let max, n > max { return "must be at most \(JSON.number(max).serialized())" }
            return nil
        case .length(let min, let max):
            let count: Int
            switch v {
            case .string(let s): count = s.count
            case .array(let a): count = a.count
            default: return "must be a string or an array"
            }
            if let min, count < min { return "must have a length of at least \(min)" }
            if let max, count > max { return "must have a length of at most \(max)" }
            return nil
        case .pattern(let regex):
            guard case .string(let s) = v else { return "must be a string" }
            return ((try? regex.firstMatch(in: s)) ?? nil) != nil ? nil : "does not match \(regex.pattern)"
        case .enumeration(let values):
            return values.contains(v) ? nil : "must be one of \(JSON.array(values).serialized())"
        case .required, .custom: return nil
        }
    }
}
