/// A cap on the size of a statement's result, counted while its rows are read: the statement stops (SQLite: no
/// further step; PostgreSQL: a read-only statement cancelled, a read-write one's remaining rows discarded) at the first
/// row that takes the result over it.
///
/// A row's size is that of the JSON it becomes (`{"column": value, ...}`, a blob as base64, a string's quotes and
/// escapes counted), so the cap means the same thing as a byte limit on an HTTP body.
///
/// ```swift
/// var budget = SQLResultBudget(maxBytes: 10 << 20)
/// try budget.spend(on: row)  // throws DatabaseError(kind: .resultTooLarge) once the rows exceed 10 MiB
/// ```
public struct SQLResultBudget: Sendable {
    /// The largest result accepted, in bytes.
    public let maxBytes: Int
    /// The bytes the rows read so far take, with the result's envelope (`{"rows":[],"rowCount":n}`).
    public private(set) var usedBytes = 32

    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// Counts `row`; throws `DatabaseError` of kind `resultTooLarge` when the result now exceeds `maxBytes`.
    public mutating func spend(on row: SQLRow) throws(DatabaseError) {
        usedBytes += Self.jsonBytes(row)
        if usedBytes > maxBytes {
            throw DatabaseError(kind: .resultTooLarge, message: "the result is larger than \(maxBytes) bytes")
        }
    }

    /// The size of `row` as a JSON object, with the comma that separates it from the next row.
    static func jsonBytes(_ row: SQLRow) -> Int {
        var n = 3  // {} and a comma
        for (i, name) in row.columns.enumerated() {
            n += stringBytes(name) + 2  // : and a comma
            n += i < row.values.count ? jsonBytes(row.values[i]) : 4
        }
        return n
    }

    static func jsonBytes(_ value: SQLValue) -> Int {
        switch value {
        case .null: 4
        case .int(let i): String(i).utf8.count
        case .double(let d): String(d).utf8.count
        case .text(let s): stringBytes(s)
        case .blob(let b): (b.count + 2) / 3 * 4 + 2
        case .textArray(let a): a.reduce(2) { $0 + stringBytes($1) + 1 }
        }
    }

    /// A string's size in JSON: its UTF-8 bytes, the quotes, and a byte more for each character written escaped
    /// (five more for a control character without a short escape, `\u0001`).
    static func stringBytes(_ s: String) -> Int {
        var n = 2
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: n += 2
            case 0..<0x20: n += 6
            default: n += 1
            }
        }
        return n
    }
}
