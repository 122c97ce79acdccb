import JSONValue

/// Reads fields out of a JSON object while collecting every problem, so a validation error can list them all.
///
/// ```swift
/// var r = FieldReader(json, path: "")
/// let name = r.string("name", required: true)
/// r.rejectUnknown()
/// ```
public struct FieldReader {
    public let object: JSONObject
    public let path: String
    public private(set) var problems: [Problem] = []
    private var seen: Set<String> = []

    /// Creates a reader; if `json` is not an object the reader records that problem and reads nothing.
    public init(_ json: JSON, path: String) {
        self.path = path
        if case .object(let o) = json {
            object = o
        } else {
            object = JSONObject()
            problems.append(Problem(path: path, message: "must be an object, not \(json.typeName)"))
        }
    }

    public func child(_ key: String) -> String { path + "/" + JSONPointer.escape(key) }

    public mutating func report(_ key: String?, _ message: String) {
        problems.append(Problem(path: key.map(child) ?? path, message: message))
    }

    public mutating func absorb(_ other: [Problem]) { problems += other }

    public mutating func raw(_ key: String) -> JSON? {
        seen.insert(key)
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    public mutating func string(_ key: String, required: Bool = false, maxLength: Int = 10_000) -> String? {
        guard let v = raw(key) else {
            if required { report(key, "is required") }
            return nil
        }
        guard case .string(let s) = v else {
            report(key, "must be a string, not \(v.typeName)")
            return nil
        }
        if required && s.isEmpty {
            report(key, "must not be empty")
            return nil
        }
        if s.utf8.contains(0) {
            report(key, "must not contain NUL characters")
            return nil
        }
        if s.count > maxLength {
            report(key, "must be at most \(maxLength) characters")
            return nil
        }
        return s
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let v = raw(key) else { return nil }
        guard case .bool(let b) = v else {
            report(key, "must be a boolean, not \(v.typeName)")
            return nil
        }
        return b
    }

    public mutating func integer(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let v = raw(key) else { return nil }
        guard let i = v.intValue else {
            report(key, "must be an integer, not \(v.typeName == "number" ? "a fraction" : v.typeName)")
            return nil
        }
        guard range.contains(i) else {
            report(key, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return i
    }

    public mutating func stringArray(_ key: String) -> [String]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let a) = v else {
            report(key, "must be an array of strings, not \(v.typeName)")
            return nil
        }
        var out: [String] = []
        for (i, e) in a.enumerated() {
            if case .string(let s) = e { out.append(s) } else { problems.append(Problem(path: child(key) + "/\(i)", message: "must be a string")) }
        }
        return out
    }

    public mutating func object(_ key: String) -> JSONObject? {
        guard let v = raw(key) else { return nil }
        guard case .object(let o) = v else {
            report(key, "must be an object, not \(v.typeName)")
            return nil
        }
        return o
    }

    public mutating func stringMap(_ key: String) -> [String: String]? {
        guard let o = object(key) else { return nil }
        var out: [String: String] = [:]
        for (k, v) in o {
            if case .string(let s) = v { out[k] = s } else { problems.append(Problem(path: child(key) + "/" + JSONPointer.escape(k), message: "must be a string")) }
        }
        return out
    }

    public mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = false) -> E?
    where E.RawValue == String {
        guard let s = string(key, required: required) else { return nil }
        if let e = E(rawValue: s) { return e }
        report(key, "'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    /// Records a problem for each member not read.
    public mutating func rejectUnknown() {
        for k in object.keys where !seen.contains(k) {
            report(k, "is not a known field")
        }
    }
}
