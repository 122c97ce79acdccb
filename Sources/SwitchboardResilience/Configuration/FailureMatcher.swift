import JSONValue

/// A set of HTTP statuses and failure kinds, e.g. which failures are retried or which count against a circuit.
///
/// In a definition it is one list mixing statuses (`503`), status classes (`"5xx"`) and failure kinds
/// (`"timeout"`): `retryOn: [429, "5xx", timeout, connection_reset]`. A list that names any status
/// replaces the default statuses; a list that names any kind replaces the default kinds, so
/// `retryOn: [429, 503]` keeps retrying timeouts and connection resets.
public struct FailureMatcher: Sendable, Equatable {
    /// Exact statuses.
    public var statuses: Set<Int>
    /// Status classes by their first digit: `5` matches 500-599.
    public var statusClasses: Set<Int>
    /// Failure kinds.
    public var kinds: Set<FailureKind>

    public init(statuses: Set<Int> = [], statusClasses: Set<Int> = [], kinds: Set<FailureKind> = []) {
        self.statuses = statuses
        self.statusClasses = statusClasses
        self.kinds = kinds
    }

    /// Whether `status` is in the set.
    public func matches(status: Int) -> Bool {
        statuses.contains(status) || statusClasses.contains(status / 100)
    }

    /// Whether `failure` is in the set: by its status when it has one, otherwise by its kind.
    public func matches(_ failure: AttemptFailure) -> Bool {
        if let status = failure.status, failure.kind == .httpStatus { return matches(status: status) }
        return kinds.contains(failure.kind)
    }

    /// Decodes a `retryOn`-style list on top of `defaults` (see the type's documentation).
    static func decode(_ json: JSON, path: String, defaults: FailureMatcher) -> (FailureMatcher, [ConfigurationError.Issue]) {
        guard case .array(let items) = json else {
            return (defaults, [.init(path: path, message: "must be a list of statuses and failure kinds (got \(json.typeName))")])
        }
        var statuses: Set<Int> = []
        var classes: Set<Int> = []
        var kinds: Set<FailureKind> = []
        var sawStatus = false
        var issues: [ConfigurationError.Issue] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            if let n = item.intValue, (100...599).contains(n) {
                statuses.insert(n)
                sawStatus = true
            } else if let s = item.stringValue {
                let bytes = Array(s.utf8)
                if bytes.count == 3, (49...53).contains(bytes[0]), bytes[1] | 0x20 == 120, bytes[2] | 0x20 == 120 {
                    classes.insert(Int(bytes[0]) - 48)
                    sawStatus = true
                } else if let kind = FailureKind(rawValue: s) {
                    kinds.insert(kind)
                } else {
                    let allowed = FailureKind.allCases.map(\.rawValue).joined(separator: ", ")
                    issues.append(.init(path: itemPath, message: "must be an HTTP status, a class like \"5xx\", or one of \(allowed) (got \(item))"))
                }
            } else {
                issues.append(.init(path: itemPath, message: "must be an HTTP status (100-599) or a failure kind (got \(item))"))
            }
        }
        var result = defaults
        if sawStatus {
            result.statuses = statuses
            result.statusClasses = classes
        }
        if !kinds.isEmpty { result.kinds = kinds }
        return (result, issues)
    }
}

extension ConfigurationReader {
    mutating func failureMatcher(_ key: String, default fallback: FailureMatcher) -> FailureMatcher {
        guard let v = value(key) else { return fallback }
        let (matcher, problems) = FailureMatcher.decode(v, path: fieldPath(key), defaults: fallback)
        adopt(problems)
        return matcher
    }
}
