/// A JSON value: the one data type shared by every Switchboard module.
///
/// Numbers are IEEE 754 doubles, as in JSON Schema's and JSONata's data models (1.0 and 1 are the
/// same value). Objects keep their keys in insertion order; equality between objects ignores order.
///
/// ```swift
/// let contact: JSON = ["name": "Ada", "tags": ["vip"], "age": 36]
/// contact["name"]?.stringValue  // "Ada"
/// ```
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

extension JSON {
    /// The JSON type name, as JSON Schema spells it ("null", "boolean", "number", "string", "array", "object").
    @inlinable
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    @inlinable public var isNull: Bool { if case .null = self { true } else { false } }

    @inlinable public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    @inlinable public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }

    @inlinable public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    @inlinable public var arrayValue: [JSON]? { if case .array(let a) = self { a } else { nil } }

    @inlinable public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }

    /// The number as an `Int` when it is integral and representable.
    @inlinable
    public var intValue: Int? {
        guard case .number(let n) = self, n.rounded(.towardZero) == n, n >= -9.2e18, n <= 9.2e18 else { return nil }
        return Int(n)
    }

    /// Member lookup on objects; `nil` for other values or a missing key.
    @inlinable
    public subscript(key: String) -> JSON? {
        get {
            guard case .object(let o) = self else { return nil }
            return o[key]
        }
        set {
            guard case .object(var o) = self else { return }
            self = .null  // release the payload so `o` is uniquely referenced
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Element lookup on arrays; `nil` for other values or an index out of range.
    @inlinable
    public subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, index >= 0, index < a.count else { return nil }
        return a[index]
    }
}

// MARK: - Equality and hashing

extension JSON: Equatable {
    @inlinable
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSON: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b):
            hasher.combine(1 as UInt8)
            hasher.combine(b)
        case .number(let n):
            hasher.combine(2 as UInt8)
            hasher.combine(n == 0 ? 0 : n)  // -0 == 0
        case .string(let s):
            hasher.combine(3 as UInt8)
            hasher.combine(s)
        case .array(let a):
            hasher.combine(4 as UInt8)
            hasher.combine(a)
        case .object(let o):
            hasher.combine(5 as UInt8)
            hasher.combine(o)
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral {
    @inlinable public init(nilLiteral: ()) { self = .null }
}

extension JSON: ExpressibleByBooleanLiteral {
    @inlinable public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    @inlinable public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension JSON: ExpressibleByFloatLiteral {
    @inlinable public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSON: ExpressibleByStringLiteral {
    @inlinable public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    @inlinable
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var o = JSONObject(minimumCapacity: elements.count)
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension JSON: CustomStringConvertible {
    /// The compact serialization.
    public var description: String { serialized() }
}

extension JSON: ExpressibleByStringInterpolation {}
