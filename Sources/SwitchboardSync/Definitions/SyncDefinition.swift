import JSONValue
import JSONata
import SwitchboardCore

/// One sync of an integration definition: which method to page through, how, and what to keep.
///
/// Declared in the definition's `syncs` array:
/// ```yaml
/// syncs:
///   - name: contacts
///     entityType: contact
///     sourceMethod: contacts.list
///     pagination: {type: cursor, cursorPath: meta.next, cursorParam: after}
///     recordsPath: data
///     idField: id
///     incremental: {cursorField: updated_at, param: updated_since}
///     mapping: "{'id': id, 'email': email}"
///     schedule: {intervalSeconds: 3600}
///     mode: incremental
/// ```
public struct SyncDefinition: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case fullRefresh = "full_refresh"
        case incremental
    }

    public var name: String
    public var entityType: String
    public var sourceMethod: String
    public var pagination: SyncPagination
    /// Dotted path to the records array in the (transformed) method result; nil when the result is the array.
    public var recordsPath: String?
    /// Dotted path to the external id in each source record.
    public var idField: String
    public var incremental: SyncIncremental?
    public var mapping: JSONataExpression?
    public var mappingSource: String?
    public var schedule: SyncSchedule?
    public var mode: Mode

    /// The records array of one page; nil when the page has none at `recordsPath`.
    public func records(in result: JSON) -> [JSON]? {
        guard let recordsPath else { return result.arrayValue }
        return JSONPath.value(at: recordsPath, in: result)?.arrayValue
    }
}

/// How the source method is paged.
public enum SyncPagination: Sendable, Equatable {
    /// The next cursor is read at `cursorPath` in the response body and sent as parameter `cursorParam`.
    case cursor(cursorPath: String, cursorParam: String)
    /// `offsetParam` advances by the records received, `limitParam` carries `pageSize`.
    case offset(offsetParam: String, limitParam: String, pageSize: Int)
    /// `pageParam` counts pages from `startPage`; `pageSize` is sent as `pageSizeParam` when named.
    case page(pageParam: String, pageSize: Int, startPage: Int, pageSizeParam: String?)
    /// The next page is the `Link` response header's `rel="next"` URL.
    case linkHeader
    /// The next page is the URL at `nextUrlPath` in the response body.
    case nextURL(nextUrlPath: String)
    /// One request, no paging.
    case none

    public var typeName: String {
        switch self {
        case .cursor: "cursor"
        case .offset: "offset"
        case .page: "page"
        case .linkHeader: "link_header"
        case .nextURL: "next_url"
        case .none: "none"
        }
    }
}

/// Incremental reading: the highest `cursorField` seen is sent as `param` on the next run.
public struct SyncIncremental: Sendable, Equatable {
    public var cursorField: String
    public var param: String
}

/// When a sync runs by itself.
public enum SyncSchedule: Sendable, Equatable {
    case interval(seconds: Int)
    case cron(CronExpression)

    /// The first time strictly after `time` the schedule fires.
    public func next(after time: Timestamp) -> Timestamp? {
        switch self {
        case .interval(let s): Timestamp(millisecondsSinceEpoch: time.millisecondsSinceEpoch + Int64(s) * 1000)
        case .cron(let c): c.next(after: time)
        }
    }
}

/// Dotted paths (`meta.next`, `data.0.id`) into JSON values.
public enum JSONPath {
    public static func value(at path: String, in json: JSON) -> JSON? {
        // One member name (an id field, a cursor field): a lookup without splitting the path, once per record.
        if !path.utf8.contains(UInt8(ascii: ".")) {
            if case .object(let o) = json { return o[path] }
            if case .array(let a) = json, let i = Int(path), a.indices.contains(i) { return a[i] }
            return nil
        }
        var current = json
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .object(let o):
                guard let v = o[String(part)] else { return nil }
                current = v
            case .array(let a):
                guard let i = Int(part), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    static func isWellFormed(_ path: String) -> Bool {
        !path.isEmpty && !path.split(separator: ".", omittingEmptySubsequences: false).contains { $0.isEmpty }
    }
}
