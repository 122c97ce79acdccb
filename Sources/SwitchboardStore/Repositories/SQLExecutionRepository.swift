import JSONValue
import SwitchboardCore

/// The executions log in SQL; inserts arrive in batches and go in multi-row statements of a few fixed sizes.
public struct SQLExecutionRepository: ExecutionRepository {
    let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    static let columns = """
        id, connection_id, definition_key, definition_version, method, status, error_code, error_message, http_status, attempts, \
        duration_ms, request_bytes, response_bytes, cached, fallback, created_at, request_body, response_body
        """

    static let insert = ChunkedInsert("INSERT INTO executions (\(columns)) VALUES ", columns: 18, suffix: " ON CONFLICT (id) DO NOTHING")

    public func insert(_ records: [ExecutionRecord]) async throws {
        guard !records.isEmpty else { return }
        try await db.transaction { tx in
            for (range, sql) in Self.insert.chunks(records.count) {
                let chunk = records[range]
                var binds: [SQLValue] = []
                binds.reserveCapacity(chunk.count * 18)
                for r in chunk {
                    let text = Self.storable
                    binds += [
                        .text(r.id), .text(r.connectionId), .text(text(r.definitionKey)), .text(text(r.definitionVersion)), .text(text(r.method)),
                        .text(r.status.rawValue), .optionalText(r.errorCode.map(text)), .optionalText(r.errorMessage.map(text)),
                        r.httpStatus.map { .int(Int64($0)) } ?? .null, .int(Int64(r.attempts)), .double(r.durationMs),
                        .int(Int64(r.requestBytes)), .int(Int64(r.responseBytes)), .bool(r.cached), .bool(r.fallback),
                        .timestamp(r.createdAt), .optionalText(r.requestBody.map(text)), .optionalText(r.responseBody.map(text)),
                    ]
                }
                try await tx.execute(sql, binds)
            }
        }
    }

    /// `text` as the log keeps it (`String.withoutNUL`): a batch holding a NUL was refused by PostgreSQL and, retried,
    /// held back every later one.
    static func storable(_ text: String) -> String { text.withoutNUL }

    public func get(id: String) async throws -> ExecutionRecord? {
        try await db.first("SELECT \(Self.columns) FROM executions WHERE id = ?", [.text(id)]).map(Self.decode)
    }

    public func list(_ query: ExecutionQuery) async throws -> Page<ExecutionRecord> {
        var q = KeysetQuery()
        if let c = query.connectionId { q.filter("connection_id = ?", .text(c)) }
        if let m = query.method { q.filter("method = ?", .text(m)) }
        if let s = query.status { q.filter("status = ?", .text(s.rawValue)) }
        if let since = query.since { q.filter("created_at >= ?", .timestamp(since)) }
        if let until = query.until { q.filter("created_at < ?", .timestamp(until)) }
        try q.after(query.cursor, column: "id", descending: true, isKey: { Identifier.isWellFormed($0, prefix: "exec_") })
        return try await q.page(
            db, select: "SELECT \(Self.columns) FROM executions", orderBy: "id DESC", limit: query.limit, decode: Self.decode, key: \.id)
    }

    static func decode(_ row: SQLRow) -> ExecutionRecord {
        ExecutionRecord(
            id: row.text("id") ?? "", connectionId: row.text("connection_id") ?? "", definitionKey: row.text("definition_key") ?? "",
            definitionVersion: row.text("definition_version") ?? "", method: row.text("method") ?? "",
            status: row.text("status").flatMap(ExecutionRecord.Status.init) ?? .error, errorCode: row.text("error_code"),
            errorMessage: row.text("error_message"), httpStatus: row.int("http_status").map(Int.init), attempts: Int(row.int("attempts") ?? 1),
            durationMs: row.double("duration_ms") ?? 0, requestBytes: Int(row.int("request_bytes") ?? 0),
            responseBytes: Int(row.int("response_bytes") ?? 0), cached: row.bool("cached"), fallback: row.bool("fallback"),
            createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0), requestBody: row.text("request_body"),
            responseBody: row.text("response_body"))
    }
}

/// The events log in SQL.
public struct SQLEventRepository: EventRepository {
    let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    static let insert = ChunkedInsert(
        "INSERT INTO events (id, type, connection_id, payload, created_at) VALUES ", columns: 5, suffix: " ON CONFLICT (id) DO NOTHING")

    public func insert(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        try await db.transaction { tx in
            for (range, sql) in Self.insert.chunks(events.count) {
                let chunk = events[range]
                var binds: [SQLValue] = []
                binds.reserveCapacity(chunk.count * 5)
                for e in chunk {
                    binds += [.text(e.id), .text(e.type), .optionalText(e.connectionId), .json(.object(e.payload)), .timestamp(e.createdAt)]
                }
                try await tx.execute(sql, binds)
            }
        }
    }

    public func list(_ query: EventQuery) async throws -> Page<Event> {
        var q = KeysetQuery()
        if let t = query.type {
            if t.hasSuffix("*") {
                // A literal, case-sensitive prefix on both engines (LIKE read `_` and `\\` as patterns, and ignores case
                // on SQLite); substr counts characters (code points) on both. The length is an integer, not user text.
                let prefix = String(t.dropLast())
                q.filter("substr(type, 1, \(prefix.unicodeScalars.count)) = ?", .text(prefix))
            } else {
                q.filter("type = ?", .text(t))
            }
        }
        if let c = query.connectionId { q.filter("connection_id = ?", .text(c)) }
        if let since = query.since { q.filter("created_at >= ?", .timestamp(since)) }
        if let until = query.until { q.filter("created_at < ?", .timestamp(until)) }
        try q.after(query.cursor, column: "id", descending: true, isKey: { Identifier.isWellFormed($0, prefix: "evt_") })
        return try await q.page(
            db, select: "SELECT id, type, connection_id, payload, created_at FROM events", orderBy: "id DESC", limit: query.limit,
            decode: { row in
                Event(
                    id: row.text("id") ?? "", type: row.text("type") ?? "", connectionId: row.text("connection_id"),
                    payload: row.json("payload").objectValue ?? [:],
                    createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0))
            }, key: \.id)
    }
}
