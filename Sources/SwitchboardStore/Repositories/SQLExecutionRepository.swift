import JSONValue
import SwitchboardCore

/// The executions log in SQL; inserts arrive in batches and go in one multi-row statement per chunk.
public struct SQLExecutionRepository: ExecutionRepository {
    let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    static let columns = """
        id, connection_id, definition_key, definition_version, method, status, error_code, error_message, http_status, attempts, \
        duration_ms, request_bytes, response_bytes, cached, fallback, created_at, request_body, response_body
        """

    public func insert(_ records: [ExecutionRecord]) async throws {
        guard !records.isEmpty else { return }
        try await db.transaction { tx in
            for chunk in stride(from: 0, to: records.count, by: 200).map({ Array(records[$0..<min($0 + 200, records.count)]) }) {
                let row = "(" + Array(repeating: "?", count: 18).joined(separator: ", ") + ")"
                var binds: [SQLValue] = []
                binds.reserveCapacity(chunk.count * 18)
                for r in chunk {
                    binds += [
                        .text(r.id), .text(r.connectionId), .text(r.definitionKey), .text(r.definitionVersion), .text(r.method),
                        .text(r.status.rawValue), .optionalText(r.errorCode), .optionalText(r.errorMessage),
                        r.httpStatus.map { .int(Int64($0)) } ?? .null, .int(Int64(r.attempts)), .double(r.durationMs),
                        .int(Int64(r.requestBytes)), .int(Int64(r.responseBytes)), .bool(r.cached), .bool(r.fallback),
                        .timestamp(r.createdAt), .optionalText(r.requestBody), .optionalText(r.responseBody),
                    ]
                }
                try await tx.execute(
                    "INSERT INTO executions (\(Self.columns)) VALUES " + Array(repeating: row, count: chunk.count).joined(separator: ", ")
                        + " ON CONFLICT (id) DO NOTHING", binds)
            }
        }
    }

    public func get(id: String) async throws -> ExecutionRecord? {
        try await db.first("SELECT \(Self.columns) FROM executions WHERE id = ?", [.text(id)]).map(Self.decode)
    }

    public func list(_ query: ExecutionQuery) async throws -> Page<ExecutionRecord> {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let c = query.connectionId {
            conditions.append("connection_id = ?")
            binds.append(.text(c))
        }
        if let m = query.method {
            conditions.append("method = ?")
            binds.append(.text(m))
        }
        if let s = query.status {
            conditions.append("status = ?")
            binds.append(.text(s.rawValue))
        }
        if let since = query.since {
            conditions.append("created_at >= ?")
            binds.append(.timestamp(since))
        }
        if let until = query.until {
            conditions.append("created_at < ?")
            binds.append(.timestamp(until))
        }
        if let cursor = query.cursor {
            guard let last = cursor.position.first?.stringValue else {
                throw SwitchboardError.badRequest("the cursor is not one this server issued", code: "INVALID_CURSOR")
            }
            conditions.append("id < ?")
            binds.append(.text(last))
        }
        binds.append(.int(Int64(query.limit + 1)))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var items = try await db.query("SELECT \(Self.columns) FROM executions \(whereClause) ORDER BY id DESC LIMIT ?", binds).map(Self.decode)
        var next: String?
        if items.count > query.limit {
            items.removeLast()
            next = Cursor(position: [.string(items.last!.id)]).encoded
        }
        return Page(items: items, nextCursor: next)
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

    public func insert(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        try await db.transaction { tx in
            for chunk in stride(from: 0, to: events.count, by: 500).map({ Array(events[$0..<min($0 + 500, events.count)]) }) {
                var binds: [SQLValue] = []
                for e in chunk { binds += [.text(e.id), .text(e.type), .optionalText(e.connectionId), .json(.object(e.payload)), .timestamp(e.createdAt)] }
                try await tx.execute(
                    "INSERT INTO events (id, type, connection_id, payload, created_at) VALUES "
                        + Array(repeating: "(?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ") + " ON CONFLICT (id) DO NOTHING", binds)
            }
        }
    }

    public func list(_ query: EventQuery) async throws -> Page<Event> {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let t = query.type {
            if t.hasSuffix("*") {
                conditions.append("type LIKE ?")
                binds.append(.text(String(t.dropLast()).replacing("%", with: "") + "%"))
            } else {
                conditions.append("type = ?")
                binds.append(.text(t))
            }
        }
        if let c = query.connectionId {
            conditions.append("connection_id = ?")
            binds.append(.text(c))
        }
        if let since = query.since {
            conditions.append("created_at >= ?")
            binds.append(.timestamp(since))
        }
        if let cursor = query.cursor {
            guard let last = cursor.position.first?.stringValue else {
                throw SwitchboardError.badRequest("the cursor is not one this server issued", code: "INVALID_CURSOR")
            }
            conditions.append("id < ?")
            binds.append(.text(last))
        }
        binds.append(.int(Int64(query.limit + 1)))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var items = try await db.query(
            "SELECT id, type, connection_id, payload, created_at FROM events \(whereClause) ORDER BY id DESC LIMIT ?", binds
        ).map { row in
            Event(
                id: row.text("id") ?? "", type: row.text("type") ?? "", connectionId: row.text("connection_id"),
                payload: row.json("payload").objectValue ?? [:], createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0))
        }
        var next: String?
        if items.count > query.limit {
            items.removeLast()
            next = Cursor(position: [.string(items.last!.id)]).encoded
        }
        return Page(items: items, nextCursor: next)
    }
}
