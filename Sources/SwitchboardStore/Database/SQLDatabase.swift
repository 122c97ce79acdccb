import JSONValue
import SwitchboardCore

/// A value bound into or read out of SQL. Both engines store the same shapes: booleans as integers,
/// timestamps as integer milliseconds, JSON as text.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
    /// A list of strings: on PostgreSQL a `text[]` parameter (binary, one parameter however long the list); on SQLite
    /// its JSON array text (read it with `json_each`).
    case textArray([String])

    public static func bool(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
    public static func json(_ j: JSON) -> SQLValue { .text(j.serialized()) }
    public static func timestamp(_ t: Timestamp?) -> SQLValue { t.map { .int($0.millisecondsSinceEpoch) } ?? .null }
    public static func optionalText(_ s: String?) -> SQLValue { s.map(SQLValue.text) ?? .null }
}

/// One result row: values by column name.
public struct SQLRow: Sendable {
    public var columns: [String]
    public var values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }

    public func text(_ name: String) -> String? {
        switch self[name] {
        case .text(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .blob(let b): String(decoding: b, as: UTF8.self)
        case .textArray(let a): JSON.array(a.map(JSON.string)).serialized()
        case .null: nil
        }
    }

    public func int(_ name: String) -> Int64? {
        switch self[name] {
        case .int(let i): i
        case .double(let d): Int64(d)
        case .text(let s): Int64(s)
        default: nil
        }
    }

    public func double(_ name: String) -> Double? {
        switch self[name] {
        case .int(let i): Double(i)
        case .double(let d): d
        case .text(let s): Double(s)
        default: nil
        }
    }

    public func bool(_ name: String) -> Bool { (int(name) ?? 0) != 0 }

    public func timestamp(_ name: String) -> Timestamp? { int(name).map(Timestamp.init(millisecondsSinceEpoch:)) }

    /// A JSON column; a stored value that does not parse (never written by us) reads as null.
    public func json(_ name: String) -> JSON {
        guard let t = text(name) else { return .null }
        return (try? JSON(parsing: t)) ?? .null
    }

    public func blob(_ name: String) -> [UInt8]? {
        switch self[name] {
        case .blob(let b): b
        case .text(let s): Array(s.utf8)
        default: nil
        }
    }
}

/// Reading SQL text without an engine.
public enum SQLText {
    /// Whether `sql` holds no statement: only whitespace, semicolons and comments (`--` to the end of the line,
    /// `/* */`).
    public static func isBlank(_ sql: String) -> Bool {
        afterTrivia(sql).isEmpty
    }

    /// The first word of `sql` after whitespace, semicolons and comments, uppercased: its statement's kind for most
    /// statements (`firstWord("/* tidy */ vacuum")` is `VACUUM`); empty when the text starts with something else.
    static func firstWord(_ sql: String) -> String {
        let word = afterTrivia(sql).prefix { c in
            c >= 0x80 || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c | 0x20)
        }
        return String(decoding: word, as: UTF8.self).uppercased()
    }

    /// The text of `sql` from its first character that is not whitespace, a semicolon or in a comment (empty if none).
    static func afterTrivia(_ sql: String) -> Substring.UTF8View {
        var bytes = sql.utf8[...]
        while let c = bytes.first {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C, UInt8(ascii: ";"):
                bytes = bytes.dropFirst()
            case UInt8(ascii: "-") where bytes.dropFirst().first == UInt8(ascii: "-"):
                bytes = bytes.drop(while: { $0 != UInt8(ascii: "\n") })
            case UInt8(ascii: "/") where bytes.dropFirst().first == UInt8(ascii: "*"):
                var rest = bytes.dropFirst(2)
                while true {
                    // An unclosed comment runs to the end, as SQLite reads it.
                    guard let star = rest.firstIndex(of: UInt8(ascii: "*")) else { return rest[rest.endIndex...] }
                    rest = rest[rest.index(after: star)...]
                    if rest.first == UInt8(ascii: "/") { break }
                }
                bytes = rest.dropFirst()
            default:
                return bytes
            }
        }
        return bytes
    }
}

/// The SQL engine behind a database, for the few statements that differ.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

/// What one statement did: the rows it returned and its row count.
public struct SQLStatementResult: Sendable {
    public var rows: [SQLRow]
    /// The rows an INSERT, UPDATE or DELETE (or PostgreSQL MERGE) changed; for any other statement the rows it
    /// returned (a write with `RETURNING` returns one row per changed row: the two agree).
    public var rowCount: Int

    public init(rows: [SQLRow], rowCount: Int) {
        self.rows = rows
        self.rowCount = rowCount
    }
}

/// Runs statements. SQL is written with `?` placeholders; PostgreSQL's `$n` are produced for it.
public protocol SQLExecutor: Sendable {
    var dialect: SQLDialect { get }
    /// Runs a statement and returns its rows (use `RETURNING` to read what a write did).
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs a statement and returns its rows and row count (the rows a write changed).
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult
}

extension SQLExecutor {
    public func execute(_ sql: String, _ binds: [SQLValue] = []) async throws {
        _ = try await query(sql, binds)
    }

    public func first(_ sql: String, _ binds: [SQLValue] = []) async throws -> SQLRow? {
        try await query(sql, binds).first
    }
}

/// A piece of SQL and the values of its `?` placeholders, in order: statements built from parts keep each part's
/// values next to its text.
public struct SQLFragment: Sendable {
    public var sql: String
    public var binds: [SQLValue]

    public init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }
}

/// A database: an executor that can also run a transaction and be closed.
public protocol SQLDatabase: SQLExecutor {
    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Checks the database answers (readiness).
    func ping() async throws
    func close() async throws
}

/// A database-level failure, mapped to a stable error so callers never see driver text with data in it.
public struct DatabaseError: SwitchboardErrorConvertible, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case uniqueViolation, foreignKeyViolation, invalidValue, unavailable
        /// The statement was refused before it ran: not allowed on this connection (a write on a read-only one,
        /// more than one statement, ATTACH...). The statement's fault: running it again fails again.
        case refused
        /// The statement was stopped before it finished (its task was cancelled, or the server's statement timeout).
        case cancelled
        /// The statement's rows exceeded the caller's `SQLResultBudget`; reading them stopped there.
        case resultTooLarge
        /// The server refused the login: a wrong password, or a role that may not log in.
        case authenticationFailed
        case other
    }
    public var kind: Kind
    public var message: String
    /// PostgreSQL's SQLSTATE (`42P18`) for an error of kind `other` the server reported; nil otherwise.
    public var sqlState: String?
    public var description: String { message }

    public init(kind: Kind, message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
    }

    /// 503 `DATABASE_UNAVAILABLE` when the database cannot be reached; the other kinds are the caller's to map.
    public var switchboardError: SwitchboardError? {
        kind == .unavailable ? .unavailable("the database is unavailable", code: "DATABASE_UNAVAILABLE") : nil
    }

    /// Whether `error` is a refusal that running the same statement with the same values again cannot mend (a value
    /// the database does not take, a constraint, a refused statement), unlike an unavailable or cancelled database.
    public static func isPermanent(_ error: any Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return [.invalidValue, .uniqueViolation, .foreignKeyViolation, .refused].contains(e.kind)
    }
}
