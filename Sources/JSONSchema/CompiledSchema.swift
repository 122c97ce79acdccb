import ECMARegex
import JSONValue

/// The bits of a `type` constraint and of an instance's type; a number that is integral carries `integer`.
enum TypeBits {
    static let null: UInt8 = 1
    static let boolean: UInt8 = 2
    static let fraction: UInt8 = 4
    static let integer: UInt8 = 8
    static let number: UInt8 = fraction | integer
    static let string: UInt8 = 16
    static let array: UInt8 = 32
    static let object: UInt8 = 64

    static func of(_ value: JSON) -> UInt8 {
        switch value {
        case .null: null
        case .bool: boolean
        case .number(let n): n.rounded(.towardZero) == n && n.isFinite ? integer : fraction
        case .string: string
        case .array: array
        case .object: object
        }
    }

    static func named(_ name: String) -> UInt8? {
        switch name {
        case "null": null
        case "boolean": boolean
        case "integer": integer
        case "number": number
        case "string": string
        case "array": array
        case "object": object
        default: nil
        }
    }

    static func names(_ mask: UInt8) -> String {
        var names: [String] = []
        for (bit, name) in [(null, "null"), (boolean, "boolean"), (string, "string"), (array, "array"), (object, "object")] where mask & bit != 0 {
            names.append(name)
        }
        if mask & number == number {
            names.append("number")
        } else if mask & integer != 0 {
            names.append("integer")
        }
        return names.joined(separator: ", ")
    }
}

/// A compiled `pattern` or `patternProperties` key.
struct CompiledPattern: Sendable {
    let source: String
    let regex: ECMARegex
    /// A pattern with no metacharacters, matched as a plain substring without running the regex engine.
    let literal: String?
    /// `^literal` patterns, matched as a prefix.
    let prefix: String?
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema, applied in one pass over the instance's members.
struct ObjectApplicator: Sendable {
    var names: [String] = []
    var nodes: [Int] = []
    /// For schemas with many properties: name to position in `names`.
    var lookup: [String: Int]? = nil
    var patterns: [CompiledPattern] = []
    var patternNodes: [Int] = []
    var additional: Int = -1

    @inline(__always)
    func position(of key: String) -> Int? {
        if let lookup { return lookup[key] }
        var i = 0
        while i < names.count {
            if names[i] == key { return i }
            i += 1
        }
        return nil
    }
}

/// One compiled keyword. Subschemas are referred to by their index in `Program.nodes`.
enum Op: Sendable {
    // Any instance type.
    case const(JSON)
    case enumeration([JSON])
    case ref(Int)
    case dynamicRef(target: Int, anchor: String?)
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int, else: Int)
    // Numbers.
    case minimum(Double)
    case maximum(Double)
    case exclusiveMinimum(Double)
    case exclusiveMaximum(Double)
    case multipleOf(Double)
    // Strings.
    case minLength(Int)
    case maxLength(Int)
    case pattern(CompiledPattern)
    case format(Format)
    // Arrays.
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case prefixItems([Int])
    case items(Int, from: Int)
    case contains(Int, min: Int, max: Int)
    // Objects.
    case minProperties(Int)
    case maxProperties(Int)
    case required([String])
    case dependentRequired([(String, [String])])
    case dependentSchemas([(String, Int)])
    case properties(ObjectApplicator)
    case propertyNames(Int)
}

/// One compiled schema: its keywords sorted by the instance type they apply to.
struct Node: Sendable {
    enum Kind: UInt8, Sendable {
        case alwaysValid
        case alwaysInvalid
        case schema
    }

    var kind: Kind = .schema
    /// Allowed instance types (`TypeBits`); 0 when there is no `type` keyword.
    var typeMask: UInt8 = 0
    var anyOps: [Op] = []
    var numberOps: [Op] = []
    var stringOps: [Op] = []
    var arrayOps: [Op] = []
    var objectOps: [Op] = []
    var unevaluatedProperties: Int = -1
    var unevaluatedItems: Int = -1
    /// The schema resource this node belongs to (index into `Program.dynamicAnchors`).
    var resource: Int32 = 0
    /// The node's absolute location: base URI, `#`, JSON Pointer within the resource.
    var location: String = ""

    var collectsAnnotations: Bool { unevaluatedProperties >= 0 || unevaluatedItems >= 0 }
}

/// The immutable compiled form of a schema and everything it references.
final class Program: Sendable {
    let nodes: [Node]
    let root: Int
    /// Per schema resource: its `$dynamicAnchor`s and the nodes they name.
    let dynamicAnchors: [[String: Int]]
    /// Whether any `$dynamicRef` needs the dynamic scope at validation time.
    let usesDynamicScope: Bool
    let maxDepth: Int

    init(nodes: [Node], root: Int, dynamicAnchors: [[String: Int]], usesDynamicScope: Bool, maxDepth: Int) {
        self.nodes = nodes
        self.root = root
        self.dynamicAnchors = dynamicAnchors
        self.usesDynamicScope = usesDynamicScope
        self.maxDepth = maxDepth
    }
}
