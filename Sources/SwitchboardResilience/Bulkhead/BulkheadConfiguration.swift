import JSONValue

/// How many calls may run at once, and how many may wait for how long.
///
/// ```yaml
/// bulkhead: {maxConcurrent: 10, maxQueue: 50, maxWaitMs: 1000}
/// ```
public struct BulkheadConfiguration: Sendable, Equatable {
    /// Calls running at once. Default 10.
    public var maxConcurrent: Int
    /// Calls waiting for a slot, in FIFO order; further calls fail with `BULKHEAD_FULL`. Default 50.
    public var maxQueue: Int
    /// The longest a call waits in the queue before failing with `BULKHEAD_FULL`; `nil` waits
    /// until a slot frees or the call is cancelled. Default 1 s.
    public var maxWait: Duration?

    public init(maxConcurrent: Int = 10, maxQueue: Int = 50, maxWait: Duration? = .seconds(1)) {
        self.maxConcurrent = maxConcurrent
        self.maxQueue = maxQueue
        self.maxWait = maxWait
    }

    /// Decodes the `bulkhead` object of a definition, with defaults for absent fields.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid or unknown field.
    public init(json: JSON, path: String = "bulkhead") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init()
        maxConcurrent = r.int("maxConcurrent", default: maxConcurrent, in: 1...100_000)
        maxQueue = r.int("maxQueue", default: maxQueue, in: 0...1_000_000)
        if r.value("maxWaitMs") != nil {
            maxWait = r.milliseconds("maxWaitMs", default: .seconds(1))
        }
        r.rejectUnknownKeys()
        try r.finish()
    }
}
