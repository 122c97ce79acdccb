import JSONValue
import JSONata
import SwitchboardStore

/// Why a sync run could not store a record, with a message an operator can act on. The messages are made of the
/// sync's own settings (`idField`), the record's values and the mapping's error, never of credentials (the mapping
/// only sees the record), and are bounded in length.
extension SyncRecordFailure {
    /// The record has no value (or null) at `idField`.
    public static let idMissing = "RECORD_ID_MISSING"
    /// The value at `idField` is not usable as an id: not a non-empty string nor a number up to 2^53 - 1.
    public static let idInvalid = "RECORD_ID_INVALID"
    /// The mapping threw an error (its JSONata code and message are in the failure's message).
    public static let mappingFailed = "MAPPING_FAILED"
    /// The mapping's result is undefined: there is nothing to store.
    public static let mappingUndefined = "MAPPING_UNDEFINED"

    /// The longest message kept, in characters; a longer one is cut and ends with an ellipsis.
    static let maxMessageLength = 500
    /// The longest rendering of a value quoted in a message.
    static let maxValueLength = 100

    /// A record whose id at `idField` is missing (`value` nil or null) or not usable.
    static func badId(_ value: JSON?, idField: String, page: Int, index: Int) -> SyncRecordFailure {
        guard let value, !value.isNull else {
            return SyncRecordFailure(
                externalId: nil, page: page, index: index, code: idMissing, message: bounded("the record has no id at '\(idField)'"))
        }
        let why: String =
            switch value {
            case .string: "an empty string"
            case .number: "a number beyond 2^53 - 1, which a double cannot hold exactly (take the id from a string field)"
            case .bool: "a boolean"
            case .array: "an array"
            case .object: "an object"
            case .null: "null"
            }
        return SyncRecordFailure(
            externalId: nil, page: page, index: index, code: idInvalid,
            message: bounded(
                "the id at '\(idField)' (\(quoted(value))) is \(why), not a non-empty string or a number up to 2^53 - 1"))
    }

    /// A record whose mapping threw `error`.
    static func mapping(_ error: JSONataError, externalId: String, page: Int, index: Int) -> SyncRecordFailure {
        SyncRecordFailure(
            externalId: externalId, page: page, index: index, code: mappingFailed, message: bounded("the mapping failed: \(error.description)"))
    }

    /// A record whose mapping gave an undefined result.
    static func mappingGaveNothing(externalId: String, page: Int, index: Int) -> SyncRecordFailure {
        SyncRecordFailure(
            externalId: externalId, page: page, index: index, code: mappingUndefined,
            message: "the mapping's result is undefined (nothing to store)")
    }

    static func quoted(_ value: JSON) -> String { bounded(value.serialized(), to: maxValueLength) }

    static func bounded(_ text: String, to limit: Int = maxMessageLength) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
