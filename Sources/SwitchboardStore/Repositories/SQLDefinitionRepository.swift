import JSONValue
import SwitchboardCore

/// Definitions in SQL: one row per version, plus one row per key pointing at its current version
/// (latest published, else latest draft, else latest), recomputed in the same transaction as every write.
public struct SQLDefinitionRepository: DefinitionRepository {
    let db: any SQLDatabase
    let clock: any WallClock

    public init(db: any SQLDatabase, clock: any WallClock = SystemWallClock()) {
        self.db = db
        self.clock = clock
    }

    static let columns = "key, version, status, document, created_at, updated_at, published_at"

    public func create(_ definition: IntegrationDefinition) async throws -> IntegrationDefinition {
        let now = clock.now()
        var d = definition
        d.createdAt = now
        d.updatedAt = now
        if d.status == .published { d.publishedAt = now }
        let stored = d
        do {
            try await db.transaction { tx in
                try await tx.execute(
                    """
                    INSERT INTO definition_versions (key, version, status, name, description, category, provider, type, popular, document, created_at, updated_at, published_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    Self.binds(stored))
                try await Self.refreshCurrent(key: stored.key, tx: tx)
            }
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            throw SwitchboardError.conflict("definition '\(d.key)' version \(d.version) already exists", code: "DEFINITION_EXISTS")
        }
        return stored
    }

    static func binds(_ d: IntegrationDefinition) -> [SQLValue] {
        [
            .text(d.key), .text(d.version.description), .text(d.status.rawValue), .text(d.name), .optionalText(d.description),
            .optionalText(d.category), .optionalText(d.provider), .text(d.type.rawValue), .bool(d.popular), .json(.object(d.document)),
            .timestamp(d.createdAt), .timestamp(d.updatedAt), .timestamp(d.publishedAt),
        ]
    }

    public func replaceDraft(_ definition: IntegrationDefinition) async throws -> IntegrationDefinition {
        let now = clock.now()
        return try await db.transaction { tx in
            guard let row = try await tx.first(
                "SELECT \(Self.columns) FROM definition_versions WHERE key = ? AND version = ?",
                [.text(definition.key), .text(definition.version.description)])
            else {
                throw SwitchboardError.notFound("definition '\(definition.key)' has no version \(definition.version)", code: "DEFINITION_NOT_FOUND")
            }
            let existing = try Self.decode(row)
            guard existing.status == .draft else {
                throw SwitchboardError.conflict(
                    "version \(definition.version) of '\(definition.key)' is \(existing.status.rawValue); only a DRAFT can be edited (create a new version)",
                    code: "DEFINITION_NOT_EDITABLE")
            }
            var d = definition
            d.status = .draft
            d.createdAt = existing.createdAt
            d.updatedAt = now
            d.publishedAt = nil
            try await tx.execute(
                """
                UPDATE definition_versions SET name = ?, description = ?, category = ?, provider = ?, type = ?, popular = ?, document = ?, updated_at = ?
                WHERE key = ? AND version = ?
                """,
                [
                    .text(d.name), .optionalText(d.description), .optionalText(d.category), .optionalText(d.provider), .text(d.type.rawValue),
                    .bool(d.popular), .json(.object(d.document)), .timestamp(now), .text(d.key), .text(d.version.description),
                ])
            try await Self.refreshCurrent(key: d.key, tx: tx)
            return d
        }
    }

    public func version(key: String, version: SemanticVersion) async throws -> IntegrationDefinition? {
        guard let row = try await db.first(
            "SELECT \(Self.columns) FROM definition_versions WHERE key = ? AND version = ?", [.text(key), .text(version.description)])
        else { return nil }
        return try Self.decode(row)
    }

    public func versions(key: String) async throws -> [IntegrationDefinition] {
        let rows = try await db.query("SELECT \(Self.columns) FROM definition_versions WHERE key = ?", [.text(key)])
        return try rows.map { try Self.decode($0) }.sorted { $0.version > $1.version }
    }

    public func current(key: String) async throws -> IntegrationDefinition? {
        guard let row = try await db.first("SELECT current_version FROM definitions WHERE key = ?", [.text(key)]),
            let v = row.text("current_version").flatMap(SemanticVersion.init)
        else { return nil }
        return try await version(key: key, version: v)
    }

    public func list(_ query: DefinitionQuery) async throws -> Page<IntegrationDefinition> {
        var q = KeysetQuery()
        if let search = query.search?.lowercased(), !search.isEmpty {
            let escaped = search.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_")
            q.filter("d.search_text LIKE ? ESCAPE '\\'", .text("%" + escaped + "%"))
        }
        if let c = query.category { q.filter("d.category = ?", .text(c)) }
        if let s = query.status { q.filter("d.status = ?", .text(s.rawValue)) }
        if let t = query.type { q.filter("d.type = ?", .text(t.rawValue)) }
        if let p = query.popular { q.filter("d.popular = ?", .bool(p)) }
        try q.after(query.cursor, column: "d.key", descending: false)
        return try await q.page(
            db,
            select: """
                SELECT v.key, v.version, v.status, v.document, v.created_at, v.updated_at, v.published_at
                FROM definitions d JOIN definition_versions v ON v.key = d.key AND v.version = d.current_version
                """,
            orderBy: "d.key", limit: query.limit, decode: Self.decode, key: \.key)
    }

    public func transition(key: String, version: SemanticVersion, _ transition: DefinitionStatus.Transition) async throws -> IntegrationDefinition {
        let now = clock.now()
        return try await db.transaction { tx in
            guard let row = try await tx.first(
                "SELECT \(Self.columns) FROM definition_versions WHERE key = ? AND version = ?", [.text(key), .text(version.description)])
            else { throw SwitchboardError.notFound("definition '\(key)' has no version \(version)", code: "DEFINITION_NOT_FOUND") }
            var d = try Self.decode(row)
            guard let next = d.status.applying(transition) else {
                throw SwitchboardError.conflict(
                    "cannot \(transition.rawValue) version \(version) of '\(key)': it is \(d.status.rawValue)", code: "INVALID_TRANSITION")
            }
            d.status = next
            d.updatedAt = now
            if next == .published { d.publishedAt = now }
            try await tx.execute(
                "UPDATE definition_versions SET status = ?, updated_at = ?, published_at = ? WHERE key = ? AND version = ?",
                [.text(next.rawValue), .timestamp(now), .timestamp(d.publishedAt), .text(key), .text(version.description)])
            try await Self.refreshCurrent(key: key, tx: tx)
            return d
        }
    }

    public func deleteDraft(key: String, version: SemanticVersion) async throws {
        try await db.transaction { tx in
            guard let row = try await tx.first(
                "SELECT \(Self.columns) FROM definition_versions WHERE key = ? AND version = ?", [.text(key), .text(version.description)])
            else { throw SwitchboardError.notFound("definition '\(key)' has no version \(version)", code: "DEFINITION_NOT_FOUND") }
            let d = try Self.decode(row)
            guard d.status == .draft else {
                throw SwitchboardError.conflict("only a DRAFT can be deleted; archive version \(version) instead", code: "DEFINITION_NOT_EDITABLE")
            }
            if try await tx.first(
                "SELECT id FROM connections WHERE definition_key = ? AND definition_version = ? LIMIT 1", [.text(key), .text(version.description)])
                != nil
            {
                throw SwitchboardError.conflict("connections use version \(version) of '\(key)'", code: "DEFINITION_IN_USE")
            }
            try await tx.execute("DELETE FROM definition_versions WHERE key = ? AND version = ?", [.text(key), .text(version.description)])
            try await Self.refreshCurrent(key: key, tx: tx)
        }
    }

    /// Recomputes the per-key row from the versions (or removes it when none is left).
    static func refreshCurrent(key: String, tx: any SQLExecutor) async throws {
        let rows = try await tx.query(
            "SELECT version, status, name, description, category, type, popular, updated_at FROM definition_versions WHERE key = ?", [.text(key)])
        let versions = rows.compactMap { row -> (SemanticVersion, SQLRow)? in
            guard let v = row.text("version").flatMap(SemanticVersion.init) else { return nil }
            return (v, row)
        }.sorted { $0.0 > $1.0 }
        let pick =
            versions.first { $0.1.text("status") == DefinitionStatus.published.rawValue }
            ?? versions.first { $0.1.text("status") == DefinitionStatus.draft.rawValue }
            ?? versions.first
        guard let (v, row) = pick else {
            try await tx.execute("DELETE FROM definitions WHERE key = ?", [.text(key)])
            return
        }
        let search = [key, row.text("name") ?? "", row.text("description") ?? ""].joined(separator: "\n").lowercased()
        try await tx.execute(
            """
            INSERT INTO definitions (key, current_version, status, name, description, category, type, popular, search_text, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET current_version = excluded.current_version, status = excluded.status, name = excluded.name,
                description = excluded.description, category = excluded.category, type = excluded.type, popular = excluded.popular,
                search_text = excluded.search_text, updated_at = excluded.updated_at
            """,
            [
                .text(key), .text(v.description), row["status"], row["name"], row["description"], row["category"], row["type"], row["popular"],
                .text(search), row["updated_at"],
            ])
    }

    static func decode(_ row: SQLRow) throws -> IntegrationDefinition {
        var doc = row.json("document")
        // Stored documents were validated on write; decode them again without re-checking schemas.
        doc["status"] = .string(row.text("status") ?? "DRAFT")
        var d: IntegrationDefinition
        do {
            d = try DefinitionCodec(schemas: TrustedSchemaChecker()).decode(doc)
        } catch {
            throw SwitchboardError.internalError("stored definition \(row.text("key") ?? "?") \(row.text("version") ?? "?") no longer decodes")
        }
        d.createdAt = row.timestamp("created_at")
        d.updatedAt = row.timestamp("updated_at")
        d.publishedAt = row.timestamp("published_at")
        return d
    }
}

/// Accepts every schema: used when reading back documents that were fully validated on write.
struct TrustedSchemaChecker: SchemaChecker {
    func problems(inSchema schema: JSON) -> [Problem] { [] }
    func validate(_ instance: JSON, against schema: JSON) -> [Problem] { [] }
}
