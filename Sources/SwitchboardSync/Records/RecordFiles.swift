import JSONValue
import SwitchboardCore

/// The file formats records are exported to and imported from.
public enum RecordFileFormat: String, Sendable, CaseIterable {
    /// JSON Lines: one JSON object per line.
    case jsonl
    /// RFC 4180 CSV with a header row.
    case csv

    /// `jsonl` (or `ndjson`) or `csv`, any case.
    public init?(name: String) {
        switch name.lowercased() {
        case "jsonl", "ndjson": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }

    /// The format a Content-Type names (`application/x-ndjson`, `application/jsonl`, `text/csv`, ...).
    public init?(contentType: String) {
        guard DocumentReader.namesUTF8OrNoCharset(contentType) else { return nil }  // files are read as UTF-8
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { trimmed($0).lowercased() } ?? ""
        switch type {
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-lines", "application/x-jsonlines": self = .jsonl
        case "text/csv", "application/csv": self = .csv
        default: return nil
        }
    }

    public var contentType: String {
        switch self {
        case .jsonl: "application/x-ndjson"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    public var fileExtension: String { rawValue }
}

/// How exported records are written: JSON Lines (the record's data, or with `fields` an object of those fields)
/// or CSV (a header row, then one row per record).
public struct RecordExport: Sendable {
    public let format: RecordFileFormat
    /// The fields asked for (dotted paths allowed), in order; nil for every field.
    public let fields: [String]?

    public init(format: RecordFileFormat, fields: [String]?) {
        self.format = format
        self.fields = fields
    }

    /// The value of `field` in `data`: a member with exactly that name, else the dotted path (`address.city`, `tags.0`).
    public static func value(of field: String, in data: JSON) -> JSON? {
        if case .object(let o) = data, let v = o[field] { return v }
        guard field.contains(".") else { return nil }
        return JSONPath.value(at: field, in: data)
    }

    /// Whether `fields` parses: a comma-separated list of names or dotted paths, none empty.
    public static func parseFields(_ text: String) -> [String]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.split(separator: ".", omittingEmptySubsequences: false).contains { $0.isEmpty } })
        else { return nil }
        return parts
    }

    /// The CSV header row.
    public func header(columns: [String]) -> String { CSV.record(columns) }

    /// One record's line (with its line break).
    public func line(_ data: JSON, columns: [String]) -> [UInt8] {
        switch format {
        case .jsonl:
            var out: [UInt8] = []
            if let fields {
                var o = JSONObject()
                for f in fields {
                    if let v = Self.value(of: f, in: data) { o[f] = v }
                }
                JSON.object(o).serialize(into: &out)
            } else {
                data.serialize(into: &out)
            }
            out.append(0x0A)
            return out
        case .csv:
            return Array(CSV.record(columns.map { CSV.cell(Self.value(of: $0, in: data)) }).utf8)
        }
    }

    /// Collects the top-level keys of records in the order they are first seen (the CSV columns when no fields are given).
    public struct Columns: Sendable {
        public private(set) var names: [String] = []
        var seen: Set<String> = []

        public init() {}

        public mutating func add(_ data: JSON) {
            guard case .object(let o) = data else { return }
            for key in o.keys where !seen.contains(key) {
                seen.insert(key)
                names.append(key)
            }
        }
    }
}

/// `text` without the spaces and tabs around it.
func trimmed(_ text: Substring) -> String {
    String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
}
