/// A JSON object: string keys in insertion order, unique, with fast lookup.
///
/// Small objects (the common case for records) are searched linearly, which beats hashing for a
/// handful of short keys; objects above `indexThreshold` keys also keep a hash index.
/// Equality ignores key order, as JSON object equality does.
public struct JSONObject: Sendable {
    /// The keys in insertion order.
    public var keys: [String] { _keys }
    /// The values, parallel to `keys`.
    public var values: [JSON] { _values }
    @usableFromInline var _keys: [String]
    @usableFromInline var _values: [JSON]
    @usableFromInline var index: [String: Int]?

    @usableFromInline static var indexThreshold: Int { 12 }

    @inlinable
    public init() {
        _keys = []
        _values = []
        index = nil
    }

    public init(minimumCapacity: Int) {
        _keys = []
        _values = []
        _keys.reserveCapacity(minimumCapacity)
        _values.reserveCapacity(minimumCapacity)
        index = nil
    }

    /// Builds an object from parallel arrays of keys and values, taking them as they are.
    ///
    /// - Precondition: the keys are distinct and `values.count == keys.count`; callers that cannot be
    ///   sure build the object with the subscript instead.
    @inlinable
    public init(uniqueKeys keys: [String], values: [JSON]) {
        _keys = keys
        _values = values
        index = nil
        if keys.count > Self.indexThreshold { rebuildIndex() }
    }

    /// Builds an object from pairs; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSON) {
        self.init()
        for (k, v) in pairs { self[k] = v }
    }

    @inlinable public var count: Int { _keys.count }
    @inlinable public var isEmpty: Bool { _keys.isEmpty }

    /// The position of `key`, if present.
    @inlinable
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        var i = 0
        let n = _keys.count
        while i < n {
            if _keys[i] == key { return i }
            i += 1
        }
        return nil
    }

    @inlinable
    public subscript(key: String) -> JSON? {
        get {
            guard let i = position(of: key) else { return nil }
            return _values[i]
        }
        set {
            if let newValue {
                if let i = position(of: key) {
                    _values[i] = newValue
                } else {
                    append(key: key, value: newValue)
                }
            } else if let i = position(of: key) {
                remove(at: i)
            }
        }
    }

    /// Appends a key known to be absent (the parser's and builders' fast path).
    ///
    /// - Precondition: `key` is not already present; callers that cannot be sure use the subscript.
    @inlinable
    public mutating func append(key: String, value: JSON) {
        _keys.append(key)
        _values.append(value)
        if index != nil {
            index![key] = _keys.count - 1
        } else if _keys.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    @usableFromInline
    mutating func rebuildIndex() {
        var idx = [String: Int](minimumCapacity: _keys.count * 2)
        for (i, k) in _keys.enumerated() { idx[k] = i }
        index = idx
    }

    /// Removes the member at `position`, keeping the order of the rest.
    @discardableResult
    public mutating func remove(at position: Int) -> (key: String, value: JSON) {
        let k = _keys.remove(at: position)
        let v = _values.remove(at: position)
        if index != nil {
            if _keys.count > Self.indexThreshold { rebuildIndex() } else { index = nil }
        }
        return (k, v)
    }

    /// Removes `key` and returns its value, if present.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = position(of: key) else { return nil }
        return remove(at: i).value
    }

    /// The members in order.
    @inlinable
    public var members: Zip2Sequence<[String], [JSON]> { zip(_keys, _values) }

    /// Sorts members by key (Unicode scalar order), e.g. for canonical serialization.
    public mutating func sortKeys() {
        let order = _keys.indices.sorted { _keys[$0].unicodeScalars.lexicographicallyPrecedes(_keys[$1].unicodeScalars) }
        _keys = order.map { _keys[$0] }
        _values = order.map { _values[$0] }
        if index != nil { rebuildIndex() }
    }

    /// Returns a copy with each value transformed.
    public func mapValues(_ transform: (JSON) throws -> JSON) rethrows -> JSONObject {
        var copy = self
        copy._values = try _values.map(transform)
        return copy
    }
}

extension JSONObject: Sequence {
    public typealias Element = (key: String, value: JSON)

    public struct Iterator: IteratorProtocol {
        @usableFromInline let object: JSONObject
        @usableFromInline var i = 0
        @inlinable init(object: JSONObject) { self.object = object }
        @inlinable
        public mutating func next() -> (key: String, value: JSON)? {
            guard i < object._keys.count else { return nil }
            defer { i += 1 }
            return (object._keys[i], object._values[i])
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(object: self) }
    @inlinable public var underestimatedCount: Int { _keys.count }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs._keys == rhs._keys { return lhs._values == rhs._values }
        for (i, k) in lhs._keys.enumerated() {
            guard let v = rhs[k], v == lhs._values[i] else { return false }
        }
        return true
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-member hashes commutatively.
        var acc = 0
        for (i, k) in _keys.enumerated() {
            var h = Hasher()
            h.combine(k)
            h.combine(_values[i])
            acc ^= h.finalize()
        }
        hasher.combine(count)
        hasher.combine(acc)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}
