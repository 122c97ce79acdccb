/// A small, non-validating XML 1.0 reader with namespaces, written for SOAP responses: it builds an element tree
/// from bytes and refuses what a SOAP message must not contain.
///
/// - A document type declaration (`<!DOCTYPE ...>`) is refused: SOAP forbids DTDs, and without them no external
///   entity is ever fetched and no entity can expand (no XXE, no "billion laughs").
/// - Only the five predefined entities and character references (`&#233;`, `&#xE9;`) are decoded; any other
///   entity reference is an error.
/// - Nesting is limited (`Options.maxDepth`) and so is the number of elements (`Options.maxElements`); the input
///   size is limited by the caller.
/// - UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark, and documents declaring
///   ISO-8859-1 or US-ASCII are read; other declared encodings are refused.
/// - Namespace prefixes are resolved; an undeclared prefix leaves the namespace unknown rather than failing.
///
/// Example:
/// ```swift
/// let root = try XMLReader.parse(Array("<a xmlns='urn:x'><b>1</b></a>".utf8))
/// root.localName       // "a"
/// root.namespace       // "urn:x"
/// root.children[0].text // "1"
/// ```
public enum XMLReader {
    /// Limits applied while reading.
    public struct Options: Sendable {
        /// Deepest element nesting accepted (the root is depth 1).
        public var maxDepth: Int
        /// Most elements accepted in one document.
        public var maxElements: Int

        public init(maxDepth: Int = 128, maxElements: Int = 1_000_000) {
            self.maxDepth = maxDepth
            self.maxElements = maxElements
        }
    }

    /// One attribute, its prefix resolved.
    public struct Attribute: Sendable, Equatable {
        public var prefix: String?
        public var localName: String
        /// The namespace of a prefixed attribute; unprefixed attributes have none.
        public var namespace: String?
        public var value: String
    }

    /// One element: name, attributes (namespace declarations left out), child elements and its own text.
    public struct Element: Sendable, Equatable {
        public var prefix: String?
        public var localName: String
        public var namespace: String?
        public var attributes: [Attribute]
        public var children: [Element]
        /// The character data directly inside this element (CDATA included, comments left out), references decoded.
        public var text: String

        /// The first child with this local name (any namespace).
        public func child(_ localName: String) -> Element? { children.first { $0.localName == localName } }

        /// The value of the first attribute with this local name and namespace.
        public func attribute(_ localName: String, namespace: String? = nil) -> String? {
            attributes.first { $0.localName == localName && $0.namespace == namespace }?.value
        }
    }

    /// Reads a whole document and returns its root element.
    public static func parse(_ bytes: [UInt8], options: Options = .init()) throws(XMLReadError) -> Element {
        var reader = Reader(bytes: try Transcoding.utf8(bytes), options: options)
        return try reader.document()
    }
}

/// Why a document could not be read; `offset` is a byte offset into the (UTF-8) document.
public struct XMLReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at byte \(offset))" }
}

// MARK: - Encodings

enum Transcoding {
    /// The document as UTF-8 without a byte order mark.
    static func utf8(_ bytes: [UInt8]) throws(XMLReadError) -> [UInt8] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var i = 2
            while i + 1 < bytes.count {
                let a = UInt16(bytes[i])
                let b = UInt16(bytes[i + 1])
                units.append(littleEndian ? a | b << 8 : a << 8 | b)
                i += 2
            }
            var text = String(decoding: units, as: UTF16.self)
            // The declaration still says UTF-16; the reader sees UTF-8 from here on.
            if text.hasPrefix("<?xml"), let end = text.firstRange(of: "?>") {
                text = "<?xml version=\"1.0\"?>" + text[end.upperBound...]
            }
            return Array(text.utf8)
        }
        guard let encoding = declaredEncoding(bytes)?.lowercased() else { return bytes }
        switch encoding {
        case "utf-8", "utf8", "us-ascii", "ascii":
            return bytes
        case "iso-8859-1", "latin1", "latin-1", "iso_8859-1":
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            for b in bytes {
                if b < 0x80 {
                    out.append(b)
                } else {
                    out.append(0xC0 | b >> 6)
                    out.append(0x80 | b & 0x3F)
                }
            }
            return out
        default:
            throw XMLReadError("the document's encoding '\(encoding)' is not supported (UTF-8, UTF-16, ISO-8859-1)", offset: 0)
        }
    }

    /// The `encoding` pseudo-attribute of the XML declaration, if any.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        let end = bytes.prefix(256).firstIndex(of: UInt8(ascii: ">")) ?? min(bytes.count, 256)
        let declaration = String(decoding: bytes[..<end], as: UTF8.self)
        guard let key = declaration.firstRange(of: "encoding") else { return nil }
        var rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        rest = rest.dropFirst()
        return String(rest.prefix { $0 != quote })
    }
}

// MARK: - The reader

private let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

private struct Reader {
    let bytes: [UInt8]
    let options: Options
    var i = 0
    var elementCount = 0

    typealias Options = XMLReader.Options
    typealias Element = XMLReader.Element

    /// An element being read: what has been seen so far, and the namespace bindings it declared.
    struct Open {
        var element: Element
        var qname: ArraySlice<UInt8>
        var text: [UInt8] = []
        var bindings: [(prefix: String, uri: String)]
    }

    init(bytes: [UInt8], options: Options) {
        self.bytes = bytes
        self.options = options
    }

    func fail(_ message: String) -> XMLReadError { XMLReadError(message, offset: i) }

    mutating func document() throws(XMLReadError) -> Element {
        try misc(beforeRoot: true)
        guard i < bytes.count else { throw fail("the document has no root element") }
        var stack: [Open] = []
        var root: Element?
        try startTag(into: &stack, root: &root)
        while !stack.isEmpty {
            guard i < bytes.count else { throw fail("the document ends inside element <\(String(decoding: stack.last!.qname, as: UTF8.self))>") }
            if bytes[i] != UInt8(ascii: "<") {
                try text(into: &stack[stack.count - 1].text)
            } else if has("</") {
                try endTag(stack: &stack, root: &root)
            } else if has("<!--") {
                try comment()
            } else if has("<![CDATA[") {
                try cdata(into: &stack[stack.count - 1].text)
            } else if has("<!") {
                throw fail(has("<!DOCTYPE") || has("<!ENTITY") ? Self.dtdMessage : "markup declarations are not allowed inside elements")
            } else if has("<?") {
                try processingInstruction()
            } else {
                try startTag(into: &stack, root: &root)
            }
        }
        try misc(beforeRoot: false)
        guard i == bytes.count else { throw fail("content after the root element") }
        return root!
    }

    static let dtdMessage = "the document declares a DTD, which SOAP messages must not contain; refused"

    func has(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { return false }
        return true
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    mutating func skipSpaces() { while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 } }

    /// Comments, processing instructions and white space around the root; a DTD is refused.
    mutating func misc(beforeRoot: Bool) throws(XMLReadError) {
        while true {
            skipSpaces()
            if has("<!--") {
                try comment()
            } else if has("<?") {
                try processingInstruction()
            } else if has("<!") {
                throw fail(has("<!DOCTYPE") ? Self.dtdMessage : "unexpected markup declaration")
            } else if i < bytes.count && !(beforeRoot && bytes[i] == UInt8(ascii: "<")) {
                throw fail(beforeRoot ? "text before the root element" : "content after the root element")
            } else {
                return
            }
        }
    }

    mutating func skip(past terminator: StaticString, what: String) throws(XMLReadError) {
        while i < bytes.count {
            if has(terminator) {
                i += terminator.utf8CodeUnitCount
                return
            }
            i += 1
        }
        throw fail("unterminated \(what)")
    }

    mutating func comment() throws(XMLReadError) {
        i += 4
        try skip(past: "-->", what: "comment")
    }

    mutating func processingInstruction() throws(XMLReadError) {
        i += 2
        try skip(past: "?>", what: "processing instruction")
    }

    mutating func cdata(into text: inout [UInt8]) throws(XMLReadError) {
        i += 9
        let start = i
        while i < bytes.count {
            if has("]]>") {
                appendNormalizingNewlines(bytes[start..<i], to: &text)
                i += 3
                return
            }
            i += 1
        }
        throw fail("unterminated CDATA section")
    }

    /// XML's end-of-line handling: CR LF and lone CR read as LF.
    func appendNormalizingNewlines(_ slice: ArraySlice<UInt8>, to text: inout [UInt8]) {
        guard slice.contains(0x0D) else { return text.append(contentsOf: slice) }
        var previousCR = false
        for b in slice {
            if b == 0x0D {
                text.append(0x0A)
                previousCR = true
            } else {
                if !(b == 0x0A && previousCR) { text.append(b) }
                previousCR = false
            }
        }
    }

    /// Character data up to the next `<`, references decoded.
    mutating func text(into text: inout [UInt8]) throws(XMLReadError) {
        var start = i
        while i < bytes.count && bytes[i] != UInt8(ascii: "<") {
            if bytes[i] == UInt8(ascii: "&") {
                appendNormalizingNewlines(bytes[start..<i], to: &text)
                try reference(into: &text)
                start = i
            } else {
                i += 1
            }
        }
        appendNormalizingNewlines(bytes[start..<i], to: &text)
    }

    /// Decodes `&name;` (the five predefined entities only) or a character reference.
    mutating func reference(into out: inout [UInt8]) throws(XMLReadError) {
        let start = i
        i += 1
        guard let semicolon = bytes[i..<min(bytes.count, i + 40)].firstIndex(of: UInt8(ascii: ";")) else {
            throw fail("'&' must start an entity or character reference (write &amp;)")
        }
        let name = bytes[i..<semicolon]
        i = semicolon + 1
        if name.first == UInt8(ascii: "#") {
            var digits = name.dropFirst()
            var radix: UInt32 = 10
            if digits.first == UInt8(ascii: "x") {
                radix = 16
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, digits.count <= 8 else { throw XMLReadError("invalid character reference", offset: start) }
            var value: UInt32 = 0
            for d in digits {
                let v: UInt32
                switch d {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(d - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: v = UInt32(d - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: v = UInt32(d - UInt8(ascii: "A") + 10)
                default: throw XMLReadError("invalid character reference", offset: start)
                }
                value = value * radix + v
            }
            guard let scalar = Unicode.Scalar(value), Self.isXMLChar(value) else {
                throw XMLReadError("character reference &\(String(decoding: name, as: UTF8.self)); is not an XML character", offset: start)
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            return
        }
        switch String(decoding: name, as: UTF8.self) {
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "amp": out.append(UInt8(ascii: "&"))
        case "quot": out.append(UInt8(ascii: "\""))
        case "apos": out.append(UInt8(ascii: "'"))
        case let other:
            throw XMLReadError("undefined entity &\(other); (only the predefined entities are accepted; DTDs are refused)", offset: start)
        }
    }

    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"): true
        default: b >= 0x80
        }
    }

    mutating func name() throws(XMLReadError) -> ArraySlice<UInt8> {
        let start = i
        while i < bytes.count && Self.isNameByte(bytes[i]) { i += 1 }
        guard i > start else { throw fail("a name was expected") }
        let first = bytes[start]
        guard !(first == UInt8(ascii: "-") || first == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)) else {
            throw XMLReadError("'\(String(decoding: bytes[start..<i], as: UTF8.self))' is not a valid XML name", offset: start)
        }
        return bytes[start..<i]
    }

    static func split(_ qname: ArraySlice<UInt8>) -> (prefix: String?, local: String) {
        if let colon = qname.firstIndex(of: UInt8(ascii: ":")) {
            return (String(decoding: qname[..<colon], as: UTF8.self), String(decoding: qname[(colon + 1)...], as: UTF8.self))
        }
        return (nil, String(decoding: qname, as: UTF8.self))
    }

    static func resolve(_ prefix: String?, in stack: [Open], own: [(prefix: String, uri: String)]) -> String? {
        let key = prefix ?? ""
        if key == "xml" { return xmlNamespace }
        if let b = own.last(where: { $0.prefix == key }) { return b.uri.isEmpty ? nil : b.uri }
        for open in stack.reversed() {
            if let b = open.bindings.last(where: { $0.prefix == key }) { return b.uri.isEmpty ? nil : b.uri }
        }
        return nil
    }

    mutating func startTag(into stack: inout [Open], root: inout Element?) throws(XMLReadError) {
        guard stack.count < options.maxDepth else { throw fail("elements nest deeper than \(options.maxDepth) levels") }
        elementCount += 1
        guard elementCount <= options.maxElements else { throw fail("the document has more than \(options.maxElements) elements") }
        i += 1
        let qname = try name()
        var raw: [(qname: ArraySlice<UInt8>, value: String)] = []
        var bindings: [(prefix: String, uri: String)] = []
        var seen: [ArraySlice<UInt8>] = []
        var selfClosing = false
        while true {
            let before = i
            skipSpaces()
            guard i < bytes.count else { throw fail("unterminated start tag") }
            if bytes[i] == UInt8(ascii: ">") {
                i += 1
                break
            }
            if has("/>") {
                i += 2
                selfClosing = true
                break
            }
            guard i > before else { throw fail("white space is required between attributes") }
            let attributeName = try name()
            skipSpaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("'=' expected after attribute name") }
            i += 1
            skipSpaces()
            let value = try attributeValue()
            guard !seen.contains(attributeName) else { throw fail("attribute '\(String(decoding: attributeName, as: UTF8.self))' appears twice") }
            seen.append(attributeName)
            if attributeName.elementsEqual("xmlns".utf8) {
                bindings.append(("", value))
            } else if attributeName.starts(with: "xmlns:".utf8) {
                bindings.append((String(decoding: attributeName.dropFirst(6), as: UTF8.self), value))
            } else {
                raw.append((attributeName, value))
            }
        }
        let (prefix, local) = Self.split(qname)
        var attributes: [XMLReader.Attribute] = []
        attributes.reserveCapacity(raw.count)
        for (name, value) in raw {
            let (p, l) = Self.split(name)
            attributes.append(.init(prefix: p, localName: l, namespace: p == nil ? nil : Self.resolve(p, in: stack, own: bindings), value: value))
        }
        let element = Element(
            prefix: prefix, localName: local, namespace: Self.resolve(prefix, in: stack, own: bindings), attributes: attributes, children: [],
            text: "")
        let open = Open(element: element, qname: qname, bindings: bindings)
        if selfClosing {
            close(open, stack: &stack, root: &root)
        } else {
            stack.append(open)
        }
    }

    mutating func attributeValue() throws(XMLReadError) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { throw fail("attribute values must be quoted") }
        let quote = bytes[i]
        i += 1
        var out: [UInt8] = []
        while i < bytes.count && bytes[i] != quote {
            switch bytes[i] {
            case UInt8(ascii: "&"): try reference(into: &out)
            case UInt8(ascii: "<"): throw fail("'<' is not allowed in attribute values")
            // Attribute-value normalization: white space characters read as spaces (CR LF as one).
            case 0x0D:
                out.append(0x20)
                i += 1
                if i < bytes.count && bytes[i] == 0x0A { i += 1 }
            case 0x09, 0x0A:
                out.append(0x20)
                i += 1
            default:
                out.append(bytes[i])
                i += 1
            }
        }
        guard i < bytes.count else { throw fail("unterminated attribute value") }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }

    mutating func endTag(stack: inout [Open], root: inout Element?) throws(XMLReadError) {
        let start = i
        i += 2
        let qname = try name()
        skipSpaces()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("'>' expected to end the end tag") }
        i += 1
        let open = stack.removeLast()
        guard open.qname == qname else {
            throw XMLReadError(
                "end tag </\(String(decoding: qname, as: UTF8.self))> does not match <\(String(decoding: open.qname, as: UTF8.self))>", offset: start)
        }
        close(open, stack: &stack, root: &root)
    }

    func close(_ open: Open, stack: inout [Open], root: inout Element?) {
        var element = open.element
        element.text = String(decoding: open.text, as: UTF8.self)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].element.children.append(element)
        }
    }
}
