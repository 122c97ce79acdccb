import JSONValue
import SwitchboardCore

/// A sync run, which is also its durable job.
public struct SyncRun: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case queued, running, completed, failed, cancelled

        public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    /// What a run has done so far, added to with each committed batch.
    public struct Counts: Sendable, Equatable {
        public var fetched = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var deleted = 0
        public var failed = 0
        public var pages = 0
        public var retries = 0

        public init() {}

        public var json: JSON {
            [
                "fetched": .number(Double(fetched)), "created": .number(Double(created)), "updated": .number(Double(updated)),
                "unchanged": .number(Double(unchanged)), "deleted": .number(Double(deleted)), "failed": .number(Double(failed)),
                "pages": .number(Double(pages)), "retries": .number(Double(retries)),
            ]
        }
    }

    public var id: String
    public var connectionId: String
    public var syncName: String
    public var entityType: String
    public var mode: String
    public var trigger: String
    public var status: Status
    public var leaseOwner: String?
    public var leaseExpiresAt: Timestamp?
    /// The worker that claimed the run last (kept after it ends).
    public var claimedBy: String?
    /// How many times a worker claimed the run (more than 1: it was resumed).
    public var claims: Int
    public var cancelRequested: Bool
    /// Where to resume: the pagination state and the incremental cursor, saved with each committed batch.
    public var checkpoint: JSON?
    public var counts: Counts
    public var errorCode: String?
    public var errorMessage: String?
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var updatedAt: Timestamp
    /// The first records of the run that could not be stored (up to `SyncRecordFailure.keptPerRun`, in page order;
    /// `counts.failed` counts them all). Filled in where a run is read for an answer (`get`, `enqueue`,
    /// `requestCancel`); empty in the runs the workers pass around.
    public var failures: [SyncRecordFailure] = []

    public var durationMs: Int64? {
        guard let startedAt else { return nil }
        return (finishedAt ?? updatedAt).millisecondsSinceEpoch - startedAt.millisecondsSinceEpoch
    }

    public var json: JSON {
        var o: JSONObject = [
            "id": .string(id), "connectionId": .string(connectionId), "sync": .string(syncName), "entityType": .string(entityType),
            "mode": .string(mode), "trigger": .string(trigger), "status": .string(status.rawValue), "counts": counts.json,
            "pages": .number(Double(counts.pages)), "claims": .number(Double(claims)), "createdAt": .string(createdAt.iso8601),
        ]
        if let startedAt { o["startedAt"] = .string(startedAt.iso8601) }
        if let finishedAt { o["finishedAt"] = .string(finishedAt.iso8601) }
        if let durationMs { o["durationMs"] = .number(Double(durationMs)) }
        if let errorCode { o["error"] = ["code": .string(errorCode), "message": .string(errorMessage ?? "")] }
        if cancelRequested && !status.isFinished { o["cancelRequested"] = true }
        if let claimedBy { o["worker"] = .string(claimedBy) }
        o["failures"] = .array(failures.map(\.json))
        return .object(o)
    }
}

/// Per (connection, sync) state kept between runs: the incremental cursor and the schedule.
public struct SyncState: Sendable, Equatable {
    public var connectionId: String
    public var syncName: String
    public var incrementalCursor: String?
    public var paused: Bool
    public var nextRunAt: Timestamp?
    public var lastRunId: String?
}

/// The lease on a run was lost (it expired and another worker claimed the run): the batch must not commit.
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    public var runId: String
    public var description: String { "the lease on sync run \(runId) was lost" }
}

/// Runs as jobs: enqueue, claim with a lease, renew, checkpoint, finish.
public struct SQLSyncRunRepository: Sendable {
    public let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    /// Queues a run, unless the sync already has one queued or running: then that run is returned.
    public func enqueue(
        connectionId: String, syncName: String, entityType: String, mode: String, trigger: String, now: Timestamp
    ) async throws -> (run: SyncRun, isNew: Bool) {
        try await db.transaction { tx in
            if tx.dialect == .postgres {
                try await tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [.text("sync:" + connectionId + ":" + syncName)])
            }
            if let active = try await tx.first(
                "SELECT * FROM sync_runs WHERE connection_id = ? AND sync_name = ? AND status IN ('queued', 'running') ORDER BY created_at LIMIT 1",
                [.text(connectionId), .text(syncName)])
            {
                return (try await Self.withFailures(Self.run(active), in: tx), false)
            }
            let id = Identifier.make(prefix: "run_", now: now)
            let row = try await tx.first(
                """
                INSERT INTO sync_runs (id, connection_id, sync_name, entity_type, mode, trigger, status, claims, cancel_requested,
                    fetched, created, updated, unchanged, deleted, failed, pages, retries, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?, ?) RETURNING *
                """,
                [.text(id), .text(connectionId), .text(syncName), .text(entityType), .text(mode), .text(trigger), .timestamp(now), .timestamp(now)])
            guard let row else { throw DatabaseError(kind: .other, message: "the new sync run was not returned") }
            return (Self.run(row), true)
        }
    }

    /// Claims the oldest run that is queued, or running with an expired lease, for `owner` until `now + lease`.
    ///
    /// A run whose cancel was requested is never handed out (see `endAbandonedCancels`, which ends such runs).
    ///
    /// PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers on several nodes never claim the same run; SQLite: one writer.
    public func claim(owner: String, now: Timestamp, leaseMs: Int64) async throws -> SyncRun? {
        let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.first(
            """
            UPDATE sync_runs SET status = 'running', lease_owner = ?, claimed_by = ?, lease_expires_at = ?, claims = claims + 1,
                started_at = COALESCE(started_at, ?), updated_at = ?
            WHERE id = (SELECT id FROM sync_runs WHERE (status = 'queued' OR (status = 'running' AND lease_expires_at <= ?)) AND cancel_requested = 0
                ORDER BY created_at, id LIMIT 1\(lock))
            RETURNING *
            """,
            [.text(owner), .text(owner), .int(now.millisecondsSinceEpoch + leaseMs), .timestamp(now), .timestamp(now), .timestamp(now)]
        ).map(Self.run)
    }

    /// Ends `cancelled` the runs whose cancel was requested and that no worker holds any more (the worker died and its
    /// lease expired, or it gave the run back on shutdown before it read the flag), keeping what they committed, their
    /// `claims` as they were; returns them as ended. Each run is returned by one call only, on every node.
    public func endAbandonedCancels(now: Timestamp) async throws -> [SyncRun] {
        let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        // The conditions are repeated outside the subquery: PostgreSQL checks them again on a row another node just
        // ended, so that node alone returns it.
        return try await db.transaction { tx in
            let ended = try await tx.query(
                """
                UPDATE sync_runs SET status = 'cancelled', finished_at = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE cancel_requested = 1 AND (status = 'queued' OR (status = 'running' AND lease_expires_at <= ?))
                    AND id IN (SELECT id FROM sync_runs WHERE cancel_requested = 1
                        AND (status = 'queued' OR (status = 'running' AND lease_expires_at <= ?))\(lock))
                RETURNING *
                """, [.timestamp(now), .timestamp(now), .timestamp(now), .timestamp(now)]
            ).map(Self.run)
            for run in ended { try await forgetSeen(runId: run.id, in: tx) }
            return ended
        }
    }

    /// Extends the lease; returns the run as stored, or throws `LeaseLost` if `owner` no longer holds it.
    public func heartbeat(id: String, owner: String, now: Timestamp, leaseMs: Int64) async throws -> SyncRun {
        guard let row = try await db.first(
            "UPDATE sync_runs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running' RETURNING *",
            [.int(now.millisecondsSinceEpoch + leaseMs), .timestamp(now), .text(id), .text(owner)])
        else { throw LeaseLost(runId: id) }
        return Self.run(row)
    }

    /// Saves the checkpoint and adds `delta` to the counts inside `tx` (the batch's transaction), extending the lease.
    /// Throws `LeaseLost`, rolling the batch back, if `owner` no longer holds the run. Returns whether a cancel has
    /// been requested (the worker stops before its next page).
    @discardableResult
    public func checkpoint(
        id: String, owner: String, checkpoint: JSON, delta: SyncRun.Counts, now: Timestamp, leaseMs: Int64, in tx: any SQLExecutor
    ) async throws -> Bool {
        let update = Self.checkpointUpdate(id: id, owner: owner, checkpoint: checkpoint, delta: delta, now: now, leaseMs: leaseMs)
        guard let row = try await tx.first(update.sql, update.binds) else { throw LeaseLost(runId: id) }
        return row.bool("cancel_requested")
    }

    /// The checkpoint's UPDATE of a run held by `owner` (RETURNING cancel_requested; no row if it is not held).
    static func checkpointUpdate(id: String, owner: String, checkpoint: JSON, delta: SyncRun.Counts, now: Timestamp, leaseMs: Int64) -> SQLFragment {
        SQLFragment(
            """
            UPDATE sync_runs SET checkpoint = ?, fetched = fetched + ?, created = created + ?, updated = updated + ?,
                unchanged = unchanged + ?, deleted = deleted + ?, failed = failed + ?, pages = pages + ?, retries = retries + ?,
                lease_expires_at = ?, updated_at = ?
            WHERE id = ? AND lease_owner = ? AND status = 'running' RETURNING cancel_requested
            """,
            [
                .json(checkpoint), .int(Int64(delta.fetched)), .int(Int64(delta.created)), .int(Int64(delta.updated)),
                .int(Int64(delta.unchanged)), .int(Int64(delta.deleted)), .int(Int64(delta.failed)), .int(Int64(delta.pages)),
                .int(Int64(delta.retries)), .int(now.millisecondsSinceEpoch + leaseMs), .timestamp(now), .text(id), .text(owner),
            ])
    }

    /// Stores a page of records the caller knows are new (a first import, as `SQLSyncRecordRepository.upsert(onlyNew:)`)
    /// with the run's checkpoint and counts (`delta.created` is set from the records), renewing the lease; returns the
    /// records created and whether a cancel was requested. Throws `LeaseLost` if `owner` no longer holds the run, and
    /// a unique violation (`DatabaseError.Kind.uniqueViolation`) if a record is stored after all; either way nothing
    /// is stored.
    ///
    /// On PostgreSQL this is one statement, so one round trip instead of four (BEGIN, INSERT, UPDATE, COMMIT): the
    /// run's UPDATE, the sequence counter's and the INSERT are data-modifying CTEs, and the counter and the records are
    /// only written if the run's UPDATE found the run held by `owner`. On SQLite, where a round trip costs little, the
    /// same statements as a page's transaction.
    public func commitNewRecords(
        _ records: [SyncRecordInput], connectionId: String, entityType: String, runId: String, owner: String, checkpoint: JSON,
        delta: SyncRun.Counts, failures: [SyncRecordFailure] = [], now: Timestamp, leaseMs: Int64
    ) async throws -> (created: Int, cancelRequested: Bool) {
        try await commitNewRecords(
            NewRecordsBatch(records, connectionId: connectionId, entityType: entityType, now: now, dialect: db.dialect), runId: runId, owner: owner,
            checkpoint: checkpoint, delta: delta, failures: failures, now: now, leaseMs: leaseMs)
    }

    /// `commitNewRecords` of a batch made ahead of the commit (see `NewRecordsBatch`); `now` is the commit's time, for
    /// the run's lease and `updated_at`. `failures` (the page's records that could not be stored, as many as the run
    /// still keeps) are noted with it (`recordFailures`).
    public func commitNewRecords(
        _ batch: NewRecordsBatch, runId: String, owner: String, checkpoint: JSON, delta: SyncRun.Counts, failures: [SyncRecordFailure] = [],
        now: Timestamp, leaseMs: Int64
    ) async throws -> (created: Int, cancelRequested: Bool) {
        precondition(batch.dialect == db.dialect, "a batch is made for the database it is committed to")
        var delta = delta
        delta.created = batch.records.count
        let run = Self.checkpointUpdate(id: runId, owner: owner, checkpoint: checkpoint, delta: delta, now: now, leaseMs: leaseMs)
        switch db.dialect {
        case .postgres:
            let seq = SQLSyncRecordRepository.takeSequence(batch.records.count, when: " AND EXISTS (SELECT 1 FROM run)")
            let insert = batch.statements[0]
            var sql = "WITH run AS (" + run.sql + "), seq AS (" + seq.sql + "), stored AS (" + insert.sql + ")"
            var binds = run.binds + seq.binds + insert.parameters
            if !failures.isEmpty {
                let noted = Self.failuresInsert(failures, runId: runId, when: " AND EXISTS (SELECT 1 FROM run)")
                sql += ", noted AS (" + noted.sql + ")"
                binds += noted.binds
            }
            let rows = try await db.query(sql + " SELECT cancel_requested FROM run", binds)
            guard let row = rows.first else { throw LeaseLost(runId: runId) }
            return (batch.records.count, row.bool("cancel_requested"))
        case .sqlite:
            return try await db.transaction { tx in
                if !batch.records.isEmpty {
                    var first = try await SQLSyncRecordRepository.reserveSequence(batch.records.count, in: tx)
                    for statement in batch.statements {
                        try await tx.execute(statement.sql, statement.numbered(from: first))
                        first += Int64(statement.rows)
                    }
                }
                guard let row = try await tx.first(run.sql, run.binds) else { throw LeaseLost(runId: runId) }
                try await recordFailures(failures, runId: runId, in: tx)
                return (batch.records.count, row.bool("cancel_requested"))
            }
        }
    }

    /// Ends a run held by `owner` (inside `tx`); throws `LeaseLost` if it does not hold it.
    public func finish(
        id: String, owner: String, status: SyncRun.Status, error: SwitchboardError?, now: Timestamp, in tx: any SQLExecutor
    ) async throws {
        let row = try await tx.first(
            """
            UPDATE sync_runs SET status = ?, error_code = ?, error_message = ?, finished_at = ?, updated_at = ?, lease_owner = NULL,
                lease_expires_at = NULL
            WHERE id = ? AND lease_owner = ? AND status = 'running' RETURNING id
            """,
            [.text(status.rawValue), .optionalText(error?.code), .optionalText(error?.message), .timestamp(now), .timestamp(now), .text(id), .text(owner)])
        if row == nil { throw LeaseLost(runId: id) }
    }

    /// Gives a claimed run back to the queue (graceful shutdown): another worker resumes it from its checkpoint at once.
    /// A run whose cancel was requested is not queued again: it ends `cancelled`, and is returned (nil otherwise).
    @discardableResult
    public func release(id: String, owner: String, now: Timestamp) async throws -> SyncRun? {
        try await db.transaction { tx in
            let cancelled = try await tx.first(
                """
                UPDATE sync_runs SET status = 'cancelled', finished_at = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ? AND lease_owner = ? AND status = 'running' AND cancel_requested = 1 RETURNING *
                """, [.timestamp(now), .timestamp(now), .text(id), .text(owner)])
            if let cancelled {
                try await forgetSeen(runId: id, in: tx)
                return Self.run(cancelled)
            }
            try await tx.execute(
                "UPDATE sync_runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
                [.timestamp(now), .text(id), .text(owner)])
            return nil
        }
    }

    /// Gives back every run `owner` holds (as `release(id:owner:now:)` does each): for a worker whose claim was
    /// interrupted at shutdown after the database took it, so that it does not wait out its lease. Returns the runs
    /// that ended `cancelled` instead.
    public func releaseAll(owner: String, now: Timestamp) async throws -> [SyncRun] {
        let held = try await db.query("SELECT id FROM sync_runs WHERE lease_owner = ? AND status = 'running'", [.text(owner)])
        var ended: [SyncRun] = []
        for row in held {
            guard let id = row.text("id") else { continue }
            if let run = try await release(id: id, owner: owner, now: now) { ended.append(run) }
        }
        return ended
    }

    /// Asks a run to stop: a queued run is cancelled at once, a running one at its next batch. Returns the run, and
    /// whether this call ended it (it was queued); nil if there is no such run.
    public func requestCancel(id: String, now: Timestamp) async throws -> (run: SyncRun, ended: Bool)? {
        try await db.transaction { tx in
            let ended = try await tx.first(
                "UPDATE sync_runs SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ? AND status = 'queued' RETURNING id",
                [.timestamp(now), .timestamp(now), .text(id)])
            try await tx.execute("UPDATE sync_runs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND status = 'running'", [.timestamp(now), .text(id)])
            guard let row = try await tx.first("SELECT * FROM sync_runs WHERE id = ?", [.text(id)]) else { return nil }
            return (try await Self.withFailures(Self.run(row), in: tx), ended != nil)
        }
    }

    /// The run with the failures it kept.
    public func get(id: String) async throws -> SyncRun? {
        guard let row = try await db.first("SELECT * FROM sync_runs WHERE id = ?", [.text(id)]) else { return nil }
        return try await Self.withFailures(Self.run(row), in: db)
    }

    // MARK: records that failed

    /// Notes records of a page that could not be stored, inside `tx` (the page's transaction, so they are kept exactly
    /// when the page is committed: a resumed run has those of the pages it committed before, and a page fetched again
    /// after a resumption was not committed before). The caller passes only as many as the run still keeps
    /// (`SyncRecordFailure.keptPerRun`); a failure already noted at its (page, index) is not noted twice.
    public func recordFailures(_ failures: [SyncRecordFailure], runId: String, in tx: any SQLExecutor) async throws {
        guard !failures.isEmpty else { return }
        let insert = Self.failuresInsert(failures, runId: runId)
        try await tx.execute(insert.sql, insert.binds)
    }

    /// The failures `runId` kept, in page order.
    public func failures(runId: String) async throws -> [SyncRecordFailure] {
        try await Self.failures(runId: runId, in: db)
    }

    static func failures(runId: String, in executor: any SQLExecutor) async throws -> [SyncRecordFailure] {
        try await executor.query(
            "SELECT page, record_index, external_id, code, message FROM sync_run_failures WHERE run_id = ? ORDER BY page, record_index",
            [.text(runId)]
        ).map { row in
            SyncRecordFailure(
                externalId: row.text("external_id"), page: Int(row.int("page") ?? 0), index: Int(row.int("record_index") ?? 0),
                code: row.text("code") ?? "", message: row.text("message") ?? "")
        }
    }

    static func withFailures(_ run: SyncRun, in executor: any SQLExecutor) async throws -> SyncRun {
        var run = run
        run.failures = try await failures(runId: run.id, in: executor)
        return run
    }

    /// The INSERT of `failures` of `runId`, written only when `condition` (appended to the WHERE clause) holds; one row
    /// per failure, with explicit types, so it reads the same on both engines and as a PostgreSQL CTE.
    static func failuresInsert(_ failures: [SyncRecordFailure], runId: String, when condition: String = "") -> SQLFragment {
        let row = "(CAST(? AS text), CAST(? AS bigint), CAST(? AS integer), CAST(? AS text), CAST(? AS text), CAST(? AS text))"
        var binds: [SQLValue] = []
        binds.reserveCapacity(failures.count * 6)
        for f in failures {
            binds += [.text(runId), .int(Int64(f.page)), .int(Int64(f.index)), .optionalText(f.externalId), .text(f.code), .text(f.message)]
        }
        return SQLFragment(
            """
            INSERT INTO sync_run_failures (run_id, page, record_index, external_id, code, message)
            SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6
            FROM (VALUES \(Array(repeating: row, count: failures.count).joined(separator: ", "))) AS v
            WHERE true\(condition) ON CONFLICT (run_id, page, record_index) DO NOTHING
            """, binds)
    }

    /// Notes external ids a full-refresh run saw unchanged (inside the batch's transaction); the records it created or
    /// changed need no note, their `modified_seq` tells.
    public func markSeen(runId: String, externalIds: [String], in tx: any SQLExecutor) async throws {
        guard !externalIds.isEmpty else { return }
        // The ids travel as one list parameter (text[] on PostgreSQL, JSON text on SQLite), however many there are.
        let list = tx.dialect == .postgres ? "SELECT unnest(CAST(? AS text[])) AS id" : "SELECT value AS id FROM json_each(?)"
        try await tx.execute(
            "INSERT INTO sync_run_seen (run_id, external_id) SELECT CAST(? AS text), ids.id FROM (" + list + ") AS ids"
                + " WHERE true ON CONFLICT (run_id, external_id) DO NOTHING",
            [.text(runId), .textArray(externalIds)])
    }

    /// External ids of live records of the entity that `runId` did not see: not written by it (their `modified_seq` is
    /// at most `startSequence`, the records sequence when the run started) and not noted as seen unchanged.
    public func unseen(runId: String, connectionId: String, entityType: String, startSequence: Int64, in tx: any SQLExecutor) async throws -> [String] {
        try await tx.query(
            """
            SELECT r.external_id FROM sync_records r WHERE r.connection_id = ? AND r.entity_type = ? AND r.deleted_at IS NULL
                AND r.modified_seq <= ?
                AND NOT EXISTS (SELECT 1 FROM sync_run_seen s WHERE s.run_id = ? AND s.external_id = r.external_id)
            ORDER BY r.external_id
            """, [.text(connectionId), .text(entityType), .int(startSequence), .text(runId)]
        ).compactMap { $0.text("external_id") }
    }

    public func forgetSeen(runId: String, in tx: any SQLExecutor) async throws {
        try await tx.execute("DELETE FROM sync_run_seen WHERE run_id = ?", [.text(runId)])
    }

    // MARK: state between runs

    public func state(connectionId: String, syncName: String) async throws -> SyncState? {
        try await db.first("SELECT * FROM sync_states WHERE connection_id = ? AND sync_name = ?", [.text(connectionId), .text(syncName)]).map(Self.state)
    }

    /// Records a completed run: its id and, when given, the incremental cursor the next run starts from.
    public func saveCompletion(
        connectionId: String, syncName: String, runId: String, incrementalCursor: String?, now: Timestamp, in tx: any SQLExecutor
    ) async throws {
        try await tx.execute(
            """
            INSERT INTO sync_states (connection_id, sync_name, incremental_cursor, paused, last_run_id, updated_at) VALUES (?, ?, ?, 0, ?, ?)
            ON CONFLICT (connection_id, sync_name) DO UPDATE SET incremental_cursor = COALESCE(excluded.incremental_cursor, sync_states.incremental_cursor),
                last_run_id = excluded.last_run_id, updated_at = excluded.updated_at
            """, [.text(connectionId), .text(syncName), .optionalText(incrementalCursor), .text(runId), .timestamp(now)])
    }

    /// Pauses or resumes a sync's schedule.
    public func setPaused(_ paused: Bool, connectionId: String, syncName: String, now: Timestamp) async throws -> SyncState {
        let row = try await db.first(
            """
            INSERT INTO sync_states (connection_id, sync_name, paused, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (connection_id, sync_name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at RETURNING *
            """, [.text(connectionId), .text(syncName), .bool(paused), .timestamp(now)])
        guard let row else { throw DatabaseError(kind: .other, message: "the sync state was not returned") }
        return Self.state(row)
    }

    /// Sets when a scheduled sync runs next.
    public func setNextRun(_ at: Timestamp?, connectionId: String, syncName: String, now: Timestamp) async throws {
        try await db.execute(
            """
            INSERT INTO sync_states (connection_id, sync_name, paused, next_run_at, updated_at) VALUES (?, ?, 0, ?, ?)
            ON CONFLICT (connection_id, sync_name) DO UPDATE SET next_run_at = excluded.next_run_at, updated_at = excluded.updated_at
            """, [.text(connectionId), .text(syncName), .timestamp(at), .timestamp(now)])
    }

    static func state(_ row: SQLRow) -> SyncState {
        SyncState(
            connectionId: row.text("connection_id") ?? "", syncName: row.text("sync_name") ?? "", incrementalCursor: row.text("incremental_cursor"),
            paused: row.bool("paused"), nextRunAt: row.timestamp("next_run_at"), lastRunId: row.text("last_run_id"))
    }

    static func run(_ row: SQLRow) -> SyncRun {
        var counts = SyncRun.Counts()
        counts.fetched = Int(row.int("fetched") ?? 0)
        counts.created = Int(row.int("created") ?? 0)
        counts.updated = Int(row.int("updated") ?? 0)
        counts.unchanged = Int(row.int("unchanged") ?? 0)
        counts.deleted = Int(row.int("deleted") ?? 0)
        counts.failed = Int(row.int("failed") ?? 0)
        counts.pages = Int(row.int("pages") ?? 0)
        counts.retries = Int(row.int("retries") ?? 0)
        let checkpoint = row.json("checkpoint")
        return SyncRun(
            id: row.text("id") ?? "", connectionId: row.text("connection_id") ?? "", syncName: row.text("sync_name") ?? "",
            entityType: row.text("entity_type") ?? "", mode: row.text("mode") ?? "", trigger: row.text("trigger") ?? "",
            status: SyncRun.Status(rawValue: row.text("status") ?? "") ?? .failed, leaseOwner: row.text("lease_owner"),
            leaseExpiresAt: row.timestamp("lease_expires_at"), claimedBy: row.text("claimed_by"), claims: Int(row.int("claims") ?? 0), cancelRequested: row.bool("cancel_requested"),
            checkpoint: checkpoint.isNull ? JSON?.none : checkpoint, counts: counts, errorCode: row.text("error_code"), errorMessage: row.text("error_message"),
            createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0), startedAt: row.timestamp("started_at"),
            finishedAt: row.timestamp("finished_at"), updatedAt: row.timestamp("updated_at") ?? Timestamp(millisecondsSinceEpoch: 0))
    }
}
