import JSONValue

/// Writing CSV (RFC 4180): fields quoted when they hold a comma, a quote, CR or LF; records end with CRLF.
public enum CSV {
    /// One field, quoted (with inner quotes doubled) when it needs to be.
    ///
    /// `CSV.field("a,\"b\"")` is `"a,""b"""` (with the outer quotes).
    public static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return text }
        var out = "\""
        for ch in text.unicodeScalars {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        return out + "\""
    }

    /// One record: the fields joined by commas, ended by CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// The text of a JSON value in a cell: strings as they are, numbers and booleans as JSON writes them,
    /// objects and arrays as compact JSON text, null (and a missing value) as an empty cell.
    public static func cell(_ value: JSON?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case let v?: return v.serialized()
        }
    }
}

/// An incremental CSV reader (RFC 4180): bytes go in as they arrive, whole records come out with the line
/// they started on.
///
/// Quoted fields may hold commas, quotes (doubled) and line breaks; records end with CRLF, LF or CR; blank lines
/// are skipped; a UTF-8 byte order mark at the start is dropped. A quote inside an unquoted field is kept as text.
/// A record that is malformed (text after a closing quote, an unterminated quote, invalid UTF-8) or longer than
/// `maxRecordBytes` comes out as `.malformed`, and reading goes on with the next record; memory stays bounded by
/// `maxRecordBytes`.
public struct CSVReader: Sendable {
    public enum Event: Sendable, Equatable {
        case record(line: Int, fields: [String])
        case malformed(line: Int, code: String, message: String)
    }

    enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    public let maxRecordBytes: Int
    var state = State.fieldStart
    var fields: [String] = []
    var field: [UInt8] = []
    /// The physical line being read (1-based) and the one the current record started on.
    var line = 1
    var recordLine = 1
    var recordBytes = 0
    var problem: (code: String, message: String)?
    var skipLineFeed = false
    var bomMatched = 0
    var started = false

    public init(maxRecordBytes: Int) { self.maxRecordBytes = maxRecordBytes }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Reads `bytes`; returns the records they completed.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var out: [Event] = []
        for byte in bytes {
            if !started {
                if byte == Self.byteOrderMark[bomMatched] {
                    bomMatched += 1
                    if bomMatched == 3 { started = true }
                    continue
                }
                started = true
                for held in Self.byteOrderMark[0..<bomMatched] { consume(held, into: &out) }
            }
            consume(byte, into: &out)
        }
        return out
    }

    /// Ends the input; returns the last record if it had no line break after it.
    public mutating func finish() -> [Event] {
        var out: [Event] = []
        if !started {
            started = true
            for held in Self.byteOrderMark[0..<bomMatched] { consume(held, into: &out) }
        }
        switch state {
        case .quoted:
            note("MALFORMED_CSV", "a quoted field is not closed")
            endRecord(into: &out)
        case .fieldStart where fields.isEmpty && problem == nil:
            break
        default:
            endRecord(into: &out)
        }
        return out
    }

    mutating func consume(_ byte: UInt8, into out: inout [Event]) {
        if skipLineFeed {
            skipLineFeed = false
            if byte == 0x0A { return }
        }
        recordBytes += 1
        if recordBytes > maxRecordBytes && problem?.code != "LINE_TOO_LONG" {
            problem = ("LINE_TOO_LONG", "the record is longer than the limit of \(maxRecordBytes) bytes")
            fields = []
            field = []
        }
        switch state {
        case .fieldStart:
            switch byte {
            case 0x22: state = .quoted
            case 0x2C: endField()
            case 0x0D, 0x0A: endLine(byte, into: &out)
            default:
                append(byte)
                state = .unquoted
            }
        case .unquoted:
            switch byte {
            case 0x2C: endField()
            case 0x0D, 0x0A: endLine(byte, into: &out)
            default: append(byte)
            }
        case .quoted:
            if byte == 0x22 {
                state = .quoteInQuoted
            } else {
                if byte == 0x0A { line += 1 }
                append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case 0x22:
                append(0x22)
                state = .quoted
            case 0x2C: endField()
            case 0x0D, 0x0A: endLine(byte, into: &out)
            default:
                note("MALFORMED_CSV", "text after the closing quote of field \(fields.count + 1)")
                append(byte)
                state = .unquoted
            }
        }
    }

    mutating func append(_ byte: UInt8) {
        if problem?.code != "LINE_TOO_LONG" { field.append(byte) }
    }

    mutating func note(_ code: String, _ message: String) {
        if problem == nil { problem = (code, message) }
    }

    mutating func endField() {
        if problem?.code != "LINE_TOO_LONG" {
            if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                note("MALFORMED_CSV", "field \(fields.count + 1) is not valid UTF-8")
                fields.append("")
            }
        }
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    /// A line break outside quotes: ends the record (a blank line ends nothing).
    mutating func endLine(_ byte: UInt8, into out: inout [Event]) {
        if byte == 0x0D { skipLineFeed = true }
        if state == .fieldStart && fields.isEmpty && problem == nil {
            recordBytes = 0
        } else {
            endRecord(into: &out)
        }
        line += 1
        recordLine = line
    }

    mutating func endRecord(into out: inout [Event]) {
        endField()
        if let problem {
            out.append(.malformed(line: recordLine, code: problem.code, message: problem.message))
        } else {
            out.append(.record(line: recordLine, fields: fields))
        }
        fields = []
        problem = nil
        recordBytes = 0
        state = .fieldStart
    }
}

/// Splits a byte stream into lines (LF or CRLF) as it arrives, numbering them from 1.
///
/// A line longer than `maxLineBytes` is not kept: its bytes are skipped up to its end and it comes out as
/// `.tooLong`, so memory stays bounded whatever the input. A UTF-8 byte order mark at the start is dropped.
public struct LineSplitter: Sendable {
    public enum Event: Sendable, Equatable {
        case line(number: Int, bytes: [UInt8])
        case tooLong(number: Int)
    }

    public let maxLineBytes: Int
    var pending: [UInt8] = []
    var skipping = false
    var number = 0

    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Reads `bytes`; returns the lines they completed.
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var out: [Event] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            if !skipping { pending += bytes[start..<newline] }
            out.append(take())
            start = bytes.index(after: newline)
        }
        if !skipping {
            pending += bytes[start...]
            if pending.count > maxLineBytes + 1 {
                skipping = true
                pending = []
            }
        }
        return out
    }

    /// Ends the input; returns the last line if it had no line break after it.
    public mutating func finish() -> [Event] {
        guard skipping || !pending.isEmpty else { return [] }
        return [take()]
    }

    mutating func take() -> Event {
        number += 1
        defer {
            pending.removeAll(keepingCapacity: pending.count <= 1 << 16)
            skipping = false
        }
        if pending.last == 0x0D { pending.removeLast() }
        if skipping || pending.count > maxLineBytes { return .tooLong(number: number) }
        if number == 1 && pending.starts(with: CSVReader.byteOrderMark) { pending.removeFirst(3) }
        return .line(number: number, bytes: pending)
    }
}
