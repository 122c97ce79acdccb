import JSONValue

/// A string template with `{{params.x}}` / `{{config.y}}` placeholders (paths: `{x}` / `{config.y}`), parsed once.
///
/// A template that is exactly one placeholder yields the placeholder's JSON value (a number stays a number, an
/// array stays an array); otherwise the parts are interpolated into a string. A placeholder naming nothing is
/// *undefined*: a lone one makes the whole value undefined (the query parameter, header or body member is left
/// out), inside a string it contributes nothing.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(Reference)
    }

    /// Where a placeholder reads from: the root (`params`, `config`) and a path of member names / indexes.
    public struct Reference: Sendable, Equatable {
        public enum Root: String, Sendable { case params, config }
        public var root: Root
        public var path: [String]
    }

    public var parts: [Part]

    /// Parses `{{...}}` placeholders; `pathStyle` parses `{name}` (a parameter) and `{config.name}` instead.
    public init(_ text: String, pathStyle: Bool = false) throws(TemplateError) {
        var parts: [Part] = []
        var literal = ""
        var i = text.startIndex
        let open = pathStyle ? "{" : "{{"
        let close = pathStyle ? "}" : "}}"
        while i < text.endIndex {
            if text[i...].hasPrefix(open) {
                let start = text.index(i, offsetBy: open.count)
                guard let end = text[start...].range(of: close) else { throw TemplateError("'\(text)' has '\(open)' without '\(close)'") }
                let expression = text[start..<end.lowerBound].trimmingSpaces()
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.placeholder(try Self.reference(expression, pathStyle: pathStyle)))
                i = end.upperBound
            } else {
                literal.append(text[i])
                i = text.index(after: i)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    static func reference(_ expression: String, pathStyle: Bool) throws(TemplateError) -> Reference {
        var segments = expression.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty }) else { throw TemplateError("'\(expression)' is not a valid reference") }
        let root: Reference.Root
        if segments[0] == "config" {
            root = .config
            segments.removeFirst()
        } else if segments[0] == "params" {
            root = .params
            segments.removeFirst()
        } else if pathStyle {
            root = .params
        } else {
            throw TemplateError("'\(expression)' must start with params. or config.")
        }
        guard !segments.isEmpty else { throw TemplateError("'\(expression)' names no field") }
        return Reference(root: root, path: segments)
    }

    /// True when the template has no placeholder.
    public var isConstant: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// The value: typed for a lone placeholder, a string otherwise; nil when undefined.
    public func render(params: JSON, config: JSONObject) -> JSON? {
        if parts.count == 1, case .placeholder(let ref) = parts[0] { return Self.lookup(ref, params: params, config: config) }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s): out += s
            case .placeholder(let ref):
                if let v = Self.lookup(ref, params: params, config: config) { out += Self.text(v) }
            }
        }
        return .string(out)
    }

    static func lookup(_ ref: Reference, params: JSON, config: JSONObject) -> JSON? {
        var current: JSON = ref.root == .params ? params : .object(config)
        for key in ref.path {
            switch current {
            case .object(let o):
                guard let next = o[key] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(key), i >= 0, i < a.count else { return nil }
                current = a[i]
            default: return nil
            }
        }
        // (Not `current.isNull ? nil : current`: JSON is ExpressibleByNilLiteral, so that ternary is JSON.null.)
        if current.isNull { return nil }
        return current
    }

    /// How a value reads inside a string: strings as they are, numbers as JavaScript writes them, others as JSON.
    public static func text(_ v: JSON) -> String {
        switch v {
        case .string(let s): s
        case .number(let n): JSNumberFormat.format(n)
        case .bool(let b): b ? "true" : "false"
        case .null: ""
        default: v.serialized()
        }
    }
}

/// Why a template could not be parsed or rendered.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A JSON body template: any JSON whose strings may be templates, parsed once.
public indirect enum BodyTemplate: Sendable, Equatable {
    case constant(JSON)
    case string(Template)
    case array([BodyTemplate])
    case object([(String, BodyTemplate)])

    public init(_ json: JSON) throws(TemplateError) {
        switch json {
        case .string(let s):
            let t = try Template(s)
            self = t.isConstant ? .constant(json) : .string(t)
        case .array(let a):
            var items: [BodyTemplate] = []
            for e in a { items.append(try BodyTemplate(e)) }
            self = items.allSatisfy { if case .constant = $0 { true } else { false } } ? .constant(json) : .array(items)
        case .object(let o):
            var members: [(String, BodyTemplate)] = []
            for (k, v) in o { members.append((k, try BodyTemplate(v))) }
            self = members.allSatisfy { if case .constant = $0.1 { true } else { false } } ? .constant(json) : .object(members)
        default:
            self = .constant(json)
        }
    }

    /// The rendered body; undefined members are left out of objects and become null in arrays.
    public func render(params: JSON, config: JSONObject) -> JSON? {
        switch self {
        case .constant(let j): return j
        case .string(let t): return t.render(params: params, config: config)
        case .array(let items): return .array(items.map { $0.render(params: params, config: config) ?? .null })
        case .object(let members):
            var o = JSONObject(minimumCapacity: members.count)
            for (k, t) in members {
                if let v = t.render(params: params, config: config) { o.append(key: k, value: v) }
            }
            return .object(o)
        }
    }

    public static func == (a: BodyTemplate, b: BodyTemplate) -> Bool {
        switch (a, b) {
        case (.constant(let x), .constant(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
