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
    /// An undefined array item. JavaScript arrays can hold `undefined`, and jsonata-js's regex matcher puts one in a
    /// match's `groups` for each capture group that took no part in the match (`result.groups.push(match[i])` in
    /// `evaluateRegex`). Only arrays hold it: `evaluate` turns it into `nil` as an input or a result, the library passes
    /// it to functions as `nil`, and JSON writes it as `null` in an array (as `JSON.stringify` does).
    case undefined

    static func sequence(_ items: [Value]) -> Value { .array(items, .sequence) }
    static var emptySequence: Value { .array([], .sequence) }

    var isArray: Bool { if case .array = self { true } else { false } }
    var isFunction: Bool { if case .function = self { true } else { false } }
    var isString: Bool { if case .string = self { true } else { false } }
    var isNumber: Bool { if case .number = self { true } else { false } }
    var isSequence: Bool { if case .array(_, let f) = self { f.contains(.sequence) } else { false } }
    var isUndefined: Bool { if case .undefined = self { true } else { false } }

    /// This value as an argument or input: `nil` for an undefined array item.
    @inline(__always)
    var defined: Value? { if case .undefined = self { nil } else { self } }

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
        for (k, v) in bindings.reversed() where Library.sameString(k, name) { return .some(v) }
        return .none
    }

    mutating func bind(_ name: String, _ value: Value?) {
        if let i = bindings.firstIndex(where: { Library.sameString($0.0, name) }) {
            bindings[i].1 = value
        } else {
            bindings.append((name, value))
        }
    }
}

/// An object member name, compared as JavaScript compares property names: by code units.
///
/// Swift's `==` and hashing on `String` follow canonical equivalence, under which "\u{E9}" and "e\u{301}" are one key;
/// in JavaScript (and so in jsonata-js) they are two members.
struct ObjectKey: Hashable {
    let name: String

    @inline(__always)
    init(_ name: String) { self.name = name }

    @inline(__always)
    static func == (a: ObjectKey, b: ObjectKey) -> Bool { Library.sameString(a.name, b.name) }

    func hash(into hasher: inout Hasher) {
        var name = name
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension JSONObject {
    /// The position of the member named exactly `key` (the same code units, see `ObjectKey`): `position(of:)`
    /// also finds a canonically equivalent name, which is always among its answers when an exact one exists.
    @inline(__always)
    func exactPosition(of key: String) -> Int? {
        guard let i = position(of: key) else { return nil }
        let keys = self.keys
        if Library.sameString(keys[i], key) { return i }
        return keys.firstIndex { Library.sameString($0, key) }
    }

    /// The member named exactly `key`.
    @inline(__always)
    func exactMember(_ key: String) -> JSON? {
        guard let i = exactPosition(of: key) else { return nil }
        return values[i]
    }
}

/// A mutable, insertion-ordered object (reference semantics, like a JavaScript object).
///
/// Member names are compared by code units, as JavaScript compares them (see `ObjectKey`).
///
/// Objects that come from the input stay as their `JSONObject` until something needs all the
/// values or changes them: field lookups convert only the member asked for, and an untouched
/// input object is handed back to JSON without copying.
final class ObjectRef {
    @exclusivity(unchecked) private var source: JSONObject?
    @exclusivity(unchecked) private var storedKeys: [String]
    @exclusivity(unchecked) private var storedValues: [Value]
    @exclusivity(unchecked) private var index: [ObjectKey: Int]?
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
        var idx = [ObjectKey: Int](minimumCapacity: storedKeys.count * 2)
        for (i, k) in storedKeys.enumerated() { idx[ObjectKey(k)] = i }
        index = idx
    }

    func position(of key: String) -> Int? {
        if let s = source { return s.exactPosition(of: key) }
        if let index { return index[ObjectKey(key)] }
        var i = 0
        let n = storedKeys.count
        while i < n {
            if Library.sameString(storedKeys[i], key) { return i }
            i += 1
        }
        return nil
    }

    subscript(key: String) -> Value? {
        if let s = source { return s.exactMember(key).map(Value.init) }
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
                index![ObjectKey(key)] = storedKeys.count - 1
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
            index![ObjectKey(key)] = storedKeys.count - 1
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
        case .function, .undefined: return nil
        case .tuples(let t):
            return .array(t.map { $0.context?.toJSON() ?? .null })
        }
    }
}

// MARK: - The result's conversion to JSON

/// Converts an evaluation's result to JSON as part of the evaluation: each value converted is a time limit check
/// point, numbers JSON cannot represent throw `D1001` (the reference lets `$sum` or `$average` overflow to
/// Infinity, which `JSON.stringify` would write as `null`), and the size of the JSON text is counted so that a
/// result over the size limit throws `U1002` before anyone serializes it.
struct ResultConversion {
    let evaluator: Evaluator
    let maxSize: Int?
    /// A lower bound of the compact JSON text's length so far (escapes are not counted).
    private(set) var size = 0

    init(evaluator: Evaluator, maxSize: Int?) {
        self.evaluator = evaluator
        self.maxSize = maxSize
    }

    @inline(__always)
    private mutating func count(_ bytes: Int) throws(JSONataError) {
        size &+= bytes
        if let maxSize, size > maxSize {
            throw JSONataError(
                code: "U1002", message: "The result is too large: its JSON text exceeds the limit of \(maxSize) bytes")
        }
    }

    /// The JSON form of `value`, as `Value.toJSON()` gives it.
    mutating func json(_ value: Value) throws(JSONataError) -> JSON? {
        try evaluator.poll()
        switch value {
        case .null:
            try count(4)
            return .null
        case .bool(let b):
            try count(b ? 4 : 5)
            return .bool(b)
        case .number(let n):
            guard n.isFinite else {
                throw JSONataError(
                    code: "D1001", message: "Number out of range: \(n.isNaN ? "NaN" : n < 0 ? "-Infinity" : "Infinity")")
            }
            try count(1)
            return .number(n)
        case .string(let s):
            try count(s.utf8.count + 2)
            return .string(s)
        case .array(let a, _):
            try count(a.count + 1)
            var out = [JSON]()
            out.reserveCapacity(a.count)
            for e in a { out.append(try json(e) ?? .null) }
            return .array(out)
        case .object(let o):
            if let source = o.unchangedSource {
                if maxSize != nil { try countInput(.object(source)) }
                return .object(source)
            }
            let keys = o.keys
            let values = o.values
            try count(keys.count + 1)
            var converted = [JSON]()
            converted.reserveCapacity(values.count)
            var complete = true
            for i in 0..<keys.count {
                if let j = try json(values[i]) {
                    try count(keys[i].utf8.count + 3)
                    converted.append(j)
                } else {
                    complete = false
                    converted.append(.null)
                }
            }
            // The keys array is shared when every member has a JSON form (functions are left out).
            if complete { return .object(JSONObject(uniqueKeys: keys, values: converted)) }
            var object = JSONObject(minimumCapacity: keys.count)
            for i in 0..<keys.count where !values[i].isFunction && !values[i].isUndefined {
                object.append(key: keys[i], value: converted[i])
            }
            return .object(object)
        case .function, .undefined:
            return nil
        case .tuples(let t):
            try count(t.count + 1)
            var out = [JSON]()
            out.reserveCapacity(t.count)
            for e in t {
                if let c = e.context { out.append(try json(c) ?? .null) } else { out.append(.null) }
            }
            return .array(out)
        }
    }

    /// Counts the size of a part of the input handed back as it is.
    private mutating func countInput(_ value: JSON) throws(JSONataError) {
        try evaluator.poll()
        switch value {
        case .null: try count(4)
        case .bool(let b): try count(b ? 4 : 5)
        case .number: try count(1)
        case .string(let s): try count(s.utf8.count + 2)
        case .array(let a):
            try count(a.count + 1)
            for e in a { try countInput(e) }
        case .object(let o):
            try count(o.count + 1)
            let keys = o.keys
            let values = o.values
            for i in 0..<keys.count {
                try count(keys[i].utf8.count + 3)
                try countInput(values[i])
            }
        }
    }
}
