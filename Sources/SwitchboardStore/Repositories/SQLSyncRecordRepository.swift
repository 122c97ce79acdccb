import JSONValue
import SwitchboardCore

/// One record to store: its external id, its (mapped) data and the hash of that data's canonical JSON.
public struct SyncRecordInput: Sendable, Equatable {
    public var externalId: String
    public var data: JSON
    public var contentHash: String
    /// The JSON text to store for `data`, when already serialized (the canonical text the hash was computed from).
    public var dataText: String?

    public init(externalId: String, data: JSON, contentHash: String, dataText: String? = nil) {
        self.externalId = externalId
        self.data = data
        self.contentHash = contentHash
        self.dataText = dataText
    }
}

/// A stored record of a connection's entity type.
public struct SyncRecord: Sendable, Equatable {
    public var connectionId: String
    public var entityType: String
    public var externalId: String
    public var data: JSON
    public var contentHash: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var deletedAt: Timestamp?
    /// Increases with every change (creation, update, deletion), in commit order.
    public var modifiedSeq: Int64

    public var isDeleted: Bool { deletedAt != nil }

    public var json: JSON {
        var o: JSONObject = [
            "externalId": .string(externalId), "entityType": .string(entityType), "data": data,
            "createdAt": .string(createdAt.iso8601), "updatedAt": .string(updatedAt.iso8601),
            "deleted": .bool(isDeleted), "modifiedSeq": .number(Double(modifiedSeq)),
        ]
        if let deletedAt { o["deletedAt"] = .string(deletedAt.iso8601) }
        return .object(o)
    }
}

/// What an upsert did.
public struct SyncUpsertCounts: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    /// The external ids left unchanged (only when the upsert was asked to collect them).
    public var unchangedIds: [String] = []

    public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0, unchangedIds: [String] = []) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.unchangedIds = unchangedIds
    }

    public static func + (a: SyncUpsertCounts, b: SyncUpsertCounts) -> SyncUpsertCounts {
        SyncUpsertCounts(
            created: a.created + b.created, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged,
            unchangedIds: a.unchangedIds + b.unchangedIds)
    }
}

/// The records store: unique on (connection, entity type, external id), written in batched multi-row upserts
/// that leave rows whose content hash did not change untouched.
public struct SQLSyncRecordRepository: Sendable {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    /// Rows per INSERT statement (10 binds each: well under SQLite's 32,766 and PostgreSQL's 65,535).
    static let chunkSize = 1000

    /// Takes `count` consecutive sequence numbers; returns the first. Locks the counter until `tx` ends.
    static func reserveSequence(_ count: Int, in tx: any SQLExecutor) async throws -> Int64 {
        guard let row = try await tx.first(
            "UPDATE sync_counters SET value = value + ? WHERE name = 'records' RETURNING value", [.int(Int64(count))]),
            let last = row.int("value")
        else { throw DatabaseError(kind: .other, message: "the sync_counters table has no 'records' row") }
        return last - Int64(count) + 1
    }

    /// A condition on `column` being one of `ids`: on PostgreSQL `= ANY` of one text[] parameter (a list of 1,000
    /// parameters costs its planner ~20 ms, the array well under 1 ms, and both use the primary key); on SQLite an
    /// `IN` list of parameters (cheap there).
    static func idSet(_ column: String, _ ids: [String], dialect: SQLDialect) -> (sql: String, binds: [SQLValue]) {
        switch dialect {
        case .postgres:
            var literal = "{"
            for (i, id) in ids.enumerated() {
                if i > 0 { literal += "," }
                literal += "\""
                for ch in id.unicodeScalars {
                    if ch == "\\" || ch == "\"" { literal += "\\" }
                    literal.unicodeScalars.append(ch)
                }
                literal += "\""
            }
            literal += "}"
            return (column + " = ANY(CAST(? AS text[]))", [.text(literal)])
        case .sqlite:
            return (column + " IN (" + Array(repeating: "?", count: ids.count).joined(separator: ", ") + ")", ids.map(SQLValue.text))
        }
    }

    /// The highest sequence number taken so far: every record created or changed after this call gets a higher one.
    public func currentSequence(in tx: (any SQLExecutor)? = nil) async throws -> Int64 {
        let sql = "SELECT value FROM sync_counters WHERE name = 'records'"
        let row: SQLRow?
        if let tx { row = try await tx.first(sql, []) } else { row = try await db.first(sql, []) }
        return row?.int("value") ?? 0
    }

    /// Inserts new records, updates changed (or deleted) ones, and leaves unchanged ones as they are, inside `tx`.
    /// A record listed twice counts once, with its last data. With `collectUnchanged`, the counts list the external
    /// ids that were left unchanged.
    public func upsert(
        _ records: [SyncRecordInput], connectionId: String, entityType: String, now: Timestamp, collectUnchanged: Bool = false,
        in tx: any SQLExecutor
    ) async throws -> SyncUpsertCounts {
        var index: [String: Int] = [:]
        var unique: [SyncRecordInput] = []
        unique.reserveCapacity(records.count)
        for r in records {
            if let i = index[r.externalId] { unique[i] = r } else {
                index[r.externalId] = unique.count
                unique.append(r)
            }
        }
        guard !unique.isEmpty else { return SyncUpsertCounts() }
        // Taking the sequence locks the counter row until `tx` ends: every writer of records takes it first, so what
        // the SELECT below reads cannot change before this transaction commits.
        let first = try await Self.reserveSequence(unique.count, in: tx)
        if tx.dialect == .postgres {
            return try await upsertReturning(unique, first: first, connectionId: connectionId, entityType: entityType, now: now, collectUnchanged: collectUnchanged, in: tx)
        }
        var counts = SyncUpsertCounts()
        var offset = 0
        while offset < unique.count {
            let chunk = unique[offset..<min(offset + Self.chunkSize, unique.count)]
            defer { offset += chunk.count }
            // What is stored now: new records are inserted, changed (or deleted) ones replaced, unchanged ones not sent.
            let ids = Self.idSet("external_id", chunk.map(\.externalId), dialect: tx.dialect)
            let existing = try await tx.query(
                "SELECT external_id, content_hash, deleted_at FROM sync_records WHERE connection_id = ? AND entity_type = ? AND " + ids.sql,
                [.text(connectionId), .text(entityType)] + ids.binds)
            var stored: [String: (hash: String, deleted: Bool)] = [:]
            stored.reserveCapacity(existing.count)
            for row in existing {
                if let id = row.text("external_id") { stored[id] = (row.text("content_hash") ?? "", row.int("deleted_at") != nil) }
            }
            var inserts: [SQLValue] = []
            var replaces: [SQLValue] = []
            var insertCount = 0
            var replaceCount = 0
            for (i, r) in chunk.enumerated() {
                let seq = SQLValue.int(first + Int64(offset + i))
                let values: [SQLValue] = [
                    .text(connectionId), .text(entityType), .text(r.externalId), r.dataText.map(SQLValue.text) ?? .json(r.data), .text(r.contentHash),
                    .timestamp(now), .timestamp(now), .null, seq, seq,
                ]
                if let current = stored[r.externalId] {
                    if current.hash == r.contentHash && !current.deleted {
                        counts.unchanged += 1
                        if collectUnchanged { counts.unchangedIds.append(r.externalId) }
                    } else {
                        replaces += values
                        replaceCount += 1
                    }
                } else {
                    inserts += values
                    insertCount += 1
                }
            }
            let columns = """
                INSERT INTO sync_records (connection_id, entity_type, external_id, data, content_hash, created_at, updated_at,
                    deleted_at, created_seq, modified_seq) VALUES
                """
            if insertCount > 0 {
                try await tx.execute(columns + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: insertCount).joined(separator: ", "), inserts)
                counts.created += insertCount
            }
            if replaceCount > 0 {
                try await tx.execute(
                    columns + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: replaceCount).joined(separator: ", ")
                        + """
                         ON CONFLICT (connection_id, entity_type, external_id) DO UPDATE SET data = excluded.data,
                            content_hash = excluded.content_hash, updated_at = excluded.updated_at, deleted_at = NULL,
                            modified_seq = excluded.modified_seq
                        """, replaces)
                counts.updated += replaceCount
            }
        }
        return counts
    }

    /// PostgreSQL: one `INSERT ... ON CONFLICT DO UPDATE ... WHERE the hash changed RETURNING` per chunk; every row's
    /// conflict check is a primary-key probe, where a pre-read of 1,000 ids would be planned as a scan of the table.
    func upsertReturning(
        _ unique: [SyncRecordInput], first: Int64, connectionId: String, entityType: String, now: Timestamp, collectUnchanged: Bool,
        in tx: any SQLExecutor
    ) async throws -> SyncUpsertCounts {
        var counts = SyncUpsertCounts()
        var offset = 0
        while offset < unique.count {
            let chunk = unique[offset..<min(offset + Self.chunkSize, unique.count)]
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * 10)
            for (i, r) in chunk.enumerated() {
                let seq = SQLValue.int(first + Int64(offset + i))
                binds += [
                    .text(connectionId), .text(entityType), .text(r.externalId), r.dataText.map(SQLValue.text) ?? .json(r.data), .text(r.contentHash),
                    .timestamp(now), .timestamp(now), .null, seq, seq,
                ]
            }
            let rows = try await tx.query(
                """
                INSERT INTO sync_records (connection_id, entity_type, external_id, data, content_hash, created_at, updated_at,
                    deleted_at, created_seq, modified_seq) VALUES
                """ + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
                    + """
                     ON CONFLICT (connection_id, entity_type, external_id) DO UPDATE SET data = excluded.data,
                        content_hash = excluded.content_hash, updated_at = excluded.updated_at, deleted_at = NULL,
                        modified_seq = excluded.modified_seq
                    WHERE sync_records.content_hash <> excluded.content_hash OR sync_records.deleted_at IS NOT NULL
                    RETURNING external_id, created_seq, modified_seq
                    """, binds)
            var written = Set<String>()
            if collectUnchanged { written.reserveCapacity(rows.count) }
            for row in rows {
                if row.int("created_seq") == row.int("modified_seq") { counts.created += 1 } else { counts.updated += 1 }
                if collectUnchanged, let id = row.text("external_id") { written.insert(id) }
            }
            counts.unchanged += chunk.count - rows.count
            if collectUnchanged && rows.count < chunk.count {
                for r in chunk where !written.contains(r.externalId) { counts.unchangedIds.append(r.externalId) }
            }
            offset += chunk.count
        }
        return counts
    }

    /// Marks live records deleted whose external ids are in `externalIds`; returns how many it marked.
    public func markDeleted(
        externalIds: [String], connectionId: String, entityType: String, now: Timestamp, in tx: any SQLExecutor
    ) async throws -> Int {
        var marked = 0
        var offset = 0
        while offset < externalIds.count {
            let chunk = Array(externalIds[offset..<min(offset + Self.chunkSize, externalIds.count)])
            offset += chunk.count
            let ids = Self.idSet("external_id", chunk, dialect: tx.dialect)
            let live = try await tx.query(
                "SELECT external_id FROM sync_records WHERE connection_id = ? AND entity_type = ? AND deleted_at IS NULL AND " + ids.sql
                    + " ORDER BY external_id",
                [.text(connectionId), .text(entityType)] + ids.binds)
            guard !live.isEmpty else { continue }
            let first = try await Self.reserveSequence(live.count, in: tx)
            for (i, row) in live.enumerated() {
                try await tx.execute(
                    "UPDATE sync_records SET deleted_at = ?, updated_at = ?, modified_seq = ? WHERE connection_id = ? AND entity_type = ? AND external_id = ?",
                    [.timestamp(now), .timestamp(now), .int(first + Int64(i)), .text(connectionId), .text(entityType), .text(row.text("external_id") ?? "")])
            }
            marked += live.count
        }
        return marked
    }

    /// Records in `modified_seq` order, after `modifiedAfter` (a `modifiedSeq` a reader saw last), deletions included.
    public func list(
        connectionId: String, entityType: String, modifiedAfter: Int64? = nil, includeDeleted: Bool = true, cursor: Cursor? = nil, limit: Int = 100
    ) async throws -> Page<SyncRecord> {
        var after = modifiedAfter ?? 0
        if let cursor {
            guard cursor.position.count == 1, let seq = cursor.position[0].intValue else {
                throw SwitchboardError.badRequest("the cursor is not one this server issued", code: "INVALID_CURSOR")
            }
            after = max(after, Int64(seq))
        }
        let rows = try await db.query(
            "SELECT * FROM sync_records WHERE connection_id = ? AND entity_type = ? AND modified_seq > ?"
                + (includeDeleted ? "" : " AND deleted_at IS NULL") + " ORDER BY modified_seq LIMIT ?",
            [.text(connectionId), .text(entityType), .int(after), .int(Int64(limit + 1))])
        let items = rows.prefix(limit).map(Self.record)
        let next = rows.count > limit ? items.last.map { Cursor(position: [.number(Double($0.modifiedSeq))]).encoded } : nil
        return Page(items: Array(items), nextCursor: next)
    }

    /// One record by external id, deleted or not.
    public func get(connectionId: String, entityType: String, externalId: String) async throws -> SyncRecord? {
        try await db.first(
            "SELECT * FROM sync_records WHERE connection_id = ? AND entity_type = ? AND external_id = ?",
            [.text(connectionId), .text(entityType), .text(externalId)]
        ).map(Self.record)
    }

    /// How many live (and deleted) records an entity type has.
    public func count(connectionId: String, entityType: String) async throws -> (live: Int, deleted: Int) {
        let row = try await db.first(
            "SELECT COUNT(*) AS total, COUNT(deleted_at) AS deleted FROM sync_records WHERE connection_id = ? AND entity_type = ?",
            [.text(connectionId), .text(entityType)])
        let total = Int(row?.int("total") ?? 0)
        let deleted = Int(row?.int("deleted") ?? 0)
        return (total - deleted, deleted)
    }

    static func record(_ row: SQLRow) -> SyncRecord {
        SyncRecord(
            connectionId: row.text("connection_id") ?? "", entityType: row.text("entity_type") ?? "",
            externalId: row.text("external_id") ?? "", data: row.json("data"), contentHash: row.text("content_hash") ?? "",
            createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0),
            updatedAt: row.timestamp("updated_at") ?? Timestamp(millisecondsSinceEpoch: 0),
            deletedAt: row.timestamp("deleted_at"), modifiedSeq: row.int("modified_seq") ?? 0)
    }
}
