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
    /// Anchored sequences of character sets, matched in one greedy pass.
    let simple: SimplePattern?
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema, applied in one pass over the
/// instance's members. The names, nodes and patterns live in the program's flat tables.
struct ObjectApplicator {
    /// `properties`: names at `strings[namesStart...]`, their nodes at `ints[nodesStart...]`.
    var namesStart = 0
    var nodesStart = 0
    var propertyCount = 0
    /// Index into `Program.lookups` for schemas with many properties; -1 otherwise.
    var lookup = -1
    /// `patternProperties`: patterns at `patterns[patternsStart...]`, nodes at `ints[patternNodesStart...]`.
    var patternsStart = 0
    var patternNodesStart = 0
    var patternCount = 0
    /// The `additionalProperties` node, or -1.
    var additional = -1
    /// Bit `i`: the property `i` is also `required` (checked in the same pass).
    var requiredMask: UInt64 = 0

    /// Up to this many names are searched linearly (short strings compare in one step); more use `lookup`.
    static let linearLimit = 24
}

/// One compiled keyword: a trivial value (no reference counting) whose lists live in the program's flat tables.
enum Op {
    // Any instance type.
    case const(Int)  // constants index
    case enumeration(Int, Int)  // constants start, count
    case ref(Int)
    case dynamicRef(Int, anchor: Int)  // anchor: index into anchorNames, or -1
    case allOf(Int, Int)  // ints start, count
    case anyOf(Int, Int)
    case oneOf(Int, Int)
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
    case pattern(Int)  // patterns index
    case format(Format)
    // Arrays.
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case prefixItems(Int, Int)  // ints start, count
    case items(Int, from: Int)
    case contains(Int, min: Int, max: Int)
    // Objects.
    case minProperties(Int)
    case maxProperties(Int)
    case required(Int, Int)  // strings start, count
    case dependentRequired(Int, Int)  // ints start, count of (name string index, required start, required count) triples
    case dependentSchemas(Int, Int)  // ints start, count of (name string index, node) pairs
    case properties(Int)  // applicators index
    case propertyNames(Int)
}

/// One compiled schema. Its keywords are `ops[opsStart..<objectEnd]`, sorted by the instance type they
/// apply to: any type, then numbers, strings, arrays, objects.
struct Node {
    enum Kind: UInt8 {
        case alwaysValid
        case alwaysInvalid
        case schema
    }

    var kind: Kind = .schema
    /// Allowed instance types (`TypeBits`); 0 when there is no `type` keyword.
    var typeMask: UInt8 = 0
    /// The schema resource this node belongs to (index into `Program.dynamicAnchors`).
    var resource: Int32 = 0
    var opsStart: Int32 = 0
    var anyEnd: Int32 = 0
    var numberEnd: Int32 = 0
    var stringEnd: Int32 = 0
    var arrayEnd: Int32 = 0
    var objectEnd: Int32 = 0
    /// Index into `Program.locations`: base URI, `#`, JSON Pointer within the resource.
    var location: Int32 = 0
    var unevaluatedProperties: Int = -1
    var unevaluatedItems: Int = -1

    var collectsAnnotations: Bool { unevaluatedProperties >= 0 || unevaluatedItems >= 0 }
}

/// The tables a compiler fills and a `Program` freezes.
struct ProgramTables {
    var nodes: [Node] = []
    var ops: [Op] = []
    var ints: [Int] = []
    var strings: [String] = []
    var constants: [JSON] = []
    var patterns: [CompiledPattern] = []
    var applicators: [ObjectApplicator] = []
    var lookups: [[String: Int]] = []
    var locations: [String] = []
    var anchorNames: [String] = []
}

/// The immutable compiled form of a schema and everything it references.
///
/// The tables are copied into manually allocated buffers so that validation reads them through raw
/// pointers, without reference counting or bounds checks; nothing mutates them after `init`, which is
/// why the class is `@unchecked Sendable`.
final class Program: @unchecked Sendable {
    let nodes: UnsafeMutableBufferPointer<Node>
    let ops: UnsafeMutableBufferPointer<Op>
    let ints: UnsafeMutableBufferPointer<Int>
    let strings: UnsafeMutableBufferPointer<String>
    let constants: UnsafeMutableBufferPointer<JSON>
    let patterns: UnsafeMutableBufferPointer<CompiledPattern>
    let applicators: UnsafeMutableBufferPointer<ObjectApplicator>
    let lookups: [[String: Int]]
    let locations: [String]
    let anchorNames: [String]
    let root: Int
    /// Per schema resource: its `$dynamicAnchor`s and the nodes they name.
    let dynamicAnchors: [[String: Int]]
    /// Whether any `$dynamicRef` needs the dynamic scope at validation time.
    let usesDynamicScope: Bool
    let maxDepth: Int
    let stackBudget: UInt

    init(tables: ProgramTables, root: Int, dynamicAnchors: [[String: Int]], usesDynamicScope: Bool, maxDepth: Int, stackBudget: Int) {
        nodes = Self.freeze(tables.nodes)
        ops = Self.freeze(tables.ops)
        ints = Self.freeze(tables.ints)
        strings = Self.freeze(tables.strings)
        constants = Self.freeze(tables.constants)
        patterns = Self.freeze(tables.patterns)
        applicators = Self.freeze(tables.applicators)
        lookups = tables.lookups
        locations = tables.locations
        anchorNames = tables.anchorNames
        self.root = root
        self.dynamicAnchors = dynamicAnchors
        self.usesDynamicScope = usesDynamicScope
        self.maxDepth = maxDepth
        self.stackBudget = UInt(max(stackBudget, 16 * 1024))
    }

    deinit {
        Self.release(nodes)
        Self.release(ops)
        Self.release(ints)
        Self.release(strings)
        Self.release(constants)
        Self.release(patterns)
        Self.release(applicators)
    }

    static func freeze<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
    }

    static func release<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        buffer.deinitialize()
        buffer.baseAddress?.deallocate()
    }
}
