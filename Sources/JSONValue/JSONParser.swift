/// A JSON text that could not be parsed, with the byte offset, line and column of the problem.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Zero-based byte offset into the input.
    public var offset: Int
    /// One-based line and column (column counted in bytes).
    public var line: Int
    public var column: Int

    public var description: String { "\(message) at line \(line), column \(column)" }

    /// The message of the error `ParseOptions.exactIntegersOnly` gives.
    public static let inexactInteger = "an integer beyond 2^53, which a number here cannot hold exactly (send it as a string)"

    /// Whether the text is JSON but holds an integer `exactIntegersOnly` refuses.
    public var isInexactInteger: Bool { message == Self.inexactInteger }
}

extension JSON {
    /// Parser limits; the defaults suit untrusted input on a server.
    public struct ParseOptions: Sendable {
        /// Deepest nesting of arrays and objects accepted; deeper input is an error, never a stack overflow.
        public var maxDepth: Int
        /// Accept trailing content after the value (used by streaming readers that split themselves).
        public var allowTrailingContent: Bool
        /// Refuse an integer (a number without fraction or exponent) beyond 2^53 in magnitude: numbers are doubles,
        /// which hold only some integers from there on, so `1234567890123456789` would be read as
        /// `1234567890123456768`. For values passed on to another system, where a changed id is worse than an error.
        public var exactIntegersOnly: Bool

        public init(maxDepth: Int = 512, allowTrailingContent: Bool = false, exactIntegersOnly: Bool = false) {
            self.maxDepth = maxDepth
            self.allowTrailingContent = allowTrailingContent
            self.exactIntegersOnly = exactIntegersOnly
        }
    }

    /// Parses one JSON text (RFC 8259) from UTF-8 bytes.
    public init<Bytes: Collection>(parsing bytes: Bytes, options: ParseOptions = .init()) throws(JSONParseError)
    where Bytes.Element == UInt8 {
        let result: Result<JSON, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer, options: options)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        if let result {
            self = try result.get()
        } else {
            let array = Array(bytes)
            self = try array.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                var parser = JSONParser(buffer, options: options)
                return try parser.parseDocument()
            }
        }
    }

    /// Parses one JSON text from a string.
    public init(parsing text: String, options: ParseOptions = .init()) throws(JSONParseError) {
        var text = text
        let result = text.withUTF8 { buffer in
            var parser = JSONParser(buffer, options: options)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        self = try result.get()
    }
}

/// A single-pass recursive-descent parser over a UTF-8 buffer.
///
/// Members of the objects and arrays being parsed collect on two scratch stacks shared by all
/// nesting levels, and are moved into exactly sized arrays when the container closes, so building
/// a container costs one allocation per array instead of a series of regrowths.
@usableFromInline
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    let options: JSON.ParseOptions
    /// Values of the open arrays and objects (innermost last).
    var values = ScratchStack<JSON>()
    /// Keys of the open objects, parallel to their values on `values`.
    var keys = ScratchStack<String>()
    /// Where each key on `keys` sits in the input, for byte comparison; length -1 when the key was
    /// escaped or not ASCII, and must be compared as a `String`.
    var keySpans = ScratchStack<(start: Int, length: Int)>()
    /// Set by `parseString`: the start and length of the last string's raw bytes, or length -1
    /// when it had escapes or non-ASCII bytes.
    var lastStringSpan = (start: 0, length: -1)

    /// Objects with more members than this switch from pairwise duplicate checks to `JSONObject`'s index.
    static var smallObjectLimit: Int { 16 }

    init(_ bytes: UnsafeBufferPointer<UInt8>, options: JSON.ParseOptions) {
        self.bytes = bytes
        self.options = options
    }

    /// Releases the scratch stacks (and whatever an error left on them).
    mutating func releaseScratch() {
        values.release()
        keys.release()
        keySpans.release()
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        defer { releaseScratch() }
        skipBOM()
        skipWhitespace()
        guard i < bytes.count else { throw error("unexpected end of input, expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        if i < bytes.count && !options.allowTrailingContent {
            throw error("unexpected content after the JSON value")
        }
        return value
    }

    /// Where parsing stopped (for readers of concatenated values).
    var position: Int { i }

    mutating func skipBOM() {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let at = min(offset ?? i, bytes.count)
        var line = 1
        var col = 1
        var k = 0
        while k < at {
            if bytes[k] == 0x0A {
                line += 1
                col = 1
            } else {
                col += 1
            }
            k += 1
        }
        return JSONParseError(message: message, offset: at, line: line, column: col)
    }

    mutating func parseValue() throws(JSONParseError) -> JSON {
        guard i < bytes.count else { throw error("unexpected end of input, expected a JSON value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error("unexpected character '\(printable(bytes[i]))', expected a JSON value")
        }
    }

    func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw error("unexpected end of input in literal") }
        let p = literal.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] {
            throw error("invalid literal, expected '\(literal)'")
        }
        i += n
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > options.maxDepth { throw error("nesting deeper than \(options.maxDepth) levels") }
    }

    mutating func parseObject() throws(JSONParseError) -> JSON {
        try enter()
        i += 1
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject())
        }
        let base = keys.count
        let valueBase = values.count
        // Past `smallObjectLimit` members the object is built directly, with its hash index.
        var large: JSONObject? = nil
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input in object") }
            guard bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key in object") }
            let key = try parseString()
            let span = lastStringSpan
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            i += 1
            skipWhitespace()
            let value = try parseValue()
            if large != nil {
                if large!.position(of: key) != nil {
                    large![key] = value  // duplicate key: last one wins, as in JavaScript
                } else {
                    large!.append(key: key, value: value)
                }
            } else if let at = duplicatePosition(of: key, span: span, from: base) {
                values[valueBase + at - base] = value  // duplicate key: first position, last value, as in JavaScript
            } else if keys.count - base < Self.smallObjectLimit {
                keys.push(key)
                keySpans.push(span)
                values.push(value)
            } else {
                var object = JSONObject(uniqueKeys: keys.popArray(from: base), values: values.popArray(from: valueBase))
                keySpans.pop(to: base)
                object.append(key: key, value: value)
                large = object
            }
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input in object") }
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { break }
            throw error("expected ',' or '}' in object", at: i - 1)
        }
        depth -= 1
        if let large { return .object(large) }
        keySpans.pop(to: base)
        return .object(JSONObject(uniqueKeys: keys.popArray(from: base), values: values.popArray(from: valueBase)))
    }

    /// The stack position of an earlier member of the current object named `key`, if any.
    func duplicatePosition(of key: String, span: (start: Int, length: Int), from base: Int) -> Int? {
        var k = base
        let end = keys.count
        while k < end {
            let other = keySpans[k]
            if span.length >= 0 && other.length >= 0 {
                // Both plain ASCII: equal exactly when the bytes are.
                if span.length == other.length && sameBytes(span.start, other.start, span.length) { return k }
            } else if keys[k] == key {
                return k
            }
            k += 1
        }
        return nil
    }

    @inline(__always)
    func sameBytes(_ a: Int, _ b: Int, _ length: Int) -> Bool {
        var k = 0
        while k < length {
            if bytes[a + k] != bytes[b + k] { return false }
            k += 1
        }
        return true
    }

    mutating func parseArray() throws(JSONParseError) -> JSON {
        try enter()
        i += 1
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array([])
        }
        let base = values.count
        while true {
            skipWhitespace()
            values.push(try parseValue())
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input in array") }
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { break }
            throw error("expected ',' or ']' in array", at: i - 1)
        }
        depth -= 1
        return .array(values.popArray(from: base))
    }

    mutating func parseString() throws(JSONParseError) -> String {
        i += 1  // opening quote
        let start = i
        lastStringSpan = (start, -1)
        // Fast path: no escapes. Eight bytes at a time while none is a quote, a backslash or a
        // control character, then byte by byte.
        let end = bytes.count
        let base = UnsafeRawPointer(bytes.baseAddress!)
        var k = start
        var high: UInt64 = 0
        while k + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if JSONParser.hasQuoteBackslashOrControl(word) { break }
            high |= word
            k += 8
        }
        while k < end {
            let c = bytes[k]
            if c == UInt8(ascii: "\"") {
                let s = JSONParser.makeString(UnsafeBufferPointer(rebasing: bytes[start..<k]))
                if high & 0x8080_8080_8080_8080 == 0 { lastStringSpan = (start, k - start) }
                i = k + 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 {
                i = k
                throw error("unescaped control character in string")
            }
            high |= UInt64(c)
            k += 1
        }
        i = k
        guard i < bytes.count else { throw error("unterminated string", at: start - 1) }
        // Slow path: copy what we have, then decode escapes.
        var out = [UInt8]()
        out.reserveCapacity(i - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw error("unescaped control character in string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate: combine with a following low surrogate when there is one.
                    if i + 6 <= bytes.count && bytes[i] == UInt8(ascii: "\\") && bytes[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try parseHex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD  // lone low surrogate
                }
                appendUTF8(scalar, to: &out)
            default:
                throw error("invalid escape '\\\(printable(e))' in string", at: i - 2)
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    /// A string from UTF-8 bytes (invalid sequences repaired). Short ones are built in place as
    /// small strings, which skips the general validation call for ASCII text.
    @inline(__always)
    static func makeString(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        let count = utf8.count
        if count == 0 { return "" }
        if count <= 15 {
            return String(unsafeUninitializedCapacity: count) { buffer in
                buffer.baseAddress!.initialize(from: utf8.baseAddress!, count: count)
                return count
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Whether any byte of `word` is `"`, `\\` or below 0x20 (exact, by the classic SWAR tests).
    @inline(__always)
    static func hasQuoteBackslashOrControl(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let below0x20 = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | below0x20) & highs != 0
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw error("invalid number", at: start) }
        var mantissa: UInt64 = 0
        var digits = 0
        if bytes[i] == 0x30 {
            i += 1
            if i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { throw error("leading zero in number", at: start) }
        } else {
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] - 0x30) }
                digits += 1
                i += 1
            }
        }
        var isSimple = true
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isSimple = false
            i += 1
            guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw error("expected digits after '.'", at: i) }
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isSimple = false
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw error("expected digits in exponent", at: i) }
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        }
        if isSimple && digits <= 15 {
            let v = Double(mantissa)
            return negative ? -v : v
        }
        if isSimple && options.exactIntegersOnly && (digits > 19 || mantissa > 1 << 53) {
            throw error(JSONParseError.inexactInteger, at: start)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let v = Double(text) else { throw error("invalid number", at: start) }
        // Beyond a double's range (1e400): refused rather than read as infinity, which JSON cannot write back.
        guard v.isFinite else { throw error("number out of range", at: start) }
        return v
    }
}

extension JSON {
    /// Parses JSON Lines / NDJSON: one value per non-blank line.
    ///
    /// - Returns: the values in order; the error names the line that failed.
    public static func parseLines<Bytes: Collection>(_ bytes: Bytes, options: ParseOptions = .init()) throws(JSONParseError) -> [JSON]
    where Bytes.Element == UInt8 {
        var result: [JSON] = []
        var lineNumber = 0
        var start = bytes.startIndex
        while start != bytes.endIndex {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let line = bytes[start..<end]
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                do {
                    result.append(try JSON(parsing: line, options: options))
                } catch {
                    var e = error
                    e.line = lineNumber
                    e.message = "line \(lineNumber): \(e.message)"
                    throw e
                }
            }
            start = end == bytes.endIndex ? end : bytes.index(after: end)
        }
        return result
    }
}

/// A growable stack of values in manually managed memory, whose tops are moved (not copied) into
/// new arrays; the parser's scratch space for members of unfinished containers.
struct ScratchStack<Element> {
    private var base: UnsafeMutablePointer<Element>? = nil
    private var capacity = 0
    private(set) var count = 0

    @inline(__always)
    mutating func push(_ element: Element) {
        if count == capacity { grow() }
        (base! + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    subscript(position: Int) -> Element {
        get { base![position] }
        nonmutating set { base![position] = newValue }
    }

    mutating func grow() {
        let newCapacity = Swift.max(32, capacity * 2)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let base {
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }

    /// Moves the elements from `start` to the top into a new, exactly sized array, leaving `start` elements.
    mutating func popArray(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0, let base else { return [] }
        // `reserveCapacity` and `append` stay specialized; `init(unsafeUninitializedCapacity:)` would
        // look the array storage type up at run time on every call.
        var array = [Element]()
        array.reserveCapacity(n)
        for k in start..<count { array.append((base + k).move()) }
        count = start
        return array
    }

    /// Drops the elements above `start`.
    mutating func pop(to start: Int) {
        guard count > start, let base else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    /// Drops every element and frees the memory.
    mutating func release() {
        guard let base else { return }
        base.deinitialize(count: count)
        base.deallocate()
        self.base = nil
        capacity = 0
        count = 0
    }
}
