import JSONValue
import Testing

@testable import SwitchboardAdapters

@Suite("SOAP envelope builder")
struct SOAPEnvelopeTests {
    let getUser = SOAPEnvelope(operation: "GetUser", namespace: "urn:x")

    func text(_ envelope: SOAPEnvelope, _ params: JSON) throws -> String {
        String(decoding: try envelope.build(params), as: UTF8.self)
    }

    /// The part inside `<soap:Body>`.
    func body(_ envelope: SOAPEnvelope, _ params: JSON) throws -> String {
        let t = try text(envelope, params)
        let start = try #require(t.firstRange(of: "<soap:Body>")).upperBound
        let end = try #require(t.firstRange(of: "</soap:Body>")).lowerBound
        return String(t[start..<end])
    }

    @Test("SOAP 1.1 envelope: declaration, envelope namespace, operation in its namespace with qualified children")
    func soap11Envelope() throws {
        #expect(
            try text(getUser, ["id": 7])
                == "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                + "<soap:Body><tns:GetUser xmlns:tns=\"urn:x\"><tns:id>7</tns:id></tns:GetUser></soap:Body></soap:Envelope>")
    }

    @Test("SOAP 1.2 uses the 2003/05 envelope namespace")
    func soap12Envelope() throws {
        let e = SOAPEnvelope(version: .soap12, operation: "Add", namespace: "urn:calc", namespacePrefix: "c")
        let t = try text(e, ["a": 1, "b": 2])
        #expect(t.contains("<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">"))
        #expect(t.contains("<c:Add xmlns:c=\"urn:calc\"><c:a>1</c:a><c:b>2</c:b></c:Add>"))
    }

    @Test("content type and action headers per version")
    func headers() {
        let h11 = SOAPVersion.soap11.httpHeaders(action: "urn:GetUser")
        #expect(h11.map(\.name) == ["Content-Type", "SOAPAction"])
        #expect(h11.map(\.value) == ["text/xml; charset=utf-8", "\"urn:GetUser\""])
        #expect(SOAPVersion.soap11.httpHeaders(action: nil).last?.value == "\"\"")
        #expect(SOAPVersion.soap12.httpHeaders(action: "urn:Add").map(\.value) == ["application/soap+xml; charset=utf-8; action=\"urn:Add\""])
        #expect(SOAPVersion.soap12.httpHeaders(action: nil).map(\.value) == ["application/soap+xml; charset=utf-8"])
    }

    @Test("text is XML-escaped")
    func textEscaping() throws {
        #expect(try body(getUser, ["q": "a<b & \"c\" > 'd' ]]>"]).contains("<tns:q>a&lt;b &amp; \"c\" &gt; 'd' ]]&gt;</tns:q>"))
        #expect(try body(getUser, ["q": "é 😀 日本"]).contains("<tns:q>é 😀 日本</tns:q>"))
        #expect(try body(getUser, ["q": "line\r\nnext"]).contains("<tns:q>line&#13;\nnext</tns:q>"))
    }

    @Test("numbers are written as JavaScript writes them, booleans as true/false")
    func scalars() throws {
        let b = try body(getUser, ["i": 100, "f": 1.5, "big": 1e21, "small": 1.5e-7, "neg": -0.0, "t": true, "n": false])
        #expect(
            b == "<tns:GetUser xmlns:tns=\"urn:x\"><tns:i>100</tns:i><tns:f>1.5</tns:f><tns:big>1e+21</tns:big>"
                + "<tns:small>1.5e-7</tns:small><tns:neg>0</tns:neg><tns:t>true</tns:t><tns:n>false</tns:n></tns:GetUser>")
    }

    @Test("arrays repeat the element; objects nest")
    func arraysAndObjects() throws {
        let b = try body(getUser, ["tags": ["a", "b"], "address": ["city": "Paris", "zip": "75001"], "empty": []])
        #expect(
            b == "<tns:GetUser xmlns:tns=\"urn:x\"><tns:tags>a</tns:tags><tns:tags>b</tns:tags>"
                + "<tns:address><tns:city>Paris</tns:city><tns:zip>75001</tns:zip></tns:address></tns:GetUser>")
        let items = try body(getUser, ["item": [["id": 1], ["id": 2]]])
        #expect(items.contains("<tns:item><tns:id>1</tns:id></tns:item><tns:item><tns:id>2</tns:id></tns:item>"))
    }

    @Test("@ members become attributes (escaped), #text the element's text")
    func attributes() throws {
        let b = try body(getUser, ["@version": 2, "price": ["@currency": "E\"U&R\n", "#text": 9.5]])
        #expect(
            b == "<tns:GetUser xmlns:tns=\"urn:x\" version=\"2\"><tns:price currency=\"E&quot;U&amp;R&#10;\">9.5</tns:price></tns:GetUser>")
    }

    @Test("null becomes xsi:nil; null parameters an empty operation element")
    func nulls() throws {
        #expect(
            try body(getUser, ["middle": nil])
                == "<tns:GetUser xmlns:tns=\"urn:x\"><tns:middle xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/></tns:GetUser>"
        )
        #expect(try body(getUser, nil) == "<tns:GetUser xmlns:tns=\"urn:x\"/>")
    }

    @Test("unqualified children and operations without a namespace")
    func unqualified() throws {
        let e = SOAPEnvelope(operation: "GetUser", namespace: "urn:x", qualified: false)
        #expect(try body(e, ["id": 1]) == "<tns:GetUser xmlns:tns=\"urn:x\"><id>1</id></tns:GetUser>")
        let bare = SOAPEnvelope(operation: "Ping", namespace: nil)
        #expect(try body(bare, ["x": "y"]) == "<Ping><x>y</x></Ping>")
    }

    @Test("names that are not XML names, control characters, arrays at the top and object attributes are refused")
    func refusals() {
        for params: JSON in [["1abc": 1], ["a b": 1], ["a<b": 1], ["": 1], ["x:y": 1]] {
            #expect(throws: SOAPEnvelopeError.self) { try getUser.build(params) }
        }
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build(["s": "bell\u{07}"]) }
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build([1, 2]) }
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build(["@attr": ["nested": 1]]) }
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build(["@xmlns": "urn:evil"]) }
        #expect(throws: SOAPEnvelopeError.self) { try SOAPEnvelope(operation: "Get User", namespace: nil).build([:]) }
        #expect(throws: SOAPEnvelopeError.self) { try SOAPEnvelope(operation: "Op", namespace: "urn:x", namespacePrefix: "soap").build([:]) }
    }

    @Test("header blocks go inside soap:Header, in the operation's namespace")
    func headerBlocks() throws {
        let t = try String(decoding: getUser.build(["id": 1], header: ["Session": ["token": "a&b"], "Trace": "t1"]), as: UTF8.self)
        #expect(
            t.contains(
                "<soap:Header><tns:Session xmlns:tns=\"urn:x\"><tns:token>a&amp;b</tns:token></tns:Session>"
                    + "<tns:Trace xmlns:tns=\"urn:x\">t1</tns:Trace></soap:Header><soap:Body>"))
        #expect(try !text(getUser, ["id": 1]).contains("Header"))
        #expect(try !String(decoding: getUser.build(["id": 1], header: nil), as: UTF8.self).contains("Header"))
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build([:], header: "token") }
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build([:], header: ["not a name": 1]) }
    }

    @Test("deeply nested parameters are refused, not overflowed")
    func deepParameters() {
        var v: JSON = "leaf"
        for _ in 0..<10_000 { v = ["n": v] }
        #expect(throws: SOAPEnvelopeError.self) { try getUser.build(v) }
    }

    @Test("what the builder writes, the reader reads back unchanged")
    func roundTrip() throws {
        let params: JSON = [
            "name": "Tom & Jerry <cartoon> \"quoted\" 'single'", "cr": "a\r\nb\rc", "tab": "\t x \t", "unicode": "é😀",
            "list": ["1", "2"], "nested": ["@kind": "a\tb\"c", "#text": "x"],
        ]
        let bytes = try getUser.build(params)
        guard case .result(let operation, let value) = try SOAPResponse.read(bytes) else {
            Issue.record("not read as a result")
            return
        }
        #expect(operation == "GetUser")
        #expect(value == params)
    }
}
