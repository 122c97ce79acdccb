import JSONValue

/// What a method answers when the call fails: data for the engine, which executes it and marks
/// the result as coming from a fallback.
///
/// ```yaml
/// fallback: {type: static, value: {items: []}}
/// fallback: {type: last_good, maxAgeMs: 3600000}
/// fallback: {type: method, method: contacts.search, params: {limit: 10}, on: [CIRCUIT_OPEN, TIMEOUT]}
/// ```
public struct FallbackConfiguration: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Answer this value.
        case staticValue(JSON)
        /// Answer the last successful response for the same key (from the response cache, even
        /// if expired), if it is younger than `maxAge` (`nil`: any age).
        case lastGoodResponse(maxAge: Duration?)
        /// Call another method of the same connection, with these params (`nil`: the original params).
        case method(name: String, params: JSON?)
    }

    public var action: Action
    /// Which failures trigger the fallback. Default: every code except `CANCELLED`.
    public var on: Set<ResilienceError.Code>

    public static let defaultTriggers = Set(ResilienceError.Code.allCases).subtracting([.cancelled])

    public init(action: Action, on: Set<ResilienceError.Code> = FallbackConfiguration.defaultTriggers) {
        self.action = action
        self.on = on
    }

    /// Whether `error` should be answered by this fallback.
    ///
    /// `ATTEMPT_TIMEOUT` also covers the calls that end `RETRIES_EXHAUSTED` or `OPERATION_FAILED` because their last
    /// attempt ran out of time (after retries, or on the operation's own timeout): the caller sees those as attempt
    /// timeouts too.
    public func applies(to error: ResilienceError) -> Bool {
        if on.contains(error.code) { return true }
        return on.contains(.attemptTimeout) && (error.code == .retriesExhausted || error.code == .operationFailed)
            && error.lastFailure?.kind == .timeout
    }

    /// Decodes the `fallback` object of a definition.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid or unknown field.
    public init(json: JSON, path: String = "fallback") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        enum Kind: String, CaseIterable {
            case staticValue = "static"
            case lastGood = "last_good"
            case method
        }
        action = .staticValue(.null)
        on = Self.defaultTriggers
        if r.value("type") == nil {
            r.fail("type", "is required (one of static, last_good, method)")
        }
        switch r.choice("type", default: Kind.staticValue) {
        case .staticValue:
            if let v = r.object["value"] {
                _ = r.value("value")
                action = .staticValue(v)
            } else {
                r.fail("value", "is required for a static fallback")
            }
        case .lastGood:
            action = .lastGoodResponse(maxAge: r.optionalMilliseconds("maxAgeMs", allowZero: false))
        case .method:
            let name = r.string("method")
            if name == nil { r.fail("method", "is required for a method fallback") }
            action = .method(name: name ?? "", params: r.value("params"))
        }
        if let list = r.value("on") {
            var codes: Set<ResilienceError.Code> = []
            for (i, item) in (list.arrayValue ?? [list]).enumerated() {
                if let s = item.stringValue, let code = ResilienceError.Code(rawValue: s) {
                    codes.insert(code)
                } else {
                    let allowed = ResilienceError.Code.allCases.map(\.rawValue).joined(separator: ", ")
                    r.adopt([.init(path: "\(r.fieldPath("on"))[\(i)]", message: "must be one of \(allowed) (got \(item))")])
                }
            }
            on = codes
        }
        r.rejectUnknownKeys()
        try r.finish()
    }
}
