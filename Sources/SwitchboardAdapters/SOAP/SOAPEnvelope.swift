import JSONValue

/// The SOAP version of a method: it decides the envelope namespace, the Content-Type and where the action goes.
public enum SOAPVersion: String, Sendable, CaseIterable {
    case soap11 = "1.1"
    case soap12 = "1.2"

    public var envelopeNamespace: String {
        switch self {
        case .soap11: "http://schemas.xmlsoap.org/soap/envelope/"
        case .soap12: "http://www.w3.org/2003/05/soap-envelope"
        }
    }

    /// The HTTP headers that carry the content type and the action.
    public func httpHeaders(action: String?) -> [(name: String, value: String)] {
        switch self {
        case .soap11:
            [("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\(action ?? "")\"")]
        case .soap12:
            [("Content-Type", "application/soap+xml; charset=utf-8" + (action.map { "; action=\"\($0)\"" } ?? ""))]
        }
    }
}

/// Builds SOAP envelopes from JSON parameters.
///
/// The operation element is written in the operation's namespace, with the parameters inside it:
/// - an object's members become child elements (in the operation's namespace when `qualified`, the
///   `elementFormDefault="qualified"` style most services use, unqualified otherwise);
/// - an array repeats its element once per item;
/// - strings, numbers (written as JavaScript writes them) and booleans (`true`/`false`) become escaped text;
/// - `null` becomes an empty element with `xsi:nil="true"`;
/// - members named `@name` become attributes of their element, and `#text` its text;
/// - header blocks, when given, are written the same way inside `<soap:Header>`.
///
/// Example: operation `Add` in `urn:calc` with `{"a": 2, "b": [1, 2]}` gives
/// `<tns:Add xmlns:tns="urn:calc"><tns:a>2</tns:a><tns:b>1</tns:b><tns:b>2</tns:b></tns:Add>` inside the Body.
public struct SOAPEnvelope: Sendable {
    public var version: SOAPVersion
    public var operation: String
    public var namespace: String?
    public var namespacePrefix: String
    public var qualified: Bool

    public init(version: SOAPVersion = .soap11, operation: String, namespace: String?, namespacePrefix: String = "tns", qualified: Bool = true) {
        self.version = version
        self.operation = operation
        self.namespace = namespace
        self.namespacePrefix = namespacePrefix
        self.qualified = qualified
    }

    /// The envelope as UTF-8 bytes, with an XML declaration.
    ///
    /// - Parameters:
    ///   - parameters: the operation's content.
    ///   - header: SOAP header blocks, when not nil: each member of this object becomes one block in the
    ///     operation's namespace (written like the parameters), inside `<soap:Header>`.
    public func build(_ parameters: JSON, header: JSON? = nil) throws(SOAPEnvelopeError) -> [UInt8] {
        guard XMLName.isNCName(operation) else { throw SOAPEnvelopeError("the operation '\(operation)' is not a valid XML element name") }
        guard XMLName.isNCName(namespacePrefix), namespacePrefix != "soap", !namespacePrefix.lowercased().hasPrefix("xml") else {
            throw SOAPEnvelopeError("the namespace prefix '\(namespacePrefix)' is not usable (an XML name other than soap and xml...)")
        }
        var w = XMLWriter()
        w.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        w.raw("<soap:Envelope xmlns:soap=\"")
        w.attributeText(version.envelopeNamespace)
        w.raw("\">")
        let operationName = namespace == nil ? operation : namespacePrefix + ":" + operation
        var declarations: [(String, String)] = []
        if let namespace { declarations.append(("xmlns:" + namespacePrefix, namespace)) }
        let childPrefix = namespace != nil && qualified ? namespacePrefix + ":" : ""
        if let header, !header.isNull {
            guard case .object(let blocks) = header else { throw SOAPEnvelopeError("the SOAP header must be an object of header blocks") }
            w.raw("<soap:Header>")
            let blockPrefix = namespace == nil ? "" : namespacePrefix + ":"
            for (name, value) in blocks {
                guard XMLName.isNCName(name) else { throw SOAPEnvelopeError("header block '\(name)' is not a valid XML element name") }
                try write(blockPrefix + name, value, childPrefix: childPrefix, extraAttributes: declarations, into: &w, depth: 0)
            }
            w.raw("</soap:Header>")
        }
        w.raw("<soap:Body>")
        switch parameters {
        case .null:
            w.raw("<" + operationName)
            for (k, v) in declarations { w.attribute(k, v) }
            w.raw("/>")
        case .array:
            throw SOAPEnvelopeError("the parameters of a SOAP operation must be an object, not an array")
        default:
            try write(operationName, parameters, childPrefix: childPrefix, extraAttributes: declarations, into: &w, depth: 0)
        }
        w.raw("</soap:Body></soap:Envelope>")
        return w.bytes
    }

    static let maxDepth = 64

    private func write(
        _ name: String, _ value: JSON, childPrefix: String, extraAttributes: [(String, String)] = [], into w: inout XMLWriter, depth: Int
    ) throws(SOAPEnvelopeError) {
        guard depth < Self.maxDepth else { throw SOAPEnvelopeError("the parameters nest deeper than \(Self.maxDepth) levels") }
        switch value {
        case .array(let items):
            // An array repeats the element; it has no element of its own.
            for item in items { try write(name, item, childPrefix: childPrefix, extraAttributes: extraAttributes, into: &w, depth: depth + 1) }
        case .null:
            w.raw("<\(name)")
            for (k, v) in extraAttributes { w.attribute(k, v) }
            w.attribute("xmlns:xsi", XMLToJSON.xsiNamespace)
            w.raw(" xsi:nil=\"true\"/>")
        case .object(let members):
            w.raw("<\(name)")
            for (k, v) in extraAttributes { w.attribute(k, v) }
            for (key, v) in members where key.hasPrefix("@") {
                let attributeName = String(key.dropFirst())
                guard XMLName.isNCName(attributeName), !attributeName.lowercased().hasPrefix("xml") else {
                    throw SOAPEnvelopeError("'\(key)' does not name a usable XML attribute")
                }
                guard let text = Self.scalarText(v) else { throw SOAPEnvelopeError("attribute '\(key)' must be a string, number or boolean") }
                try Self.checkCharacters(text, field: key)
                w.attribute(attributeName, text)
            }
            w.raw(">")
            for (key, v) in members where !key.hasPrefix("@") {
                if key == "#text" {
                    guard let text = Self.scalarText(v) else { throw SOAPEnvelopeError("'#text' must be a string, number or boolean") }
                    try Self.checkCharacters(text, field: key)
                    w.text(text)
                    continue
                }
                guard XMLName.isNCName(key) else { throw SOAPEnvelopeError("'\(key)' is not a valid XML element name") }
                try write(childPrefix + key, v, childPrefix: childPrefix, into: &w, depth: depth + 1)
            }
            w.raw("</\(name)>")
        default:
            let text = Self.scalarText(value) ?? ""
            try Self.checkCharacters(text, field: name)
            w.raw("<\(name)")
            for (k, v) in extraAttributes { w.attribute(k, v) }
            w.raw(">")
            w.text(text)
            w.raw("</\(name)>")
        }
    }

    static func scalarText(_ v: JSON) -> String? {
        switch v {
        case .string(let s): s
        case .number(let n): JSNumberFormat.format(n)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    /// XML 1.0 cannot carry most control characters, even escaped.
    static func checkCharacters(_ text: String, field: String) throws(SOAPEnvelopeError) {
        for s in text.unicodeScalars where s.value < 0x20 && s != "\t" && s != "\n" && s != "\r" || s.value == 0xFFFE || s.value == 0xFFFF {
            throw SOAPEnvelopeError(
                "'\(field)' contains the control character U+\(String(s.value, radix: 16, uppercase: true)), which XML cannot carry")
        }
    }
}

/// Why an envelope could not be built from the parameters.
public struct SOAPEnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// XML names as SOAP messages use them.
enum XMLName {
    /// A name without a colon: a letter or `_` first, then letters, digits, `_`, `-`, `.` (non-ASCII letters allowed).
    static func isNCName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-" || $0 == "." }
    }
}

/// Appends escaped XML to a byte buffer.
struct XMLWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func attribute(_ name: String, _ value: String) {
        raw(" " + name + "=\"")
        attributeText(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Text content: `&`, `<` and `>` escaped (`>` for `]]>`), CR kept as a reference so it survives reading.
    mutating func text(_ s: String) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): raw("&amp;")
            case UInt8(ascii: "<"): raw("&lt;")
            case UInt8(ascii: ">"): raw("&gt;")
            case 0x0D: raw("&#13;")
            default: bytes.append(b)
            }
        }
    }

    /// Attribute values: also quotes, and white space as references so attribute normalization keeps it.
    mutating func attributeText(_ s: String) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): raw("&amp;")
            case UInt8(ascii: "<"): raw("&lt;")
            case UInt8(ascii: ">"): raw("&gt;")
            case UInt8(ascii: "\""): raw("&quot;")
            case 0x09: raw("&#9;")
            case 0x0A: raw("&#10;")
            case 0x0D: raw("&#13;")
            default: bytes.append(b)
            }
        }
    }
}
