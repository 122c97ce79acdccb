import JSONValue

/// A value during evaluation: JSON plus functions, sequences and tuple streams.
///
/// `nil` (`Value?`) stands for JSONata's `undefined`. Arrays carry the reference's sequence flags;
/// objects are references so the transform operator can update matches in place, as the reference does.
enum Value {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Value], SequenceFlags)
    case object(ObjectRef)
    case function(FunctionRef)
    /// A stream of binding tuples (the reference's `tupleStream` arrays).
    case tuples([Tuple])

    static func sequence(_ items: [Value]) -> Value { .array(items, .sequence) }
    static var emptySequence: Value { .array([], .sequence) }

    var isArray: Bool { if case .array = self { true } else { false } }
    var isFunction: Bool { if case .function = self { true } else { false } }
    var isString: Bool { if case .string = self { true } else { false } }
    var isNumber: Bool { if case .number = self { true } else { false } }
    var isSequence: Bool { if case .array(_, let f) = self { f.contains(.sequence) } else { false } }

    /// The elements when this is an array, or nil.
    var arrayItems: [Value]? { if case .array(let a, _) = self { a } else { nil } }
}

/// The reference's non-enumerable array properties.
struct SequenceFlags: OptionSet {
    let rawValue: UInt8
    static let sequence = SequenceFlags(rawValue: 1)
    static let keepSingleton = SequenceFlags(rawValue: 2)
    static let outerWrapper = SequenceFlags(rawValue: 4)
    static let cons = SequenceFlags(rawValue: 8)
}

/// One tuple of a tuple stream: the context value `@` and named bindings.
struct Tuple {
    var context: Value?
    var bindings: [(String, Value?)]

    func lookup(_ name: String) -> Value?? {
        for (k, v) in bindings.reversed() where k == name { return .some(v) }
        return .none
    }

    mutating func bind(_ name: String, _ value: Value?) {
        if let i = bindings.firstIndex(where: { $0.0 == name }) {
            bindings[i].1 = value
        } else {
            bindings.append((name, value))
        }
    }
}

/// A mutable, insertion-ordered object (reference semantics, like a JavaScript object).
final class ObjectRef {
    @exclusivity(unchecked) var keys: [String]
    @exclusivity(unchecked) var values: [Value]
    @exclusivity(unchecked) var index: [String: Int]?

    init() {
        keys = []
        values = []
    }

    init(keys: [String], values: [Value]) {
        self.keys = keys
        self.values = values
        if keys.count > 12 { rebuildIndex() }
    }

    var count: Int { keys.count }

    func rebuildIndex() {
        var idx = [String: Int](minimumCapacity: keys.count * 2)
        for (i, k) in keys.enumerated() { idx[k] = i }
        index = idx
    }

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        var i = 0
        let n = keys.count
        while i < n {
            if keys[i] == key { return i }
            i += 1
        }
        return nil
    }

    subscript(key: String) -> Value? {
        guard let i = position(of: key) else { return nil }
        return values[i]
    }

    func set(_ key: String, _ value: Value) {
        if let i = position(of: key) {
            values[i] = value
        } else {
            keys.append(key)
            values.append(value)
            if index != nil {
                index![key] = keys.count - 1
            } else if keys.count > 12 {
                rebuildIndex()
            }
        }
    }

    func remove(_ key: String) {
        guard let i = position(of: key) else { return }
        keys.remove(at: i)
        values.remove(at: i)
        if index != nil { rebuildIndex() }
    }

    /// A shallow copy.
    func copy() -> ObjectRef {
        let o = ObjectRef(keys: keys, values: values)
        return o
    }
}

// MARK: - Conversion from and to JSON

extension Value {
    /// Converts a JSON value (deeply) into an evaluation value.
    init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let a):
            var items = [Value]()
            items.reserveCapacity(a.count)
            for e in a { items.append(Value(e)) }
            self = .array(items, [])
        case .object(let o):
            var vals = [Value]()
            vals.reserveCapacity(o.count)
            for v in o.values { vals.append(Value(v)) }
            self = .object(ObjectRef(keys: o.keys, values: vals))
        }
    }

    /// The JSON form of a result: functions become absent members (or null array items), as
    /// `JSON.stringify` writes them; tuple streams become their context values.
    func toJSON() -> JSON? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array(let a, _):
            var out = [JSON]()
            out.reserveCapacity(a.count)
            for e in a { out.append(e.toJSON() ?? .null) }
            return .array(out)
        case .object(let o):
            var obj = JSONObject(minimumCapacity: o.count)
            for i in 0..<o.keys.count {
                if let j = o.values[i].toJSON() { obj.append(key: o.keys[i], value: j) }
            }
            return .object(obj)
        case .function: return nil
        case .tuples(let t):
            return .array(t.map { $0.context?.toJSON() ?? .null })
        }
    }
}
