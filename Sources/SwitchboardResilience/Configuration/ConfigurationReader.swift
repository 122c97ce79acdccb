import JSONValue

/// Reads the fields of one configuration object, collecting every problem instead of stopping at the first.
///
/// Used by the `init(json:path:)` decoders of the configuration types. Unknown keys are reported too,
/// so a misspelt `maxAtempts` does not silently fall back to the default.
struct ConfigurationReader {
    let object: JSONObject
    let path: String
    private(set) var issues: [ConfigurationError.Issue] = []
    private var readKeys: Set<String> = []

    /// Starts reading `json`, which must be an object.
    init(_ json: JSON, path: String) {
        self.path = path
        if case .object(let o) = json {
            object = o
        } else {
            object = JSONObject()
            issues.append(.init(path: path, message: "must be an object (got \(json.typeName))"))
        }
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func fail(_ key: String, _ message: String) {
        issues.append(.init(path: fieldPath(key), message: message))
    }

    mutating func adopt(_ other: [ConfigurationError.Issue]) {
        issues.append(contentsOf: other)
    }

    /// The raw value of `key`, marking it as known; `nil` when absent or JSON `null`.
    mutating func value(_ key: String) -> JSON? {
        readKeys.insert(key)
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    mutating func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let v = value(key) else { return fallback }
        guard let b = v.boolValue else {
            fail(key, "must be a boolean (got \(v.typeName))")
            return fallback
        }
        return b
    }

    mutating func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) -> Int {
        guard let v = value(key) else { return fallback }
        guard let i = v.intValue, range.contains(i) else {
            fail(key, "must be an integer between \(range.lowerBound) and \(range.upperBound) (got \(v))")
            return fallback
        }
        return i
    }

    mutating func optionalInt(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard value(key) != nil else { return nil }
        return int(key, default: range.lowerBound, in: range)
    }

    mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>) -> Double {
        guard let v = value(key) else { return fallback }
        guard let d = v.numberValue, range.contains(d) else {
            fail(key, "must be a number between \(JSON.number(range.lowerBound)) and \(JSON.number(range.upperBound)) (got \(v))")
            return fallback
        }
        return d
    }

    /// A duration given in milliseconds (fractions allowed) under `key`.
    mutating func milliseconds(_ key: String, default fallback: Duration, allowZero: Bool = true) -> Duration {
        guard let v = value(key) else { return fallback }
        guard let ms = v.numberValue, ms.isFinite, allowZero ? ms >= 0 : ms > 0, ms <= 1e12 else {
            fail(key, "must be a number of milliseconds \(allowZero ? ">= 0" : "> 0") (got \(v))")
            return fallback
        }
        return .nanoseconds(Int64((ms * 1_000_000).rounded()))
    }

    mutating func optionalMilliseconds(_ key: String, allowZero: Bool = true) -> Duration? {
        guard value(key) != nil else { return nil }
        return milliseconds(key, default: .zero, allowZero: allowZero)
    }

    mutating func string(_ key: String) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue, !s.isEmpty else {
            fail(key, "must be a non-empty string (got \(v))")
            return nil
        }
        return s
    }

    /// A string that must be one of the raw values of `E`.
    mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E) -> E where E.RawValue == String {
        guard let v = value(key) else { return fallback }
        if let s = v.stringValue, let e = E(rawValue: s) { return e }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        fail(key, "must be one of \(allowed) (got \(v))")
        return fallback
    }

    /// Reports every key of the object that no accessor asked for.
    mutating func rejectUnknownKeys() {
        for key in object.keys where !readKeys.contains(key) {
            issues.append(.init(path: fieldPath(key), message: "is not a known setting"))
        }
    }

    /// Throws the collected issues, if any.
    func finish() throws(ConfigurationError) {
        if !issues.isEmpty { throw ConfigurationError(issues: issues) }
    }
}
