import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import Synchronization

/// One audit entry: who did what to which connection's credentials, never a secret.
public struct AuditEntry: Sendable, Equatable {
    public var id: String
    public var at: Timestamp
    public var connectionId: String?
    /// `credentials.read`, `credentials.set`, `credentials.deleted`, `credentials.refreshed`, `oauth.authorize`,
    /// `oauth.connected`, `oauth.failed`, `oauth.revoked`, `keys.rotated`...
    public var action: String
    /// `engine`, `api`, `oauth`, `cli`.
    public var actor: String
    /// Non-secret facts (type, fields set, key id, error codes).
    public var details: JSONObject

    public init(id: String, at: Timestamp, connectionId: String?, action: String, actor: String, details: JSONObject = [:]) {
        self.id = id
        self.at = at
        self.connectionId = connectionId
        self.action = action
        self.actor = actor
        self.details = details
    }

    public var json: JSON {
        [
            "id": .string(id), "at": .string(at.iso8601), "connectionId": connectionId.map(JSON.string) ?? .null,
            "action": .string(action), "actor": .string(actor), "details": .object(details),
        ]
    }
}

/// Filters for `GET /v1/audit`.
public struct AuditQuery: Sendable {
    public var connectionId: String?
    public var action: String?
    public var since: Timestamp?
    public var until: Timestamp?
    public var limit: Int
    public var cursor: Cursor?

    public init(
        connectionId: String? = nil, action: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = 50, cursor: Cursor? = nil
    ) {
        self.connectionId = connectionId
        self.action = action
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }
}

/// The audit log: entries are buffered in memory and written in batches (every `flushInterval` by the vault's
/// service, when `batchSize` entries are waiting, on shutdown, and before every query), so reading a secret on the
/// hot path never waits for a database write.
///
/// Repeated engine reads of one connection's credentials are counted rather than written one row each: a read whose
/// connection's latest buffered entry is a read with the same details adds to that entry's `details.count` (and
/// `details.lastAt`), so a connection called thousands of times a second writes one `credentials.read` row per batch,
/// and every connection's history stays in order (a read after any other entry of that connection starts a new row).
public final class AuditLog: Sendable {
    let db: any SQLDatabase
    let logger: Logger
    let batchSize: Int

    /// An entry waiting to be written; counted reads carry how many and the last one's time.
    struct Pending {
        var entry: AuditEntry
        var count = 1
        var lastAt: Timestamp

        /// The entry as written: a counted read has `count` and `lastAt` in its details.
        var written: AuditEntry {
            guard count > 1 else { return entry }
            var e = entry
            e.details["count"] = .number(Double(count))
            e.details["lastAt"] = .string(lastAt.iso8601)
            return e
        }
    }

    struct Buffer {
        var entries: [Pending] = []
        /// Position in `entries` of each connection's latest buffered entry.
        var latest: [String: Int] = [:]

        mutating func append(_ entry: AuditEntry) {
            if let c = entry.connectionId { latest[c] = entries.count }
            entries.append(Pending(entry: entry, lastAt: entry.at))
        }

        /// Counts a read into the connection's latest entry when that is the same read; false if it is not.
        mutating func count(read connectionId: String, actor: String, details: JSONObject, at: Timestamp) -> Bool {
            guard let i = latest[connectionId] else { return false }
            let e = entries[i].entry
            guard e.action == AuditLog.readAction, e.actor == actor, e.details == details else { return false }
            entries[i].count += 1
            entries[i].lastAt = at
            return true
        }

        mutating func takeAll() -> [Pending] {
            defer {
                entries.removeAll()
                latest.removeAll()
            }
            return entries
        }

        /// Puts unwritten entries back in front (after a failed write). Later reads are not counted into them: a write
        /// that failed at its commit may have been written after all, and its retry then adds nothing (`ON CONFLICT`),
        /// so a count added meanwhile would be lost. Entries recorded since the failed write keep their counting.
        mutating func restore(_ batch: [Pending]) {
            entries.insert(contentsOf: batch, at: 0)
            latest.removeAll()
            for (i, p) in entries.enumerated().dropFirst(batch.count) { if let c = p.entry.connectionId { latest[c] = i } }
        }
    }

    static let readAction = "credentials.read"
    private let buffer = Mutex(Buffer())
    /// Failed writes in a row, and when to log them.
    private let outage = Mutex(OutageLog())
    private let sequence = Mutex<UInt64>(0)
    private let instance = String(Identifier.make().suffix(6))

    /// Ids that sort in recording order within a process: `aud_<ms>_<sequence>_<instance>`.
    func makeId(_ now: Timestamp) -> String {
        let n = sequence.withLock { s -> UInt64 in
            s += 1
            return s
        }
        func pad(_ v: some BinaryInteger, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "aud_" + pad(max(0, now.millisecondsSinceEpoch), 15) + "_" + pad(n, 12) + "_" + instance
    }
    /// Serializes flushes so entries are written in order.
    private let flushing = AsyncSerial()

    init(db: any SQLDatabase, logger: Logger, batchSize: Int = 200) {
        self.db = db
        self.logger = logger
        self.batchSize = batchSize
    }

    /// Buffers an entry; starts a flush when the buffer is full.
    func record(_ entry: AuditEntry) {
        let full = buffer.withLock { b -> Bool in
            b.append(entry)
            return b.entries.count == batchSize
        }
        if full { Task { await self.flush() } }
    }

    /// Buffers a `credentials.read` by `actor`: counted into the connection's latest entry when that is the same read,
    /// a new entry otherwise.
    func recordRead(connectionId: String, actor: String, details: JSONObject, now: Timestamp) {
        let counted = buffer.withLock { $0.count(read: connectionId, actor: actor, details: details, at: now) }
        if !counted {
            record(AuditEntry(id: makeId(now), at: now, connectionId: connectionId, action: Self.readAction, actor: actor, details: details))
        }
    }

    /// The number of entries waiting to be written (counted reads are one entry).
    public var pending: Int { buffer.withLock { $0.entries.count } }

    /// Writes every buffered entry (one transaction). Failures are logged and the entries kept for the next flush.
    public func flush() async {
        await flushing.run {
            let pending = self.buffer.withLock { $0.takeAll() }
            guard !pending.isEmpty else { return }
            let batch = pending.map(\.written)
            do {
                try await self.db.transaction { tx in
                    for chunk in stride(from: 0, to: batch.count, by: 100) {
                        let part = batch[chunk..<min(chunk + 100, batch.count)]
                        let values = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: part.count).joined(separator: ", ")
                        var binds: [SQLValue] = []
                        for e in part {
                            binds += [
                                .text(e.id), .timestamp(e.at), .optionalText(e.connectionId), .text(e.action), .text(e.actor),
                                .json(.object(e.details)),
                            ]
                        }
                        // A batch whose commit failed after the database took it is written again: its entries once.
                        try await tx.execute(
                            "INSERT INTO vault_audit (id, at, connection_id, action, actor, details) VALUES " + values
                                + " ON CONFLICT (id) DO NOTHING", binds)
                    }
                }
                self.logger.logOutage(self.outage.withLock { $0.succeeded(at: .now) }, of: "audit log writes", error: nil)
            } catch {
                // Logged when writes start failing and once a minute while they do: the flusher tries every 100 ms.
                self.logger.logOutage(self.outage.withLock { $0.failed(at: .now) }, of: "audit log writes", error: error)
                self.buffer.withLock { $0.restore(pending) }
            }
        }
    }

    /// Entries matching `query`, oldest first (flushes first so the answer includes everything recorded so far).
    public func list(_ query: AuditQuery) async throws -> Page<AuditEntry> {
        await flush()
        var sql = "SELECT * FROM vault_audit WHERE 1 = 1"
        var binds: [SQLValue] = []
        if let c = query.connectionId {
            sql += " AND connection_id = ?"
            binds.append(.text(c))
        }
        if let a = query.action {
            sql += " AND action = ?"
            binds.append(.text(a))
        }
        if let s = query.since {
            sql += " AND at >= ?"
            binds.append(.timestamp(s))
        }
        if let u = query.until {
            sql += " AND at < ?"
            binds.append(.timestamp(u))
        }
        if let cursor = query.cursor {
            guard cursor.position.count == 2, let at = cursor.position[0].numberValue, let id = cursor.position[1].stringValue else {
                throw SwitchboardError.badRequest("the cursor is not one this server issued", code: "INVALID_CURSOR")
            }
            sql += " AND (at > ? OR (at = ? AND id > ?))"
            binds += [.int(Int64(at)), .int(Int64(at)), .text(id)]
        }
        sql += " ORDER BY at, id LIMIT ?"
        binds.append(.int(Int64(query.limit + 1)))
        let rows = try await db.query(sql, binds)
        var items: [AuditEntry] = rows.prefix(query.limit).map { row in
            AuditEntry(
                id: row.text("id") ?? "", at: row.timestamp("at") ?? Timestamp(millisecondsSinceEpoch: 0), connectionId: row.text("connection_id"),
                action: row.text("action") ?? "", actor: row.text("actor") ?? "", details: row.json("details").objectValue ?? [:])
        }
        var next: String?
        if rows.count > query.limit, let last = items.last {
            next = Cursor(position: [.number(Double(last.at.millisecondsSinceEpoch)), .string(last.id)]).encoded
        }
        items = Array(items)
        return Page(items: items, nextCursor: next)
    }
}

/// Runs async closures one at a time, in call order.
final class AsyncSerial: Sendable {
    private let state = Mutex<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func run(_ body: @Sendable () async -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> Bool in
                if s.busy {
                    s.waiters.append(c)
                    return false
                }
                s.busy = true
                return true
            }
            if go { c.resume() }
        }
        await body()
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.busy = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
