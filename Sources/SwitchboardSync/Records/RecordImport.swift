import JSONValue
import SwitchboardCore
import SwitchboardStore

/// Imports rows of a file into the records store of one (connection, entity type).
///
/// Rows come in one at a time with their line number; each is optionally transformed, must be a JSON object with
/// an external id at `idField`, and joins the current batch. A full batch is upserted in one transaction (content
/// hashes make an unchanged record count as unchanged), so a batch is written whole or not at all. A row that
/// cannot be stored counts as failed, with its line, and never stops the import.
public struct RecordImport: Sendable {
    public struct Configuration: Sendable {
        /// Dotted path to the external id in each record (a key holding a dot is looked up as is first).
        public var idField: String
        /// Records per transaction.
        public var batchSize: Int
        /// How many line errors the summary lists (all are counted).
        public var maxErrors: Int

        public init(idField: String = "id", batchSize: Int = 1000, maxErrors: Int = 100) {
            self.idField = idField
            self.batchSize = batchSize
            self.maxErrors = maxErrors
        }
    }

    /// What a transform made of a record.
    public enum Transformed: Sendable {
        case record(JSON)
        case dropped
        case failed(code: String, message: String)
    }

    public struct LineError: Sendable, Equatable {
        public var line: Int
        public var code: String
        public var message: String

        public var json: JSON { ["line": .number(Double(line)), "code": .string(code), "message": .string(message)] }
    }

    /// The counts: `read` = `created` + `updated` + `unchanged` + `dropped` + `failed`.
    public struct Summary: Sendable, Equatable {
        public var read = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var dropped = 0
        public var failed = 0
        /// The first `maxErrors` failures, in line order.
        public var errors: [LineError] = []

        public var json: JSON {
            [
                "read": .number(Double(read)), "created": .number(Double(created)), "updated": .number(Double(updated)),
                "unchanged": .number(Double(unchanged)), "dropped": .number(Double(dropped)), "failed": .number(Double(failed)),
                "errors": .array(errors.map(\.json)),
            ]
        }
    }

    public let records: SQLSyncRecordRepository
    public let connectionId: String
    public let entityType: String
    public let configuration: Configuration
    let clock: any WallClock
    let transform: (@Sendable (JSON) async -> Transformed)?
    var batch: [SyncRecordInput] = []
    var batchIds: Set<String> = []
    public private(set) var summary = Summary()

    public init(
        records: SQLSyncRecordRepository, connectionId: String, entityType: String, clock: any WallClock, configuration: Configuration = .init(),
        transform: (@Sendable (JSON) async -> Transformed)? = nil
    ) {
        self.records = records
        self.connectionId = connectionId
        self.entityType = entityType
        self.clock = clock
        self.configuration = configuration
        self.transform = transform
    }

    /// One row read from line `line`.
    public mutating func add(_ row: JSON, line: Int) async throws {
        summary.read += 1
        var record = row
        if let transform {
            switch await transform(row) {
            case .record(let r): record = r
            case .dropped:
                summary.dropped += 1
                return
            case .failed(let code, let message):
                report(line: line, code: code, message: message)
                return
            }
        }
        guard case .object(let object) = record else {
            report(
                line: line, code: "NOT_AN_OBJECT",
                message: transform == nil ? "the line is not a JSON object" : "the pipeline's output is not a JSON object")
            return
        }
        guard let id = (object[configuration.idField] ?? JSONPath.value(at: configuration.idField, in: record)).flatMap(Self.externalId) else {
            report(
                line: line, code: "MISSING_ID",
                message: "the record has no id (a non-empty string, or a number up to 2^53 - 1) at '\(configuration.idField)'")
            return
        }
        // A second row with an id already in the batch goes in the next batch, so it counts (as updated or unchanged).
        if batchIds.contains(id) { try await flush() }
        batch.append(.canonical(externalId: id, data: record))
        batchIds.insert(id)
        if batch.count >= configuration.batchSize { try await flush() }
    }

    /// A row that could not be read (malformed, too long) at line `line`.
    public mutating func fail(line: Int, code: String, message: String) {
        summary.read += 1
        report(line: line, code: code, message: message)
    }

    /// Writes the last batch; returns the summary.
    public mutating func finish() async throws -> Summary {
        try await flush()
        return summary
    }

    mutating func report(line: Int, code: String, message: String) {
        summary.failed += 1
        if summary.errors.count < configuration.maxErrors { summary.errors.append(LineError(line: line, code: code, message: message)) }
    }

    /// Upserts the batch in one transaction.
    mutating func flush() async throws {
        guard !batch.isEmpty else { return }
        let (records, rows, connectionId, entityType, now) = (self.records, batch, connectionId, entityType, clock.now())
        let counts = try await records.db.transaction { tx in
            try await records.upsert(rows, connectionId: connectionId, entityType: entityType, now: now, in: tx)
        }
        summary.created += counts.created
        summary.updated += counts.updated
        summary.unchanged += counts.unchanged
        batch.removeAll(keepingCapacity: true)
        batchIds.removeAll(keepingCapacity: true)
    }

    /// A usable external id: a non-empty string, or a number (an integer without a fraction).
    ///
    /// A number beyond 2^53 - 1 either way is refused: numbers are read as doubles, which above that hold only some
    /// integers, so two such ids (a 64-bit snowflake and its neighbour) could read as one and become one record.
    /// Such ids are taken from a string field (many APIs have one, `id_str`).
    public static func externalId(_ v: JSON) -> String? {
        switch v {
        case .string(let s): return s.isEmpty ? nil : s
        case .number(let n):
            guard n.isFinite, abs(n) <= maxExactInteger else { return nil }
            if let i = v.intValue { return String(i) }
            return String(n)
        default: return nil
        }
    }

    /// The largest integer a double holds with its neighbours: 2^53 - 1.
    static let maxExactInteger = 9_007_199_254_740_991.0
}
