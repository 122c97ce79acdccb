import JSONValue

/// A record a sync run fetched but could not store: where it was, and why, so that an operator can fix the mapping
/// (or the `idField`) that made it fail. A run keeps the first `keptPerRun` of them; `SyncRun.Counts.failed` counts
/// them all.
public struct SyncRecordFailure: Sendable, Equatable {
    /// How many failures a run keeps: its first ones, in page order.
    public static let keptPerRun = 20

    /// The record's external id; nil when the id itself is what failed (missing, or not usable as an id).
    public var externalId: String?
    /// The page the record came in, counted from 1 across the whole run (a resumed run goes on counting).
    public var page: Int
    /// The record's position in the page's records array, from 0.
    public var index: Int
    /// Why it failed, a stable code (`RECORD_ID_MISSING`, `RECORD_ID_INVALID`, `MAPPING_FAILED`, `MAPPING_UNDEFINED`).
    public var code: String
    /// What went wrong, for a person: made of the record's own values and the mapping's error, never of credentials.
    public var message: String

    public init(externalId: String?, page: Int, index: Int, code: String, message: String) {
        self.externalId = externalId
        self.page = page
        self.index = index
        self.code = code
        self.message = message
    }

    public var json: JSON {
        [
            "externalId": externalId.map(JSON.string) ?? .null, "page": .number(Double(page)), "index": .number(Double(index)),
            "code": .string(code), "message": .string(message),
        ]
    }
}
