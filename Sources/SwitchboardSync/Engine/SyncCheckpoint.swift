import JSONValue

/// Where a run stands: saved with every committed batch, so a reclaimed run resumes from the next page.
public struct SyncCheckpoint: Sendable, Equatable {
    /// The cursor to send for the next page (cursor pagination).
    public var cursor: JSON?
    /// The offset of the next page (offset pagination).
    public var offset: Int = 0
    /// The number of the next page (page pagination); nil means the sync's start page.
    public var page: Int?
    /// The parameters read from the next URL (next_url pagination).
    public var nextParams: JSON?
    /// The incremental cursor this run filters with (from the previous run), the same on every page.
    public var since: JSON?
    /// The highest incremental cursor value seen so far; becomes the next run's `since` when this run completes, unless
    /// a record failed (see `nextSince`).
    public var maxSeen: JSON?
    /// The lowest incremental cursor value of a record that failed (no usable id, or its mapping failed) so far: the
    /// next run must fetch it again, so its `since` is not past this value.
    public var lowestFailed: JSON?
    /// True once a record without an incremental cursor value failed: nothing tells where it sits, so the next run
    /// starts where this one did.
    public var failedWithoutCursor = false
    /// Pages committed so far.
    public var pages: Int = 0
    /// The records sequence when the run started (full refresh): records it created or changed have a higher
    /// `modified_seq`, so only the ones it saw unchanged need noting to find the deleted ones at the end.
    public var startSequence: Int64?
    /// True while every record of the entity was written by this run: the entity had none when the run started and
    /// no page has hit a stored record since. Pages are then inserted without first looking up what is stored (an
    /// initial import costs the database a plain insert); the unique key still guards it, and the first page that
    /// meets a stored record is redone as an upsert and turns this off.
    public var onlyNew = false

    public init() {}

    public var json: JSON {
        var o: JSONObject = ["offset": .number(Double(offset)), "pages": .number(Double(pages))]
        if let cursor { o["cursor"] = cursor }
        if let page { o["page"] = .number(Double(page)) }
        if let nextParams { o["nextParams"] = nextParams }
        if let since { o["since"] = since }
        if let maxSeen { o["maxSeen"] = maxSeen }
        if let lowestFailed { o["lowestFailed"] = lowestFailed }
        if failedWithoutCursor { o["failedWithoutCursor"] = true }
        if let startSequence { o["startSequence"] = .number(Double(startSequence)) }
        if onlyNew { o["onlyNew"] = true }
        return .object(o)
    }

    public init(json: JSON) {
        cursor = json["cursor"]
        offset = json["offset"]?.intValue ?? 0
        page = json["page"]?.intValue
        nextParams = json["nextParams"]
        since = json["since"]
        maxSeen = json["maxSeen"]
        lowestFailed = json["lowestFailed"]
        failedWithoutCursor = json["failedWithoutCursor"] == .bool(true)
        pages = json["pages"]?.intValue ?? 0
        startSequence = json["startSequence"]?.intValue.map(Int64.init)
        onlyNew = json["onlyNew"] == .bool(true)
    }

    /// Notes a record the run saw: its incremental cursor value `value` (nil when it has none) raises `maxSeen`.
    mutating func saw(_ value: JSON?) {
        guard let value else { return }
        if maxSeen.map({ Self.isGreater(value, than: $0) }) ?? true { maxSeen = value }
    }

    /// Notes a record that failed, with its incremental cursor value `value` (nil when it has none): the next run's
    /// `since` must not pass it.
    mutating func failed(_ value: JSON?) {
        guard let value else {
            failedWithoutCursor = true
            return
        }
        if lowestFailed.map({ Self.isGreater($0, than: value) }) ?? true { lowestFailed = value }
    }

    /// The incremental cursor the next run starts from once this run completes (the bound is inclusive): the highest
    /// value seen, but never past a record that failed, so the next run fetches it again (and imports it once what made
    /// it fail is fixed). A failed record without a value keeps the cursor where this run started. Nil: the cursor
    /// stays as it was.
    public var nextSince: JSON? {
        if failedWithoutCursor { return since }
        let highest = maxSeen ?? since
        guard let lowestFailed else { return highest }
        guard let highest else { return lowestFailed }
        return Self.isGreater(highest, than: lowestFailed) ? lowestFailed : highest
    }

    /// Orders incremental cursor values: numbers numerically, anything else by its text (RFC 3339 times sort as text).
    static func isGreater(_ a: JSON, than b: JSON) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x > y }
        return text(a) > text(b)
    }

    static func text(_ v: JSON) -> String {
        if case .string(let s) = v { return s }
        return v.serialized()
    }
}
