import SwitchboardCore

extension SQLSyncRecordRepository {
    /// Up to `limit` records in external id order, after the external id `after` (a keyset page on the primary key):
    /// each record appears once however the records change while a reader pages through them (exports use it).
    public func page(
        connectionId: String, entityType: String, afterExternalId after: String?, includeDeleted: Bool, limit: Int
    ) async throws -> [SyncRecord] {
        var sql = "SELECT * FROM sync_records WHERE connection_id = ? AND entity_type = ?"
        var binds: [SQLValue] = [.text(connectionId), .text(entityType)]
        if let after {
            sql += " AND external_id > ?"
            binds.append(.text(after))
        }
        if !includeDeleted { sql += " AND deleted_at IS NULL" }
        binds.append(.int(Int64(limit)))
        return try await db.query(sql + " ORDER BY external_id LIMIT ?", binds).map(Self.record)
    }
}
