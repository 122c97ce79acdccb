import JSONValue
import Testing

@testable import SwitchboardAdapters

@Suite("XML reader and XML to JSON")
struct SOAPXMLTests {
    func json(_ xml: String, options: XMLReader.Options = .init()) throws -> JSON {
        try XMLToJSON.convert(Array(xml.utf8), options: options)
    }

    func readError(_ xml: String, options: XMLReader.Options = .init()) -> XMLReadError? {
        do {
            _ = try XMLReader.parse(Array(xml.utf8), options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test("text-only elements are strings (numbers and booleans stay strings), children objects, repeats arrays")
    func shapes() throws {
        let j = try json("<u><id>7</id><active>true</active><tag>a</tag><name>Ada</name><tag>b</tag><empty/><blank></blank></u>")
        #expect(j == ["u": ["id": "7", "active": "true", "tag": ["a", "b"], "name": "Ada", "empty": "", "blank": ""]])
    }

    @Test("namespace prefixes are dropped from names, and namespaces resolved")
    func namespaces() throws {
        let xml = "<a:root xmlns:a='urn:a' xmlns='urn:default'><a:x>1</a:x><y>2</y><b:z xmlns:b='urn:b'>3</b:z></a:root>"
        #expect(try json(xml) == ["root": ["x": "1", "y": "2", "z": "3"]])
        let root = try XMLReader.parse(Array(xml.utf8))
        #expect(root.namespace == "urn:a")
        #expect(root.children.map(\.namespace) == ["urn:a", "urn:default", "urn:b"])
        #expect(root.attributes.isEmpty)
        let undeclared = try XMLReader.parse(Array("<q:r/>".utf8))
        #expect(undeclared.localName == "r" && undeclared.namespace == nil)
    }

    @Test("attributes become @name; text beside attributes or children becomes #text")
    func attributes() throws {
        #expect(try json("<p currency=\"EUR\" q:x='1' xmlns:q='urn:q'>9.50</p>") == ["p": ["@currency": "EUR", "@x": "1", "#text": "9.50"]])
        #expect(try json("<p a='1'/>") == ["p": ["@a": "1"]])
        #expect(try json("<p>\n  lead <b>bold</b> tail\n</p>") == ["p": ["b": "bold", "#text": "lead  tail"]])
        #expect(try json("<p>\n  <b>x</b>\n</p>") == ["p": ["b": "x"]])
    }

    @Test("xsi:nil makes null; other xsi attributes are left out")
    func xsi() throws {
        let xml = """
            <r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\
            <a xsi:nil="true"/><b xsi:nil="1"></b><c xsi:type="xsd:int">5</c><d xsi:nil="false">x</d></r>
            """
        #expect(try json(xml) == ["r": ["a": nil, "b": nil, "c": "5", "d": "x"]])
    }

    @Test("the predefined entities and character references are decoded, in text and attributes")
    func entities() throws {
        let j = try json("<r a='&lt;&quot;&apos;&#65;'>&lt;&gt;&amp;&quot;&apos; &#233;&#xE9;&#x1F600; &amp;lt;</r>")
        #expect(j == ["r": ["@a": "<\"'A", "#text": "<>&\"' éé😀 &lt;"]])
    }

    @Test("CDATA is text, unescaped; comments and processing instructions are skipped")
    func cdataAndComments() throws {
        let xml = "<?xml version=\"1.0\"?><!-- c --><r><?pi x?><a><![CDATA[<b>&amp;</b> ]]]]><![CDATA[>]]></a><!-- <b>no</b> --></r><!-- end -->"
        #expect(try json(xml) == ["r": ["a": "<b>&amp;</b> ]]>"]])
    }

    @Test("line ends read as LF; attribute white space is normalized to spaces")
    func lineEnds() throws {
        #expect(try json("<r a='x\r\ny\tz'>1\r\n2\r3</r>") == ["r": ["@a": "x y z", "#text": "1\n2\n3"]])
    }

    @Test("a DTD is refused: billion laughs and external entities never expand")
    func dtdRefused() {
        let billionLaughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <lolz>&lol9;</lolz>
            """
        #expect(readError(billionLaughs)?.message.contains("DTD") == true)
        let xxe = "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>"
        #expect(readError(xxe)?.message.contains("DTD") == true)
        #expect(readError("<!DOCTYPE foo SYSTEM \"http://127.0.0.1:1/evil.dtd\"><foo/>")?.message.contains("DTD") == true)
        #expect(readError("<foo><!DOCTYPE x></foo>")?.message.contains("DTD") == true)
        // Without a DTD, an entity reference other than the predefined five is undefined.
        #expect(readError("<foo>&xxe;</foo>")?.message.contains("undefined entity &xxe;") == true)
        #expect(readError("<foo a='&xxe;'/>")?.message.contains("undefined entity") == true)
    }

    @Test("nesting is bounded: a deep document is an error, not a stack overflow")
    func depth() throws {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect(readError(deep)?.message.contains("deeper than 128") == true)
        let options = XMLReader.Options(maxDepth: 3)
        #expect(try json("<a><b><c>x</c></b></a>", options: options) == ["a": ["b": ["c": "x"]]])
        #expect(readError("<a><b><c><d/></c></b></a>", options: options) != nil)
        #expect(
            readError(String(repeating: "<a/>", count: 20).wrapped, options: XMLReader.Options(maxElements: 10))?.message.contains("more than 10")
                == true)
    }

    @Test("malformed documents are errors")
    func malformed() {
        let bad = [
            "", "   ", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "x<a/>", "<a/>x", "<a b=1/>", "<a b='1' b='2'/>",
            "<a b='1'c='2'/>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>&#xZZ;</a>", "<a>& b</a>", "<a b='<'/>",
            "<1a/>", "<a><!-- unterminated </a>", "<a><![CDATA[ x </a>", "<a b='x/>",
        ]
        for xml in bad {
            #expect(readError(xml) != nil, "\(xml.debugDescription) should be refused")
        }
    }

    @Test("UTF-8 with a BOM, UTF-16 with a BOM and declared ISO-8859-1 are read; other encodings refused")
    func encodings() throws {
        #expect(try XMLToJSON.convert([0xEF, 0xBB, 0xBF] + Array("<r>é</r>".utf8)) == ["r": "é"])
        let utf16 = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>é😀</r>"
        let le: [UInt8] = [0xFF, 0xFE] + utf16.utf16.flatMap { (u: UInt16) -> [UInt8] in [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + utf16.utf16.flatMap { (u: UInt16) -> [UInt8] in [UInt8(u >> 8), UInt8(u & 0xFF)] }
        #expect(try XMLToJSON.convert(le) == ["r": "é😀"])
        #expect(try XMLToJSON.convert(be) == ["r": "é😀"])
        let latin1 = Array("<?xml version='1.0' encoding='ISO-8859-1'?><r>caf".utf8) + [0xE9] + Array("</r>".utf8)
        #expect(try XMLToJSON.convert(latin1) == ["r": "café"])
        #expect(readError("<?xml version='1.0' encoding='EBCDIC-CP-US'?><r/>")?.message.contains("not supported") == true)
    }

    @Test("named paths become arrays even with one item; arrays on the way apply to each item; absent stays absent")
    func forcingArrays() {
        let one: JSON = ["r": ["tags": ["string": "solo"], "items": [["id": "1", "tag": "a"], ["id": "2", "tag": ["b", "c"]]]]]
        #expect(
            XMLToJSON.forcingArrays(one, at: ["r.tags.string", "r.items.tag", "r.missing.x", "r.tags.string.deeper"])
                == ["r": ["tags": ["string": ["solo"]], "items": [["id": "1", "tag": ["a"]], ["id": "2", "tag": ["b", "c"]]]]])
        #expect(XMLToJSON.forcingArrays(["a": nil], at: ["a"]) == ["a": [nil]])
        #expect(XMLToJSON.forcingArrays(["a": ["x", "y"]], at: ["a"]) == ["a": ["x", "y"]])
    }

    // MARK: - SOAP envelopes

    @Test("a SOAP 1.1 result: the Body's first element, its content as JSON")
    func soapResult() throws {
        let xml = """
            <?xml version='1.0' encoding='UTF-8'?>
            <soap11env:Envelope xmlns:soap11env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:t">
            <soap11env:Header><tns:Session>abc</tns:Session></soap11env:Header>
            <soap11env:Body><tns:GetUserResponse><tns:GetUserResult><tns:id>1</tns:id><tns:tags><tns:string>admin</tns:string>\
            <tns:string>math</tns:string></tns:tags></tns:GetUserResult></tns:GetUserResponse></soap11env:Body></soap11env:Envelope>
            """
        let r = try SOAPResponse.read(Array(xml.utf8))
        #expect(r == .result(operation: "GetUserResponse", value: ["GetUserResult": ["id": "1", "tags": ["string": ["admin", "math"]]]]))
        #expect(try SOAPResponse.read(Array("<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'><e:Body/></e:Envelope>".utf8)) == .empty)
    }

    @Test("a SOAP 1.1 Fault: faultcode without its prefix, faultstring, faultactor and detail")
    func soap11Fault() throws {
        let xml = """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:t"><s:Body><s:Fault>\
            <faultcode>s:Client.NotFound</faultcode><faultstring>no user 404</faultstring><faultactor></faultactor>\
            <detail><tns:NotFound><tns:id>404</tns:id></tns:NotFound></detail></s:Fault></s:Body></s:Envelope>
            """
        guard case .fault(let fault) = try SOAPResponse.read(Array(xml.utf8)) else {
            Issue.record("not a fault")
            return
        }
        #expect(fault == SOAPFault(code: "Client.NotFound", message: "no user 404", detail: ["NotFound": ["id": "404"]]))
        #expect(
            fault.protocolError
                == ProtocolError(
                    code: "SOAP_FAULT", message: "no user 404", details: [["faultcode": "Client.NotFound", "detail": ["NotFound": ["id": "404"]]]]))
    }

    @Test("a SOAP 1.2 Fault: Code/Value, Subcodes, the English Reason/Text, Role, Node and Detail")
    func soap12Fault() throws {
        let xml = """
            <env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:m="urn:m"><env:Body><env:Fault>\
            <env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>m:MessageTimeout</env:Value></env:Subcode></env:Code>\
            <env:Reason><env:Text xml:lang="fr">Délai dépassé</env:Text><env:Text xml:lang="en-US">Sender Timeout</env:Text></env:Reason>\
            <env:Node>http://n</env:Node><env:Role>http://r</env:Role><env:Detail><m:MaxTime>P5M</m:MaxTime></env:Detail>\
            </env:Fault></env:Body></env:Envelope>
            """
        guard case .fault(let fault) = try SOAPResponse.read(Array(xml.utf8)) else {
            Issue.record("not a fault")
            return
        }
        #expect(
            fault
                == SOAPFault(
                    code: "Sender", subcodes: ["MessageTimeout"], message: "Sender Timeout", actor: "http://r", node: "http://n",
                    detail: ["MaxTime": "P5M"]))
        #expect(
            fault.protocolError.details == [
                ["faultcode": "Sender", "subcodes": ["MessageTimeout"], "faultactor": "http://r", "node": "http://n", "detail": ["MaxTime": "P5M"]]
            ])
    }

    @Test("XML that is not an envelope, and non-XML, are told apart; an envelope without namespace is accepted")
    func notEnvelope() throws {
        #expect(throws: SOAPResponseError.notEnvelope(root: "html")) { try SOAPResponse.read(Array("<html><body/></html>".utf8)) }
        #expect(throws: SOAPResponseError.notEnvelope(root: "Envelope")) { try SOAPResponse.read(Array("<Envelope><Header/></Envelope>".utf8)) }
        #expect(throws: SOAPResponseError.self) { try SOAPResponse.read(Array("{\"json\": true}".utf8)) }
        #expect(try SOAPResponse.read(Array("<Envelope><Body><R>1</R></Body></Envelope>".utf8)) == .result(operation: "R", value: "1"))
    }
}

extension String {
    fileprivate var wrapped: String { "<root>" + self + "</root>" }
}
