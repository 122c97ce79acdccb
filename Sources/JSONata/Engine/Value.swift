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

    /// How deeply arrays and objects nest inside this value (0 for scalars).
    var nesting: Int {
        switch self {
        case .object(let o): return o.depth
        case .array(let a, _):
            var m = 0
            for e in a {
                switch e {
                case .object, .array: m = Swift.max(m, e.nesting)
                default: break
                }
            }
            return m + 1
        default: return 0
        }
    }

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
///
/// Objects that come from the input stay as their `JSONObject` until something needs all the
/// values or changes them: field lookups convert only the member asked for, and an untouched
/// input object is handed back to JSON without copying.
final class ObjectRef {
    @exclusivity(unchecked) private var source: JSONObject?
    @exclusivity(unchecked) private var storedKeys: [String]
    @exclusivity(unchecked) private var storedValues: [Value]
    @exclusivity(unchecked) private var index: [String: Int]?
    /// How deeply values nest inside this object (1 for flat members); bounded during evaluation
    /// so that releasing a constructed value can never exhaust the stack.
    @exclusivity(unchecked) private(set) var depth = 1

    init() {
        storedKeys = []
        storedValues = []
    }

    init(keys: [String], values: [Value]) {
        storedKeys = keys
        storedValues = values
        if keys.count > 12 { rebuildIndex() }
        for v in values { noteDepth(of: v) }
    }

    /// Wraps an input object without converting its members.
    init(lazy object: JSONObject) {
        source = object
        storedKeys = []
        storedValues = []
    }

    /// The input object, when this object is still exactly it.
    var unchangedSource: JSONObject? { source }

    var keys: [String] { source?.keys ?? storedKeys }

    var values: [Value] {
        materialize()
        return storedValues
    }

    var count: Int { source?.count ?? storedKeys.count }

    private func materialize() {
        guard let s = source else { return }
        storedKeys = s.keys
        var vals = [Value]()
        vals.reserveCapacity(s.count)
        for v in s.values { vals.append(Value(v)) }
        storedValues = vals
        source = nil
        if storedKeys.count > 12 { rebuildIndex() }
    }

    private func rebuildIndex() {
        var idx = [String: Int](minimumCapacity: storedKeys.count * 2)
        for (i, k) in storedKeys.enumerated() { idx[k] = i }
        index = idx
    }

    func position(of key: String) -> Int? {
        if let s = source { return s.position(of: key) }
        if let index { return index[key] }
        var i = 0
        let n = storedKeys.count
        while i < n {
            if storedKeys[i] == key { return i }
            i += 1
        }
        return nil
    }

    subscript(key: String) -> Value? {
        if let s = source { return s[key].map(Value.init) }
        guard let i = position(of: key) else { return nil }
        return storedValues[i]
    }

    func set(_ key: String, _ value: Value) {
        materialize()
        noteDepth(of: value)
        if let i = position(of: key) {
            storedValues[i] = value
        } else {
            storedKeys.append(key)
            storedValues.append(value)
            if index != nil {
                index![key] = storedKeys.count - 1
            } else if storedKeys.count > 12 {
                rebuildIndex()
            }
        }
    }

    func remove(_ key: String) {
        materialize()
        guard let i = position(of: key) else { return }
        storedKeys.remove(at: i)
        storedValues.remove(at: i)
        if index != nil { rebuildIndex() }
    }

    /// Appends a member known to be absent.
    func appendNew(_ key: String, _ value: Value) {
        materialize()
        noteDepth(of: value)
        storedKeys.append(key)
        storedValues.append(value)
        if index != nil {
            index![key] = storedKeys.count - 1
        } else if storedKeys.count > 12 {
            rebuildIndex()
        }
    }

    @inline(__always)
    private func noteDepth(of value: Value) {
        switch value {
        case .object, .array:
            let d = value.nesting + 1
            if d > depth { depth = d }
        default: break
        }
    }

    /// The JSON form of the members (functions are left out, as `JSON.stringify` does); the keys
    /// array is shared when every member has a JSON form.
    func toJSONObject() -> JSONObject {
        materialize()
        var values = [JSON]()
        values.reserveCapacity(storedValues.count)
        for v in storedValues {
            guard let j = v.toJSON() else { break }
            values.append(j)
        }
        if values.count == storedKeys.count { return JSONObject(uniqueKeys: storedKeys, values: values) }
        var object = JSONObject(minimumCapacity: storedKeys.count)
        for i in 0..<storedKeys.count {
            if let j = storedValues[i].toJSON() { object.append(key: storedKeys[i], value: j) }
        }
        return object
    }

    /// Reserves room for `n` members in a new object.
    func reserve(_ n: Int) {
        storedKeys.reserveCapacity(n)
        storedValues.reserveCapacity(n)
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
            self = .object(ObjectRef(lazy: o))
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
            if let source = o.unchangedSource { return .object(source) }
            return .object(o.toJSONObject())
        case .function: return nil
        case .tuples(let t):
            return .array(t.map { $0.context?.toJSON() ?? .null })
        }
    }
}
