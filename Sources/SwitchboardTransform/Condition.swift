import ECMARegex
import JSONValue
import SwitchboardCore

/// A rule's condition: `{field, operator, value}` tested against the source document.
public struct Condition: Sendable {
    public enum Operator: String, Sendable, CaseIterable {
        case exists
        case notExists = "not_exists"
        case equals
        case notEquals = "not_equals"
        case greaterThan = "greater_than"
        case lessThan = "less_than"
        case greaterThanOrEquals = "greater_than_or_equals"
        case lessThanOrEquals = "less_than_or_equals"
        case contains
        case notContains = "not_contains"
        case startsWith = "starts_with"
        case endsWith = "ends_with"
        case regex
    }

    public let field: FieldPath
    public let op: Operator
    public let value: JSON?
    let regex: ECMARegex?

    /// Reads `{field, operator, value}`; problems are reported at `path`.
    static func read(_ json: JSON, path: String, problems: inout [Problem]) -> Condition? {
        var r = FieldReader(json, path: path)
        let fieldText = r.string("field", required: true)
        let op = r.enumeration("operator", Operator.self, required: true)
        let value = r.raw("value")
        r.rejectUnknown()
        var field: FieldPath?
        if let fieldText {
            field = FieldPath(fieldText)
            if field == nil { r.report("field", "'\(fieldText)' is not a path") }
        }
        var regex: ECMARegex?
        if let op {
            switch op {
            case .exists, .notExists: break
            case .regex:
                if case .string(let p)? = value {
                    do { regex = try ECMARegex(p) } catch { r.report("value", "is not a valid regular expression: \(error)") }
                } else {
                    r.report("value", "must be a regular expression (a string)")
                }
            default:
                if value == nil { r.report("value", "is required for operator \(op.rawValue)") }
            }
        }
        problems += r.problems
        guard let field, let op, r.problems.isEmpty else { return nil }
        return Condition(field: field, op: op, value: value, regex: regex)
    }

    /// True when the condition holds for `document`.
    public func holds(in document: JSON) -> Bool {
        let actual = field.value(in: document).flatMap { $0.isNull ? JSON?.none : $0 }
        switch op {
        case .exists: return actual != nil
        case .notExists: return actual == nil
        case .equals: return actual == (value ?? .null) || (actual == nil && value == .null)
        case .notEquals: return !(actual == (value ?? .null) || (actual == nil && value == .null))
        case .greaterThan, .lessThan, .greaterThanOrEquals, .lessThanOrEquals:
            guard let actual, let value, let order = Self.compare(actual, value) else { return false }
            switch op {
            case .greaterThan: return order > 0
            case .lessThan: return order < 0
            case .greaterThanOrEquals: return order >= 0
            default: return order <= 0
            }
        case .contains, .notContains:
            let found: Bool
            switch (actual, value) {
            case (.string(let s)?, .string(let t)?): found = s.contains(t)
            case (.array(let a)?, let v?): found = a.contains(v)
            case (.object(let o)?, .string(let k)?): found = o[k] != nil
            default: found = false
            }
            return op == .contains ? found : !found
        case .startsWith:
            guard case .string(let s)? = actual, case .string(let t)? = value else { return false }
            return s.hasPrefix(t)
        case .endsWith:
            guard case .string(let s)? = actual, case .string(let t)? = value else { return false }
            return s.hasSuffix(t)
        case .regex:
            guard let regex, let actual else { return false }
            let text: String
            switch actual {
            case .string(let s): text = s
            case .number, .bool: text = actual.serialized()
            default: return false
            }
            return (try? regex.firstMatch(in: text)) != nil
        }
    }

    /// Numbers by value, strings lexicographically (ISO dates compare correctly); other pairs do not compare.
    static func compare(_ a: JSON, _ b: JSON) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .number(let y)):
            guard let n = Double(x.trimmingSpaces) else { return nil }
            return n < y ? -1 : (n > y ? 1 : 0)
        case (.number(let x), .string(let y)):
            guard let n = Double(y.trimmingSpaces) else { return nil }
            return x < n ? -1 : (x > n ? 1 : 0)
        default: return nil
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
