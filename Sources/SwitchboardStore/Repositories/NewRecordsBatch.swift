import Synchronization
import SwitchboardCore

/// A page of records known to be new, made ready for `SQLSyncRunRepository.commitNewRecords` before the commit:
/// deduplicated by external id (the last occurrence's data wins, in first-seen order) and its statements' parameters
/// built. A sync builds the next pages' batches while the current one commits, so the commit itself does no work per
/// record beyond the database's (on SQLite, whose commits run on one thread, that work was a tenth of a page's commit).
///
/// The records' `created_at`/`updated_at` are `now` as given here, the time the batch was made (milliseconds before
/// its commit); their sequence numbers are taken when it commits.
public struct NewRecordsBatch: Sendable {
    /// The records, one per external id.
    public let records: [SyncRecordInput]
    public let connectionId: String
    public let entityType: String
    public let now: Timestamp
    let dialect: SQLDialect
    /// SQLite: one multi-row INSERT per chunk of `SQLSyncRecordRepository.chunkSize` rows, its sequence slots
    /// filled in by the commit. PostgreSQL: the INSERT that follows a `seq` CTE (`postgresInsert`).
    let statements: [Statement]

    final class Statement: @unchecked Sendable {
        let sql: String
        /// The parameters; on SQLite, rows of 10 whose last two (created_seq, modified_seq) are set by `numbered`.
        /// Mutated only in place under `lock` (the array is held by nothing else, so setting a slot copies nothing).
        private let binds: Mutex<[SQLValue]>
        let rows: Int

        init(sql: String, binds: [SQLValue], rows: Int) {
            self.sql = sql
            self.binds = Mutex(binds)
            self.rows = rows
        }

        /// The parameters, with the rows numbered from `first` (SQLite).
        func numbered(from first: Int64) -> [SQLValue] {
            binds.withLock { b in
                for i in 0..<rows {
                    let seq = SQLValue.int(first + Int64(i))
                    b[i * 10 + 8] = seq
                    b[i * 10 + 9] = seq
                }
                return b
            }
        }

        var parameters: [SQLValue] { binds.withLock { $0 } }
    }

    public init(_ records: [SyncRecordInput], connectionId: String, entityType: String, now: Timestamp, dialect: SQLDialect) {
        let unique = SQLSyncRecordRepository.unique(records)
        self.records = unique
        self.connectionId = connectionId
        self.entityType = entityType
        self.now = now
        self.dialect = dialect
        switch dialect {
        case .postgres:
            let insert = SQLSyncRecordRepository.postgresInsert(unique, connectionId: connectionId, entityType: entityType, now: now)
            statements = [Statement(sql: insert.sql, binds: insert.binds, rows: unique.count)]
        case .sqlite:
            var statements: [Statement] = []
            var offset = 0
            while offset < unique.count {
                let chunk = unique[offset..<min(offset + SQLSyncRecordRepository.chunkSize, unique.count)]
                let values = SQLSyncRecordRepository.valuesList(chunk, firstSequence: 0, connectionId: connectionId, entityType: entityType, now: now)
                statements.append(Statement(sql: SQLSyncRecordRepository.insertColumns + " VALUES " + values.sql, binds: values.binds, rows: chunk.count))
                offset += chunk.count
            }
            self.statements = statements
        }
    }
}
