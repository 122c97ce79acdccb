import JSONValue
import SwitchboardCore

/// Connections in SQL, with optimistic concurrency on the `version` column.
public struct SQLConnectionRepository: ConnectionRepository {
    let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    static let columns =
        "id, name, definition_key, definition_version, status, config, metadata, last_error, last_used_at, last_connected_at, created_at, updated_at, version"

    public func create(_ c: Connection) async throws -> Connection {
        do {
            try await db.execute(
                "INSERT INTO connections (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(c.id), .text(c.name), .text(c.definitionKey), .text(c.definitionVersion.description), .text(c.status.rawValue),
                    .json(.object(c.config)), .json(.object(c.metadata)), .optionalText(c.lastError), .timestamp(c.lastUsedAt),
                    .timestamp(c.lastConnectedAt), .timestamp(c.createdAt), .timestamp(c.updatedAt), .int(Int64(c.version)),
                ])
        } catch let error as DatabaseError where error.kind == .foreignKeyViolation {
            throw SwitchboardError.notFound("definition '\(c.definitionKey)' has no version \(c.definitionVersion)", code: "DEFINITION_NOT_FOUND")
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            throw SwitchboardError.conflict("connection \(c.id) already exists")
        }
        return c
    }

    public func get(id: String) async throws -> Connection? {
        try await db.first("SELECT \(Self.columns) FROM connections WHERE id = ?", [.text(id)]).map(Self.decode)
    }

    public func list(_ query: ConnectionQuery) async throws -> Page<Connection> {
        var q = KeysetQuery()
        if let k = query.definitionKey { q.filter("definition_key = ?", .text(k)) }
        if let s = query.status { q.filter("status = ?", .text(s.rawValue)) }
        try q.after(query.cursor, column: "id", descending: false, isKey: { Identifier.isWellFormed($0, prefix: "conn_") })
        return try await q.page(db, select: "SELECT \(Self.columns) FROM connections", orderBy: "id", limit: query.limit, decode: Self.decode, key: \.id)
    }

    public func update(_ c: Connection, expectedVersion: Int) async throws -> Connection {
        var stored = c
        stored.version = expectedVersion + 1
        let rows = try await db.query(
            """
            UPDATE connections SET name = ?, status = ?, config = ?, metadata = ?, last_error = ?, last_used_at = ?, last_connected_at = ?,
                updated_at = ?, version = ?, definition_version = ?
            WHERE id = ? AND version = ? RETURNING id
            """,
            [
                .text(c.name), .text(c.status.rawValue), .json(.object(c.config)), .json(.object(c.metadata)), .optionalText(c.lastError),
                .timestamp(c.lastUsedAt), .timestamp(c.lastConnectedAt), .timestamp(c.updatedAt), .int(Int64(stored.version)),
                .text(c.definitionVersion.description), .text(c.id), .int(Int64(expectedVersion)),
            ])
        if rows.isEmpty {
            guard let current = try await get(id: c.id) else { throw SwitchboardError.notFound("connection \(c.id) does not exist", code: "CONNECTION_NOT_FOUND") }
            throw SwitchboardError.conflict(
                "connection \(c.id) was changed by someone else: its version is \(current.version), not \(expectedVersion)", code: "VERSION_CONFLICT")
        }
        return stored
    }

    /// Moves connection `id` to `status` if it is in one of `from`, on `executor` (the caller's transaction, so that the
    /// move commits with the change that caused it), bumping its version. Returns false if it is in none of them.
    public static func setStatus(
        _ executor: any SQLExecutor, id: String, to status: ConnectionStatus, from: [ConnectionStatus], lastError: String?, now: Timestamp
    ) async throws -> Bool {
        let rows = try await executor.query(
            """
            UPDATE connections SET status = ?, last_error = ?, updated_at = ?, version = version + 1
            WHERE id = ? AND status IN (\(from.map { _ in "?" }.joined(separator: ", "))) RETURNING id
            """,
            [.text(status.rawValue), .optionalText(lastError), .timestamp(now), .text(id)] + from.map { .text($0.rawValue) })
        return !rows.isEmpty
    }

    public func delete(id: String) async throws -> Bool {
        !(try await db.query("DELETE FROM connections WHERE id = ? RETURNING id", [.text(id)]).isEmpty)
    }

    public func touch(id: String, lastUsedAt: Timestamp) async throws {
        try await db.execute("UPDATE connections SET last_used_at = ? WHERE id = ?", [.timestamp(lastUsedAt), .text(id)])
    }

    static func decode(_ row: SQLRow) -> Connection {
        Connection(
            id: row.text("id") ?? "",
            name: row.text("name") ?? "",
            definitionKey: row.text("definition_key") ?? "",
            definitionVersion: row.text("definition_version").flatMap(SemanticVersion.init) ?? SemanticVersion("0.0.0")!,
            status: row.text("status").flatMap(ConnectionStatus.init) ?? .configError,
            config: row.json("config").objectValue ?? [:],
            metadata: row.json("metadata").objectValue ?? [:],
            lastError: row.text("last_error"),
            lastUsedAt: row.timestamp("last_used_at"),
            lastConnectedAt: row.timestamp("last_connected_at"),
            createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0),
            updatedAt: row.timestamp("updated_at") ?? Timestamp(millisecondsSinceEpoch: 0),
            version: Int(row.int("version") ?? 1)
        )
    }
}
