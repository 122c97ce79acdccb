import JSONValue

/// What a SOAP response envelope says: the content of the Body's first element (the `...Response`), or a Fault.
public enum SOAPResponse: Sendable, Equatable {
    /// The Body's first element: its local name and its content as JSON (see `XMLToJSON`).
    case result(operation: String, value: JSON)
    /// The Body holds no element (a one-way operation's acknowledgement).
    case empty
    case fault(SOAPFault)

    /// Reads an envelope of either SOAP version.
    public static func read(_ bytes: [UInt8], options: XMLReader.Options = .init()) throws(SOAPResponseError) -> SOAPResponse {
        let root: XMLReader.Element
        do { root = try XMLReader.parse(bytes, options: options) } catch { throw .notXML(error) }
        guard root.localName == "Envelope", let body = root.children.first(where: { $0.localName == "Body" && $0.namespace == root.namespace })
        else { throw .notEnvelope(root: root.localName) }
        guard let first = body.children.first else { return .empty }
        if first.localName == "Fault" && first.namespace == root.namespace {
            return .fault(SOAPFault(first, envelopeNamespace: root.namespace))
        }
        return .result(operation: first.localName, value: XMLToJSON.value(of: first))
    }
}

/// Why a response is not a SOAP envelope.
public enum SOAPResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    case notXML(XMLReadError)
    case notEnvelope(root: String)

    public var description: String {
        switch self {
        case .notXML(let e): "the response is not well-formed XML: \(e)"
        case .notEnvelope(let root): "the response is XML but not a SOAP envelope (its root element is <\(root)>)"
        }
    }
}

/// A SOAP Fault of either version, read into one shape.
///
/// Fault codes are qualified names; their prefix is dropped (`soap:Client.NotFound` reads `Client.NotFound`,
/// SOAP 1.2's `env:Receiver` reads `Receiver`), since a prefix means nothing outside its document.
public struct SOAPFault: Sendable, Equatable {
    /// SOAP 1.1 `faultcode`, SOAP 1.2 `Code/Value`.
    public var code: String
    /// SOAP 1.2 `Code/Subcode/Value`, outermost first.
    public var subcodes: [String]
    /// SOAP 1.1 `faultstring`, SOAP 1.2 `Reason/Text` (the English one when there are several).
    public var message: String
    /// SOAP 1.1 `faultactor`, SOAP 1.2 `Role`.
    public var actor: String?
    /// SOAP 1.2 `Node`.
    public var node: String?
    /// SOAP 1.1 `detail`, SOAP 1.2 `Detail`, as JSON.
    public var detail: JSON?

    public init(code: String, subcodes: [String] = [], message: String, actor: String? = nil, node: String? = nil, detail: JSON? = nil) {
        self.code = code
        self.subcodes = subcodes
        self.message = message
        self.actor = actor
        self.node = node
        self.detail = detail
    }

    init(_ fault: XMLReader.Element, envelopeNamespace: String?) {
        func text(_ e: XMLReader.Element?) -> String? {
            guard let t = e?.text.trimmingXMLSpace(), !t.isEmpty else { return nil }
            return t
        }
        func unqualified(_ qname: String) -> String { qname.split(separator: ":", maxSplits: 1).last.map(String.init) ?? qname }
        func detailJSON(_ e: XMLReader.Element?) -> JSON? {
            guard let e, !e.children.isEmpty || !e.attributes.isEmpty || text(e) != nil else { return nil }
            return XMLToJSON.value(of: e)
        }
        if let code12 = fault.child("Code") {
            // SOAP 1.2.
            code = unqualified(text(code12.child("Value")) ?? "")
            var subcodes: [String] = []
            var sub = code12.child("Subcode")
            while let s = sub, subcodes.count < 16 {
                if let v = text(s.child("Value")) { subcodes.append(unqualified(v)) }
                sub = s.child("Subcode")
            }
            self.subcodes = subcodes
            let texts = fault.child("Reason")?.children.filter { $0.localName == "Text" } ?? []
            let english = texts.first { ($0.attribute("lang", namespace: "http://www.w3.org/XML/1998/namespace") ?? "").lowercased().hasPrefix("en") }
            message = text(english ?? texts.first) ?? "SOAP fault \(code)"
            actor = text(fault.child("Role"))
            node = text(fault.child("Node"))
            detail = detailJSON(fault.child("Detail"))
        } else {
            // SOAP 1.1 (the children are unqualified).
            code = unqualified(text(fault.child("faultcode")) ?? "")
            subcodes = []
            message = text(fault.child("faultstring")) ?? "SOAP fault \(code)"
            actor = text(fault.child("faultactor"))
            node = nil
            detail = detailJSON(fault.child("detail"))
        }
    }

    /// The fault as the engine reports it: code `SOAP_FAULT`, the faultstring as the message, and
    /// `[{"faultcode", "subcodes"?, "faultactor"?, "node"?, "detail"?}]` as details.
    public var protocolError: ProtocolError {
        var d: JSONObject = ["faultcode": .string(code)]
        if !subcodes.isEmpty { d["subcodes"] = .array(subcodes.map { .string($0) }) }
        if let actor { d["faultactor"] = .string(actor) }
        if let node { d["node"] = .string(node) }
        if let detail { d["detail"] = detail }
        return ProtocolError(code: "SOAP_FAULT", message: message, details: [.object(d)])
    }
}
