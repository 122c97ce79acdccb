import JSONValue
import SwitchboardCore

/// Transformation documents in one SQL table per kind.
public struct SQLTransformDocumentRepository: TransformDocumentRepository {
    /// The tables of the kinds (created by `SchemaMigrations.transform`).
    public enum Kind: String, Sendable, CaseIterable {
        case mappings = "transform_mappings"
        case templates = "transform_mapping_templates"
        case validators = "transform_validators"
        case pipelines = "transform_pipelines"

        /// The prefix of the ids of this kind's documents (`TransformService` makes them).
        var idPrefix: String {
            switch self {
            case .mappings: "map_"
            case .templates: "mtpl_"
            case .validators: "val_"
            case .pipelines: "pipe_"
            }
        }
    }

    let db: any SQLDatabase
    let table: String
    let kind: Kind

    public init(db: any SQLDatabase, kind: Kind) {
        self.db = db
        self.table = kind.rawValue
        self.kind = kind
    }

    static let columns = "id, name, lookup_key, body, created_at, updated_at"

    public func insert(_ d: TransformDocument) async throws {
        do {
            try await db.execute(
                "INSERT INTO \(table) (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(d.id), .text(d.name), .optionalText(d.lookupKey), .json(d.body), .timestamp(d.createdAt), .timestamp(d.updatedAt)])
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            throw SwitchboardError.conflict("another document already uses this key")
        }
    }

    public func update(_ d: TransformDocument) async throws -> Bool {
        do {
            let rows = try await db.query(
                "UPDATE \(table) SET name = ?, lookup_key = ?, body = ?, updated_at = ? WHERE id = ? RETURNING id",
                [.text(d.name), .optionalText(d.lookupKey), .json(d.body), .timestamp(d.updatedAt), .text(d.id)])
            return !rows.isEmpty
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            throw SwitchboardError.conflict("another document already uses this key")
        }
    }

    public func get(id: String) async throws -> TransformDocument? {
        try await db.first("SELECT \(Self.columns) FROM \(table) WHERE id = ?", [.text(id)]).map(Self.decode)
    }

    public func get(lookupKey: String) async throws -> TransformDocument? {
        try await db.first("SELECT \(Self.columns) FROM \(table) WHERE lookup_key = ?", [.text(lookupKey)]).map(Self.decode)
    }

    public func delete(id: String) async throws -> Bool {
        !(try await db.query("DELETE FROM \(table) WHERE id = ? RETURNING id", [.text(id)])).isEmpty
    }

    /// A page in id order. A cursor is good only for the listing of this kind that issued it: another listing's (a
    /// mappings cursor given to the validators, an executions cursor) or a made-up one is a 400 `INVALID_CURSOR`.
    public func list(limit: Int, cursor: Cursor?) async throws -> Page<TransformDocument> {
        var q = KeysetQuery()
        try q.after(cursor, column: "id", descending: false, isKey: { [prefix = kind.idPrefix] in Identifier.isWellFormed($0, prefix: prefix) })
        return try await q.page(db, select: "SELECT \(Self.columns) FROM \(table)", orderBy: "id", limit: limit, decode: Self.decode, key: \.id)
    }

    static func decode(_ row: SQLRow) -> TransformDocument {
        TransformDocument(
            id: row.text("id") ?? "", name: row.text("name") ?? "", lookupKey: row.text("lookup_key"), body: row.json("body"),
            createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0),
            updatedAt: row.timestamp("updated_at") ?? Timestamp(millisecondsSinceEpoch: 0))
    }
}
