import JSONValue
import SwitchboardCore

/// One record to store: its external id, its (mapped) data and the hash of that data's canonical JSON.
public struct SyncRecordInput: Sendable, Equatable {
    public var externalId: String
    /// The record's JSON text, as stored (for a record made by `canonical`, the canonical text its hash was computed
    /// from). Only the text is kept, not the parsed value: a page of records waiting to be committed holds one string
    /// per record, and the parsed trees are freed where the page was prepared, not on the commit path.
    public var text: String
    public var contentHash: String

    public init(externalId: String, text: String, contentHash: String) {
        self.externalId = externalId
        self.text = text
        self.contentHash = contentHash
    }

    public init(externalId: String, data: JSON, contentHash: String) {
        self.init(externalId: externalId, text: data.serialized(), contentHash: contentHash)
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

    /// PostgreSQL's lookup of stored records: (ids text[], connection, entity type).
    static let storedPostgres = """
        SELECT x.external_id, x.content_hash, x.deleted_at FROM unnest(CAST(? AS text[])) AS r(id)
        CROSS JOIN LATERAL (SELECT y.external_id, y.content_hash, y.deleted_at FROM sync_records y
            WHERE y.connection_id = ? AND y.entity_type = ? AND y.external_id = r.id LIMIT 1) AS x
        """

    /// The stored rows (external_id, content_hash, deleted_at) of the given external ids, each found through the
    /// primary key (the modified_seq index is partial so that it cannot be chosen for this: migration 42).
    static func stored(_ ids: [String], connectionId: String, entityType: String, in tx: any SQLExecutor) async throws -> [SQLRow] {
        switch tx.dialect {
        case .postgres:
            return try await tx.query(storedPostgres, [.textArray(ids), .text(connectionId), .text(entityType)])
        case .sqlite:
            // SQLite's planner takes the primary key for the two equalities and the IN list of parameters.
            return try await tx.query(
                "SELECT external_id, content_hash, deleted_at FROM sync_records WHERE connection_id = ? AND entity_type = ? AND external_id IN ("
                    + Array(repeating: "?", count: ids.count).joined(separator: ", ") + ")",
                [.text(connectionId), .text(entityType)] + ids.map(SQLValue.text))
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
    ///
    /// With `onlyNew` the caller asserts that none of the records is stored: they are inserted without looking up
    /// what is stored, and if one is stored after all the statement fails with a unique violation
    /// (`DatabaseError.Kind.uniqueViolation`), leaving the caller to roll back and upsert instead.
    public func upsert(
        _ records: [SyncRecordInput], connectionId: String, entityType: String, now: Timestamp, collectUnchanged: Bool = false,
        onlyNew: Bool = false, in tx: any SQLExecutor
    ) async throws -> SyncUpsertCounts {
        let unique = Self.unique(records)
        guard !unique.isEmpty else { return SyncUpsertCounts() }
        if onlyNew {
            try await insertNew(unique, connectionId: connectionId, entityType: entityType, now: now, in: tx)
            return SyncUpsertCounts(created: unique.count)
        }
        // Taking the sequence locks the counter row until `tx` ends: every writer of records takes it first, so what
        // the SELECT below reads cannot change before this transaction commits.
        let first = try await Self.reserveSequence(unique.count, in: tx)
        var counts = SyncUpsertCounts()
        var offset = 0
        while offset < unique.count {
            let chunk = unique[offset..<min(offset + Self.chunkSize, unique.count)]
            // What is stored now: new records are inserted, changed (or deleted) ones replaced, unchanged ones not sent.
            // (A plain INSERT after this read costs the database about two thirds of an INSERT ... ON CONFLICT.)
            let existing = try await Self.stored(chunk.map(\.externalId), connectionId: connectionId, entityType: entityType, in: tx)
            var stored: [String: (hash: String, deleted: Bool)] = [:]
            stored.reserveCapacity(existing.count)
            for row in existing {
                if let id = row.text("external_id") { stored[id] = (row.text("content_hash") ?? "", row.int("deleted_at") != nil) }
            }
            var inserts: [SyncRecordInput] = []
            var replaces: [SyncRecordInput] = []
            inserts.reserveCapacity(chunk.count - stored.count)
            for r in chunk {
                if let current = stored[r.externalId] {
                    if current.hash == r.contentHash && !current.deleted {
                        counts.unchanged += 1
                        if collectUnchanged { counts.unchangedIds.append(r.externalId) }
                    } else {
                        replaces.append(r)
                    }
                } else {
                    inserts.append(r)
                }
            }
            // Sequence numbers from the reserved range: the inserts' first, then the replacements'.
            let base = first + Int64(offset)
            if !inserts.isEmpty {
                try await insert(inserts, firstSequence: base, connectionId: connectionId, entityType: entityType, now: now, in: tx)
                counts.created += inserts.count
            }
            if !replaces.isEmpty {
                try await replace(replaces, firstSequence: base + Int64(inserts.count), connectionId: connectionId, entityType: entityType, now: now, in: tx)
                counts.updated += replaces.count
            }
            offset += chunk.count
        }
        return counts
    }

    /// Inserts records that are unique and known to be new (see `upsert(onlyNew:)`), numbered from the counter.
    func insertNew(_ unique: [SyncRecordInput], connectionId: String, entityType: String, now: Timestamp, in tx: any SQLExecutor) async throws {
        if tx.dialect == .postgres {
            // One statement: the sequence numbers are taken (locking the counter, as `upsert` does) and the rows inserted.
            try await insert(unique, firstSequence: nil, connectionId: connectionId, entityType: entityType, now: now, in: tx)
            return
        }
        let first = try await Self.reserveSequence(unique.count, in: tx)
        var offset = 0
        while offset < unique.count {
            let chunk = Array(unique[offset..<min(offset + Self.chunkSize, unique.count)])
            try await insert(chunk, firstSequence: first + Int64(offset), connectionId: connectionId, entityType: entityType, now: now, in: tx)
            offset += chunk.count
        }
    }

    /// The records with one entry per external id, in first-seen order, each with its last data.
    static func unique(_ records: [SyncRecordInput]) -> [SyncRecordInput] {
        var index: [String: Int] = [:]
        index.reserveCapacity(records.count)
        var unique: [SyncRecordInput] = []
        unique.reserveCapacity(records.count)
        for r in records {
            if let i = index[r.externalId] { unique[i] = r } else {
                index[r.externalId] = unique.count
                unique.append(r)
            }
        }
        return unique
    }

    static let insertColumns = """
        INSERT INTO sync_records (connection_id, entity_type, external_id, data, content_hash, created_at, updated_at,
            deleted_at, created_seq, modified_seq)
        """

    /// Inserts records known to be new, numbered from `firstSequence` (nil: on PostgreSQL, the statement takes the
    /// sequence numbers itself). PostgreSQL: see `postgresInsert`; SQLite: one multi-row VALUES statement.
    func insert(
        _ rows: [SyncRecordInput], firstSequence: Int64?, connectionId: String, entityType: String, now: Timestamp, in tx: any SQLExecutor
    ) async throws {
        switch tx.dialect {
        case .postgres:
            let base: SQLFragment =
                firstSequence.map { SQLFragment("SELECT CAST(? AS bigint) AS base", [.int($0 - 1)]) } ?? Self.takeSequence(rows.count)
            let insert = Self.postgresInsert(rows, connectionId: connectionId, entityType: entityType, now: now)
            try await tx.execute("WITH seq AS (" + base.sql + ") " + insert.sql, base.binds + insert.binds)
        case .sqlite:
            precondition(firstSequence != nil, "SQLite inserts are numbered by the caller")
            let values = Self.valuesList(rows, firstSequence: firstSequence ?? 0, connectionId: connectionId, entityType: entityType, now: now)
            try await tx.execute(Self.insertColumns + " VALUES " + values.sql, values.binds)
        }
    }

    /// PostgreSQL: takes `count` sequence numbers from the counter (locking it until the transaction ends) and returns
    /// the one before the first, as `base`.
    static func takeSequence(_ count: Int, when condition: String = "") -> SQLFragment {
        SQLFragment(
            "UPDATE sync_counters SET value = value + ? WHERE name = 'records'" + condition + " RETURNING value - ? AS base",
            [.int(Int64(count)), .int(Int64(count))])
    }

    /// PostgreSQL's INSERT of new records, numbered from `seq.base + 1` (a CTE named `seq` the caller puts before it).
    /// The rows travel as three binary text[] parameters (external ids, data, hashes) and the constant columns once,
    /// so the statement is short and planned the same for every chunk.
    static func postgresInsert(_ rows: [SyncRecordInput], connectionId: String, entityType: String, now: Timestamp) -> SQLFragment {
        SQLFragment(
            insertColumns + """
                 SELECT CAST(? AS text), CAST(? AS text), r.external_id, r.data, r.content_hash, CAST(? AS bigint), CAST(? AS bigint),
                    NULL, seq.base + r.n, seq.base + r.n
                FROM seq, unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS r(external_id, data, content_hash, n)
                """,
            [
                .text(connectionId), .text(entityType), .timestamp(now), .timestamp(now),
                .textArray(rows.map(\.externalId)), .textArray(rows.map(\.text)), .textArray(rows.map(\.contentHash)),
            ])
    }

    /// Replaces the data of stored records (changed, or deleted and back), making them live again.
    func replace(
        _ rows: [SyncRecordInput], firstSequence: Int64, connectionId: String, entityType: String, now: Timestamp, in tx: any SQLExecutor
    ) async throws {
        switch tx.dialect {
        case .postgres:
            // One statement for the chunk; each record gets its own sequence number from its position in the list, and
            // is found through the primary key (see `stored`).
            try await tx.execute(
                """
                UPDATE sync_records AS s SET data = u.data, content_hash = u.content_hash, updated_at = ?, deleted_at = NULL,
                    modified_seq = CAST(? AS bigint) + u.n
                FROM (SELECT r.data, r.content_hash, r.n, x.tid
                      FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS r(external_id, data, content_hash, n)
                      CROSS JOIN LATERAL (SELECT y.ctid AS tid FROM sync_records y
                          WHERE y.connection_id = ? AND y.entity_type = ? AND y.external_id = r.external_id LIMIT 1) AS x) AS u
                WHERE s.ctid = u.tid
                """,
                [
                    .timestamp(now), .int(firstSequence - 1), .textArray(rows.map(\.externalId)),
                    .textArray(rows.map(\.text)), .textArray(rows.map(\.contentHash)), .text(connectionId),
                    .text(entityType),
                ])
        case .sqlite:
            let values = Self.valuesList(rows, firstSequence: firstSequence, connectionId: connectionId, entityType: entityType, now: now)
            try await tx.execute(
                """
                INSERT INTO sync_records (connection_id, entity_type, external_id, data, content_hash, created_at, updated_at,
                    deleted_at, created_seq, modified_seq) VALUES
                """ + values.sql
                    + """
                     ON CONFLICT (connection_id, entity_type, external_id) DO UPDATE SET data = excluded.data,
                        content_hash = excluded.content_hash, updated_at = excluded.updated_at, deleted_at = NULL,
                        modified_seq = excluded.modified_seq
                    """, values.binds)
        }
    }

    /// SQLite's multi-row VALUES list of full rows (10 parameters each), sequence numbers from `firstSequence` on.
    static func valuesList(
        _ rows: some Collection<SyncRecordInput>, firstSequence: Int64, connectionId: String, entityType: String, now: Timestamp
    ) -> (sql: String, binds: [SQLValue]) {
        var binds: [SQLValue] = []
        binds.reserveCapacity(rows.count * 10)
        for (i, r) in rows.enumerated() {
            let seq = SQLValue.int(firstSequence + Int64(i))
            binds.append(.text(connectionId))
            binds.append(.text(entityType))
            binds.append(.text(r.externalId))
            binds.append(.text(r.text))
            binds.append(.text(r.contentHash))
            binds.append(.timestamp(now))
            binds.append(.timestamp(now))
            binds.append(.null)
            binds.append(seq)
            binds.append(seq)
        }
        return (Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", "), binds)
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
            let live = try await Self.stored(chunk, connectionId: connectionId, entityType: entityType, in: tx)
                .filter { $0["deleted_at"] == .null }.compactMap { $0.text("external_id") }.sorted()
            guard !live.isEmpty else { continue }
            let first = try await Self.reserveSequence(live.count, in: tx)
            // One statement for the chunk; each record gets its own sequence number from its position in the list, and
            // is found through the primary key (see `stored`).
            let marking =
                tx.dialect == .postgres
                ? """
                UPDATE sync_records AS s SET deleted_at = ?, updated_at = ?, modified_seq = CAST(? AS bigint) + u.n
                FROM (SELECT r.n, x.tid FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS r(id, n)
                      CROSS JOIN LATERAL (SELECT y.ctid AS tid FROM sync_records y
                          WHERE y.connection_id = ? AND y.entity_type = ? AND y.external_id = r.id LIMIT 1) AS x) AS u
                WHERE s.ctid = u.tid
                """
                : """
                UPDATE sync_records AS s SET deleted_at = ?, updated_at = ?, modified_seq = ? + r.key + 1
                FROM json_each(?) AS r
                WHERE s.connection_id = ? AND s.entity_type = ? AND s.external_id = r.value
                """
            try await tx.execute(
                marking, [.timestamp(now), .timestamp(now), .int(first - 1), .textArray(live), .text(connectionId), .text(entityType)])
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
            Self.listSQL(includeDeleted: includeDeleted), [.text(connectionId), .text(entityType), .int(after), .int(Int64(limit + 1))])
        let items = rows.prefix(limit).map(Self.record)
        let next = rows.count > limit ? items.last.map { Cursor(position: [.number(Double($0.modifiedSeq))]).encoded } : nil
        return Page(items: Array(items), nextCursor: next)
    }

    /// Records after a sequence number: (connection, entity type, after, limit). `modified_seq > 0` (always true) lets
    /// both engines use the partial modified_seq index (migration 42).
    static func listSQL(includeDeleted: Bool) -> String {
        "SELECT * FROM sync_records WHERE connection_id = ? AND entity_type = ? AND modified_seq > 0 AND modified_seq > ?"
            + (includeDeleted ? "" : " AND deleted_at IS NULL") + " ORDER BY modified_seq LIMIT ?"
    }

    /// One record by external id, deleted or not.
    public func get(connectionId: String, entityType: String, externalId: String) async throws -> SyncRecord? {
        try await db.first(
            "SELECT * FROM sync_records WHERE connection_id = ? AND entity_type = ? AND external_id = ?",
            [.text(connectionId), .text(entityType), .text(externalId)]
        ).map(Self.record)
    }

    /// True if the connection has no record (live or deleted) of the entity type.
    public func isEmpty(connectionId: String, entityType: String) async throws -> Bool {
        try await db.first(
            "SELECT 1 AS one FROM sync_records WHERE connection_id = ? AND entity_type = ? LIMIT 1", [.text(connectionId), .text(entityType)]) == nil
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
