import JSONValue
import Logging
import SwitchboardCore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardAdapters

/// The SOAP adapter against a real spyne server (Tests/peers/soap_server.py), SOAP 1.1 at /soap11 and 1.2 at /soap12.
@Suite("SOAP adapter against spyne")
struct SOAPAdapterTests {
    /// One spyne server for the whole run (it exits with the test process).
    static let peer = Task { try await PeerProcess.start(script: "soap_server.py") }
    static let transport = HTTPTransport()

    static let namespace = "urn:switchboard:test"

    static func method(_ name: String, path: String? = "/soap11", _ soap: JSONObject, logBodies: Bool = false) -> JSON {
        var soap = soap
        if soap["namespace"] == nil { soap["namespace"] = .string(namespace) }
        var m: JSONObject = ["name": .string(name), "soap": .object(soap), "logBodies": .bool(logBodies)]
        if let path { m["path"] = .string(path) }
        return .object(m)
    }

    static let definition: JSON = [
        "key": "spyne-test", "name": "spyne test service", "version": "1.0.0", "type": "soap", "baseUrl": "{config.baseUrl}",
        "methods": [
            method("getUser", ["action": "GetUser", "operation": "GetUser"]),
            method("addAtBaseURL", path: nil, ["operation": "Add"]),
            method("getUserLists", ["operation": "GetUser", "arrays": ["GetUserResult.tags.string"]]),
            method("add", ["action": "Add", "operation": "Add"]),
            method("addTemplated", ["operation": "Add", "bodyTemplate": ["a": "{{params.x}}", "b": "{{config.offset}}"]]),
            method("echo", ["operation": "Echo"], logBodies: true),
            method("slow", ["operation": "Slow"]),
            method("fail", ["operation": "Fail"]),
            method("getUser12", path: "/soap12", ["version": "1.2", "action": "urn:GetUser", "operation": "GetUser"]),
            method("add12", path: "/soap12", ["version": "1.2", "operation": "Add"]),
            method("fail12", path: "/soap12", ["version": "1.2", "operation": "Fail"]),
            method("headers11", path: "/headers", ["action": "urn:switchboard:Ping", "operation": "Ping"]),
            method("headers12", path: "/headers", ["version": "1.2", "action": "urn:switchboard:Ping", "operation": "Ping"]),
            method("withHeader", path: "/headers", ["operation": "Ping", "headerTemplate": ["Session": ["token": "{{config.token}}"]]]),
            method("html", path: "/html", ["operation": "Ping"]),
            method("text", path: "/text", ["operation": "Ping"]),
            method("unavailable", path: "/unavailable", ["operation": "Ping"]),
            method("badVersion", ["version": "2.0", "operation": "Ping"]),
        ],
    ]

    func call(_ method: String, _ params: JSON, timeout: Duration = .seconds(20), endpointPath: String = "") async throws -> AdapterResponse {
        let peer = try await Self.peer.value
        let definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(Self.definition)
        let compiled = try CompiledMethod(try #require(definition.method(named: method)), baseURL: definition.baseURL)
        let request = AdapterRequest(
            definition: definition, method: compiled, connectionId: "conn-soap",
            config: ["baseUrl": .string(peer.baseURL + endpointPath), "offset": 100, "token": "t<1>"],
            params: params, credentials: nil, timeout: timeout, logger: Logger(label: "test.soap"))
        return try await SOAPAdapter(transport: Self.transport).execute(request)
    }

    func adapterError(_ method: String, _ params: JSON, timeout: Duration = .seconds(20)) async throws -> AdapterError? {
        do {
            _ = try await call(method, params, timeout: timeout)
            return nil
        } catch let error as AdapterError {
            return error
        }
    }

    @Test("SOAP 1.1: GetUser returns the parsed GetUserResponse content")
    func getUser() async throws {
        let r = try await call("getUser", ["id": 1])
        #expect(r.status == 200)
        #expect(r.protocolError == nil)
        #expect(
            r.body
                == [
                    "GetUserResult": [
                        "id": "1", "name": "Ada Lovelace", "email": "ada@example.com", "tags": ["string": ["admin", "math"]], "active": "true",
                    ]
                ])
        #expect(r.requestBytes > 0 && r.responseBytes > 0)
        #expect(r.requestBodyText == nil && r.responseBodyText == nil)
    }

    @Test("escaped text comes back decoded")
    func escapedResult() async throws {
        let r = try await call("getUser", ["id": 2])
        #expect(r.body["GetUserResult"]?["name"] == "Tom & Jerry <cartoon>")
        #expect(r.body["GetUserResult"]?["tags"] == ["string": "solo"])
    }

    @Test("a method without a path posts to the baseUrl as written (no trailing slash added)")
    func endpointIsBaseURL() async throws {
        #expect(try await call("addAtBaseURL", ["a": 1, "b": 2], endpointPath: "/soap11").body == ["AddResult": "3"])
        #expect(SOAPAdapter.droppingTrailingSlash("http://h:1/a/b/") == "http://h:1/a/b")
        #expect(SOAPAdapter.droppingTrailingSlash("http://h:1/a/?x=1") == "http://h:1/a?x=1")
        #expect(SOAPAdapter.droppingTrailingSlash("http://h:1/") == "http://h:1/")
        #expect(SOAPAdapter.droppingTrailingSlash("http://h:1/?x=/") == "http://h:1/?x=/")
    }

    @Test("soap.arrays makes a list of one an array")
    func arrays() async throws {
        #expect(try await call("getUserLists", ["id": 2]).body["GetUserResult"]?["tags"] == ["string": ["solo"]])
        #expect(try await call("getUserLists", ["id": 1]).body["GetUserResult"]?["tags"] == ["string": ["admin", "math"]])
    }

    @Test("the header template sends SOAP header blocks rendered from config")
    func soapHeader() async throws {
        let sent = try await call("withHeader", ["q": 1]).body["body"]?.stringValue ?? ""
        #expect(
            sent.contains(
                "<soap:Header><tns:Session xmlns:tns=\"urn:switchboard:test\"><tns:token>t&lt;1&gt;</tns:token></tns:Session></soap:Header>"))
    }

    @Test("arithmetic: Add(2, 40) = 42; numbers are sent as numbers and read back as strings")
    func add() async throws {
        #expect(try await call("add", ["a": 2, "b": 40]).body == ["AddResult": "42"])
        #expect(try await call("add", ["a": -7, "b": 1e6]).body == ["AddResult": "999993"])
    }

    @Test("the body template renders params and config into the envelope")
    func bodyTemplate() async throws {
        #expect(try await call("addTemplated", ["x": 5, "ignored": "y"]).body == ["AddResult": "105"])
    }

    @Test("markup, quotes and non-ASCII text survive the round trip through the server; bodies logged when asked")
    func echo() async throws {
        let text = "Tom & Jerry <b>\"quoted\"</b> 'single' ]]> é 😀 日本"
        let r = try await call("echo", ["text": .string(text)])
        #expect(r.body == ["EchoResult": .string(text)])
        #expect(r.requestBodyText?.contains("Tom &amp; Jerry &lt;b&gt;") == true)
        #expect(r.responseBodyText?.contains("EchoResponse") == true)
    }

    @Test("SOAP 1.1 Fault (HTTP 500) becomes SOAP_FAULT with faultcode and detail")
    func fault11() async throws {
        let r = try await call("getUser", ["id": 404])
        #expect(r.status == 500)
        #expect(r.body.isNull)
        #expect(
            r.protocolError
                == ProtocolError(
                    code: "SOAP_FAULT", message: "no user 404", details: [["faultcode": "Client.NotFound", "detail": ["NotFound": ["id": "404"]]]]))
        let server = try await call("fail", ["message": "the database is down"])
        #expect(server.protocolError == ProtocolError(code: "SOAP_FAULT", message: "the database is down", details: [["faultcode": "Server"]]))
    }

    @Test("a request the service's schema refuses is answered with a client Fault")
    func validationFault() async throws {
        let r = try await call("add", ["a": "two", "b": 1])
        #expect(r.protocolError?.code == "SOAP_FAULT")
        #expect(r.protocolError?.details.first?["faultcode"]?.stringValue?.hasPrefix("Client") == true)
    }

    @Test("SOAP 1.2: results and a Receiver Fault")
    func soap12() async throws {
        #expect(try await call("add12", ["a": 20, "b": 22]).body == ["AddResult": "42"])
        #expect(try await call("getUser12", ["id": 1]).body["GetUserResult"]?["email"] == "ada@example.com")
        let fault = try await call("fail12", ["message": "boom"])
        #expect(fault.status == 500)
        #expect(fault.protocolError == ProtocolError(code: "SOAP_FAULT", message: "boom", details: [["faultcode": "Receiver"]]))
    }

    @Test("SOAP 1.1 sends text/xml and a quoted SOAPAction; SOAP 1.2 puts the action in the Content-Type")
    func headers() async throws {
        let v11 = try await call("headers11", ["q": "1"]).body
        #expect(v11["method"] == "POST")
        #expect(v11["contentType"] == "text/xml; charset=utf-8")
        #expect(v11["soapAction"] == "\"urn:switchboard:Ping\"")
        #expect(v11["accept"] == "text/xml, application/soap+xml")
        #expect(
            v11["body"]
                == .string(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
                        + "<tns:Ping xmlns:tns=\"urn:switchboard:test\"><tns:q>1</tns:q></tns:Ping></soap:Body></soap:Envelope>"))
        let v12 = try await call("headers12", [:]).body
        #expect(v12["contentType"] == "application/soap+xml; charset=utf-8; action=\"urn:switchboard:Ping\"")
        #expect(v12["soapAction"] == "")
        #expect(v12["body"]?.stringValue?.contains("http://www.w3.org/2003/05/soap-envelope") == true)
    }

    @Test("a tiny timeout on a slow operation is AdapterError.timeout")
    func timeout() async throws {
        let error = try await adapterError("slow", ["seconds": 5], timeout: .milliseconds(300))
        #expect(error?.kind == .timeout)
    }

    @Test("a 2xx answer that is not a SOAP envelope is AdapterError.other with a clear message")
    func notSOAP() async throws {
        let html = try await adapterError("html", [:])
        #expect(html?.kind == .other)
        #expect(html?.message.contains("not a SOAP envelope (its root element is <html>)") == true)
        let text = try await adapterError("text", [:])
        #expect(text?.kind == .other)
        #expect(text?.message.contains("not well-formed XML") == true)
        #expect(text?.message.contains("text/plain") == true)
    }

    @Test("an error status without an envelope is returned as it is, for the engine to map the status")
    func errorStatusWithoutEnvelope() async throws {
        let r = try await call("unavailable", [:])
        #expect(r.status == 503)
        #expect(r.protocolError == nil)
        #expect(r.body == "try later")
    }

    @Test("misconfigured methods and unusable parameters are refused before sending")
    func refusals() async throws {
        #expect(try await adapterError("badVersion", [:])?.kind == .configuration)
        #expect(try await adapterError("add", ["not an element": 1])?.kind == .invalidRequest)
        #expect(try await adapterError("add", [1, 2])?.kind == .invalidRequest)
    }
}

/// The `soap` settings of a method, as a definition author writes them (YAML numbers included).
@Suite("SOAP method settings")
struct SOAPSettingsTests {
    func settings(_ soap: JSON) throws(AdapterError) -> SOAPSettings {
        var method = DefinitionMethod(name: "GetUser", verb: .POST, path: "/ws")
        method.options["soap"] = soap
        return try SOAPSettings(method)
    }

    func error(_ soap: JSON) -> AdapterError? {
        do {
            _ = try settings(soap)
            return nil
        } catch {
            return error
        }
    }

    @Test("defaults: SOAP 1.1, the method's name as the operation, prefix tns, qualified children")
    func defaults() throws {
        let s = try settings([:])
        #expect(s.envelope.version == .soap11)
        #expect(s.envelope.operation == "GetUser")
        #expect(s.envelope.namespace == nil)
        #expect(s.envelope.namespacePrefix == "tns")
        #expect(s.envelope.qualified)
        #expect(s.action == nil && s.bodyTemplate == nil && s.headerTemplate == nil && s.arrayPaths.isEmpty)
        #expect(try SOAPSettings(DefinitionMethod(name: "Ping")).envelope.operation == "Ping")
    }

    @Test("version as a string or a YAML number")
    func versions() throws {
        #expect(try settings(["version": "1.2"]).envelope.version == .soap12)
        #expect(try settings(["version": 1.2]).envelope.version == .soap12)
        #expect(try settings(["version": 1.1]).envelope.version == .soap11)
    }

    @Test("unknown settings and unusable values are configuration errors that name the setting")
    func refusals() {
        let cases: [(JSON, String)] = [
            ("1.1", "soap must be an object"),
            (["version": "2.0"], "soap.version"),
            (["operation": "Get User"], "soap.operation"),
            (["namespacePrefix": "xmlns"], "soap.namespacePrefix"),
            (["namespace": ""], "soap.namespace"),
            (["elementForm": "loose"], "soap.elementForm"),
            (["action": "urn:\"x\""], "soap.action"),
            (["action": "urn:x\r\nX-Injected: 1"], "soap.action"),
            (["bodyTemplate": ["a": "{{nope}}"]], "soap.bodyTemplate"),
            (["headerTemplate": "token"], "soap.headerTemplate"),
            (["arrays": "a.b"], "soap.arrays"),
            (["arrays": ["a", 1]], "soap.arrays"),
            (["soapAction": "x"], "soap.soapAction is not a SOAP setting"),
        ]
        for (soap, expected) in cases {
            let e = error(soap)
            #expect(e?.kind == .configuration, "\(soap)")
            #expect(e?.message.contains(expected) == true, "\(e?.message ?? "no error") should mention \(expected)")
        }
    }
}
