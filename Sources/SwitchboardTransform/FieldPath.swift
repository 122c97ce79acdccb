import JSONValue

/// A dotted path into a JSON document: `contact.email`, `items.0.sku`, `phones[]` (append to an array).
///
/// Reading follows object keys and, on arrays, numeric indices; writing creates the objects on the way and
/// appends for a segment written with `[]`.
public struct FieldPath: Sendable, Equatable, CustomStringConvertible {
    public struct Segment: Sendable, Equatable {
        public var key: String
        public var appends: Bool
    }

    public let segments: [Segment]
    public let description: String

    /// Parses `text`; `nil` when empty or with an empty segment.
    public init?(_ text: String) {
        var out: [Segment] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var key = String(part)
            var appends = false
            if key.hasSuffix("[]") {
                key.removeLast(2)
                appends = true
            } else if key.hasSuffix("]"), let open = key.lastIndex(of: "[") {
                let index = String(key[key.index(after: open)..<key.index(before: key.endIndex)])
                guard Int(index) != nil else { return nil }
                let base = String(key[..<open])
                if !base.isEmpty { out.append(Segment(key: base, appends: false)) }
                key = index
            }
            guard !key.isEmpty else { return nil }
            out.append(Segment(key: key, appends: appends))
        }
        guard !out.isEmpty else { return nil }
        segments = out
        description = text
    }

    /// The value at this path in `document`, or `nil` when a step is missing.
    public func value(in document: JSON) -> JSON? {
        var current = document
        for s in segments {
            switch current {
            case .object(let o):
                guard let next = o[s.key] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(s.key), i >= 0, i < a.count else { return nil }
                current = a[i]
            default: return nil
            }
        }
        return current
    }

    /// Writes `value` at this path in `document`, creating objects (and arrays for `[]`) as needed.
    ///
    /// - Throws: a message when a step crosses a value that is neither an object nor null.
    public func set(_ value: JSON, in document: inout JSON) throws(FieldPathError) {
        try Self.set(value, segments: segments[...], in: &document, path: description)
    }

    private static func set(_ value: JSON, segments: ArraySlice<Segment>, in node: inout JSON, path: String) throws(FieldPathError) {
        guard let s = segments.first else {
            node = value
            return
        }
        var object: JSONObject
        switch node {
        case .object(let o): object = o
        case .null: object = JSONObject()
        case .array(var a) where Int(s.key) != nil:
            let i = Int(s.key)!
            guard i >= 0, i <= a.count else { throw FieldPathError(message: "index \(i) is beyond the array at '\(path)'") }
            var child: JSON = i < a.count ? a[i] : .null
            try set(value, segments: segments.dropFirst(), in: &child, path: path)
            if i < a.count { a[i] = child } else { a.append(child) }
            node = .array(a)
            return
        default:
            throw FieldPathError(message: "cannot write '\(path)': '\(s.key)' is inside a \(node.typeName)")
        }
        node = .null  // release the copy so the object is uniquely referenced
        if s.appends {
            var array: [JSON]
            switch object[s.key] {
            case .array(let a)?: array = a
            case nil, .null?: array = []
            case let other?: throw FieldPathError(message: "cannot append at '\(path)': '\(s.key)' is a \(other.typeName)")
            }
            if segments.count == 1 {
                if case .array(let items) = value { array += items } else { array.append(value) }
            } else {
                var child: JSON = .null
                try set(value, segments: segments.dropFirst(), in: &child, path: path)
                array.append(child)
            }
            object[s.key] = .array(array)
        } else {
            var child = object[s.key] ?? .null
            object[s.key] = .null
            try set(value, segments: segments.dropFirst(), in: &child, path: path)
            object[s.key] = child
        }
        node = .object(object)
    }
}

public struct FieldPathError: Error, Sendable, Equatable {
    public var message: String
}
