import JSONValue
import JSONata
import SwitchboardCore

/// How a rule converts its value: `{type: string|number|boolean|date|array|object|expression, ...}`.
///
/// - `date`: `inputFormat` / `outputFormat` are XPath picture strings as JSONata's `$toMillis` / `$fromMillis` read
///   them (`[D01]/[M01]/[Y0001]`); without one, ISO 8601. A number input is milliseconds since the epoch.
///   `outputFormat: "millis"` gives milliseconds.
/// - `array`: a non-array becomes a one-element array; a string with `separator` is split (items trimmed).
/// - `object`: an object stays; a string holding a JSON object is parsed.
/// - `expression`: JSONata with `$` the value and `$source` the whole source document.
/// - `string` takes optional `case: upper|lower` and `trim: true`.
public enum ValueTransform: Sendable {
    case string(trim: Bool, letterCase: String?)
    case number
    case boolean
    case date(input: String?, output: String?)
    case array(separator: String?)
    case object
    case expression(JSONataExpression)

    public enum Kind: String, CaseIterable, Sendable { case string, number, boolean, date, array, object, expression }

    static let dateExpression: JSONataExpression = try! JSONataExpression(
        compiling: """
            ($ms := $type($) = "number" ? $ : ($in ? $toMillis($, $in) : $toMillis($));
             $out = "millis" ? $ms : ($out ? $fromMillis($ms, $out) : $fromMillis($ms)))
            """)

    static func read(_ json: JSON, path: String, evaluator: TransformEvaluator, problems: inout [Problem]) -> ValueTransform? {
        var r = FieldReader(json, path: path)
        let kind = r.enumeration("type", Kind.self, required: true)
        var out: ValueTransform?
        switch kind {
        case .string?:
            let letterCase = r.string("case")
            if let letterCase, letterCase != "upper", letterCase != "lower" { r.report("case", "must be upper or lower") }
            out = .string(trim: r.bool("trim") ?? false, letterCase: letterCase)
        case .number?: out = .number
        case .boolean?: out = .boolean
        case .date?:
            let input = r.string("inputFormat")
            let output = r.string("outputFormat")
            for (key, picture) in [("inputFormat", input), ("outputFormat", output)] {
                guard let picture, picture != "millis" else { continue }
                do { _ = try dateExpression.evaluate(input: .number(0), bindings: ["out": .string(picture)]) } catch {
                    r.report(key, "is not a picture string: \(error.message)")
                }
            }
            out = .date(input: input, output: output)
        case .array?: out = .array(separator: r.string("separator"))
        case .object?: out = .object
        case .expression?:
            if let text = r.string("expression", required: true, maxLength: 100_000) {
                do { out = .expression(try evaluator.cache.expression(text)) } catch { r.report("expression", error.message) }
            }
        case nil: break
        }
        r.rejectUnknown()
        problems += r.problems
        return r.problems.isEmpty ? out : nil
    }

    func apply(_ value: JSON, document: JSON, evaluator: TransformEvaluator) throws(RuleError) -> JSON {
        switch self {
        case .string(let trim, let letterCase):
            var s: String
            switch value {
            case .string(let t): s = t
            case .number, .bool: s = value.serialized()
            default: throw RuleError(message: "cannot convert a \(value.typeName) to a string")
            }
            if trim { s = s.trimmingSpaces }
            if letterCase == "upper" { s = s.uppercased() } else if letterCase == "lower" { s = s.lowercased() }
            return .string(s)
        case .number:
            switch value {
            case .number: return value
            case .bool(let b): return .number(b ? 1 : 0)
            case .string(let s):
                let t = s.trimmingSpaces.replacingCommas
                if let n = Double(t), n.isFinite { return .number(n) }
                throw RuleError(message: "'\(s.prefix(40))' is not a number")
            default: throw RuleError(message: "cannot convert a \(value.typeName) to a number")
            }
        case .boolean:
            switch value {
            case .bool: return value
            case .number(let n): return .bool(n != 0)
            case .string(let s):
                switch s.trimmingSpaces.lowercased() {
                case "true", "yes", "y", "1", "on": return .bool(true)
                case "false", "no", "n", "0", "off", "": return .bool(false)
                default: throw RuleError(message: "'\(s.prefix(40))' is not a boolean")
                }
            default: throw RuleError(message: "cannot convert a \(value.typeName) to a boolean")
            }
        case .date(let input, let output):
            var bindings: [String: JSON] = [:]
            if let input { bindings["in"] = .string(input) }
            if let output { bindings["out"] = .string(output) }
            switch value {
            case .string, .number: return try Self.date(value, bindings: bindings, evaluator: evaluator)
            default: throw RuleError(message: "cannot read a date from a \(value.typeName)")
            }
        case .array(let separator):
            if case .array = value { return value }
            if let separator, case .string(let s) = value {
                guard !separator.isEmpty else { return .array([value]) }
                return .array(s.split(separator: separator).map { .string(String($0).trimmingSpaces) })
            }
            return .array([value])
        case .object:
            if case .object = value { return value }
            if case .string(let s) = value, let parsed = try? JSON(parsing: s), case .object = parsed { return parsed }
            throw RuleError(message: "cannot convert a \(value.typeName) to an object")
        case .expression(let e):
            do {
                return try evaluator.run(e, input: value, bindings: ["source": document]) ?? .null
            } catch { throw RuleError(message: error.message) }
        }
    }

    static func date(_ value: JSON, bindings: [String: JSON], evaluator: TransformEvaluator) throws(RuleError) -> JSON {
        do {
            guard let out = try evaluator.run(dateExpression, input: value, bindings: bindings) else {
                throw RuleError(message: "'\(value.serialized().prefix(40))' is not a date in the expected format")
            }
            return out
        } catch let e as RuleError {
            throw e
        } catch {
            throw RuleError(message: "'\(value.serialized().prefix(40))' is not a date in the expected format")
        }
    }
}

extension String {
    /// "1,234.5" reads as 1234.5 (thousands separators dropped).
    var replacingCommas: String { contains(",") ? split(separator: ",").joined() : self }
}
