import JSONValue

/// Response caching of a method; present only on methods marked cacheable (GET-like).
///
/// ```yaml
/// cache: {ttlMs: 60000, maxEntries: 1000}
/// ```
public struct CacheConfiguration: Sendable, Equatable {
    /// How long a stored response is served. Default 60 s.
    public var ttl: Duration
    /// Entries kept (least recently used evicted first). Default 1000.
    public var maxEntries: Int

    public init(ttl: Duration = .seconds(60), maxEntries: Int = 1000) {
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// Decodes the `cache` object of a definition, with defaults for absent fields.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid or unknown field.
    public init(json: JSON, path: String = "cache") throws(ConfigurationError) {
        var r = ConfigurationReader(json, path: path)
        self.init()
        ttl = r.milliseconds("ttlMs", default: ttl, allowZero: false)
        maxEntries = r.int("maxEntries", default: maxEntries, in: 1...10_000_000)
        r.rejectUnknownKeys()
        try r.finish()
    }
}
