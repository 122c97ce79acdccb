import JSONValue
import SwitchboardCore

/// SOAP 1.1 and 1.2 over HTTP POST.
///
/// The method declares
/// `soap: {version: "1.1"|"1.2", action: "urn:...", operation: "GetUser", namespace: "http://...",
/// namespacePrefix?: "tns", elementForm?: "qualified"|"unqualified", bodyTemplate?: {...}, headerTemplate?: {...},
/// arrays?: ["GetUserResult.tags.string"]}`; the endpoint is the definition's baseUrl plus the method's path, whose
/// headers, query and authentication apply as for REST (without a path, the baseUrl is the endpoint as written).
/// `operation` defaults to the method's name.
///
/// - The envelope is built from the parameters (rendered through `bodyTemplate` when given) by `SOAPEnvelope`;
///   `headerTemplate` (rendered from params and config) gives SOAP header blocks in the operation's namespace.
/// - `arrays` names the result paths that are lists, so a list of one still reads as an array.
/// - SOAP 1.1 sends `Content-Type: text/xml; charset=utf-8` and `SOAPAction: "<action>"`; SOAP 1.2 sends
///   `Content-Type: application/soap+xml; charset=utf-8; action="<action>"`.
/// - The response body is read whatever the HTTP status (SOAP 1.1 carries faults with 500): the content of the
///   Body's first element becomes `body` (see `XMLToJSON`), and a Fault becomes a `SOAP_FAULT` protocol error.
/// - A response that is not a SOAP envelope is an `AdapterError(.other)` when its status is 2xx; with an error
///   status it is returned as it is (`body` as text), so the engine reports the HTTP status (429, 503...).
public struct SOAPAdapter: Adapter {
    let transport: HTTPTransport
    let readOptions: XMLReader.Options

    public init(transport: HTTPTransport, readOptions: XMLReader.Options = .init()) {
        self.transport = transport
        self.readOptions = readOptions
    }

    public func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse {
        let settings = try SOAPSettings(request.method.method)
        let parameters = settings.bodyTemplate.map { $0.render(params: request.params, config: request.config) ?? .null } ?? request.params
        let envelope: [UInt8]
        let header = settings.headerTemplate.map { $0.render(params: request.params, config: request.config) ?? .null }
        do { envelope = try settings.envelope.build(parameters, header: header) } catch {
            throw AdapterError(.invalidRequest, "SOAP method '\(request.method.name)': \(error.message)")
        }
        var spec = try HTTPRequestBuilder.build(withBody: .null, request)
        spec.method = "POST"
        spec.body = envelope
        if request.method.method.path == "/" { spec.url = Self.droppingTrailingSlash(spec.url) }
        let userAccept = request.method.headers.contains { $0.name.lowercased() == "accept" }
        spec.headers.removeAll { h in
            let name = h.name.lowercased()
            return name == "content-type" || name == "soapaction" || (name == "accept" && !userAccept)
        }
        spec.headers += settings.envelope.version.httpHeaders(action: settings.action)
        if !userAccept { spec.headers.append(("Accept", "text/xml, application/soap+xml")) }

        let response = try await transport.send(spec, timeout: request.timeout, maxBytes: request.method.maxResponseBytes)
        var result = AdapterResponse(
            status: response.status, headers: response.headers, body: .null, requestBytes: envelope.count, responseBytes: response.body.count)
        result.requestSignature = spec.lazySignature(excludingHeader: request.idempotencyKey?.name)
        if request.method.method.logBodies {
            result.requestBodyText = String(decoding: envelope, as: UTF8.self)
            result.responseBodyText = String(decoding: response.body, as: UTF8.self)
        }
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return result }
        let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value
        let isSuccess = (200..<300).contains(response.status)
        if contentType?.lowercased().hasPrefix("multipart/") == true {
            guard isSuccess else { return result }
            throw AdapterError(.other, "SOAP method '\(request.method.name)': multipart (MTOM/SwA) responses are not supported")
        }
        do {
            switch try SOAPResponse.read(response.body, options: readOptions) {
            case .result(_, let value): result.body = settings.arrayPaths.isEmpty ? value : XMLToJSON.forcingArrays(value, at: settings.arrayPaths)
            case .empty: break
            case .fault(let fault): result.protocolError = fault.protocolError
            }
        } catch {
            guard isSuccess else {
                result.body = ResponseBody.decode(response.body, contentType: contentType)
                return result
            }
            throw AdapterError(
                .other,
                "SOAP method '\(request.method.name)': \(error.description) (HTTP \(response.status), Content-Type \(contentType ?? "none"))")
        }
        return result
    }
}

extension SOAPAdapter {
    /// Refuses a definition whose calls would fail on their `soap` settings (see `SOAPSettings`).
    public func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError? {
        do { _ = try SOAPSettings(method) } catch { return error }
        return nil
    }

    /// A SOAP endpoint is often the whole baseUrl (`https://host/services/Users.asmx`): a method without a path
    /// posts to it as written, not to `.../Users.asmx/`. The root path (`https://host/`) is left as it is.
    static func droppingTrailingSlash(_ url: String) -> String {
        let queryStart = url.firstIndex(of: "?") ?? url.endIndex
        let base = url[..<queryStart]
        guard base.hasSuffix("/"), let scheme = base.firstRange(of: "://"), base[scheme.upperBound...].dropLast().contains("/") else { return url }
        return String(base.dropLast()) + url[queryStart...]
    }
}

/// A method's `soap` settings, checked.
struct SOAPSettings {
    var envelope: SOAPEnvelope
    var action: String?
    var bodyTemplate: BodyTemplate?
    var headerTemplate: BodyTemplate?
    var arrayPaths: [String] = []

    init(_ method: DefinitionMethod) throws(AdapterError) {
        /// `soap.<key><text>`, located at `soap.<key>`.
        func fail(_ key: String, _ text: String) -> AdapterError {
            AdapterError(.configuration, "method '\(method.name)': soap.\(key)\(text)", field: "soap.\(key)")
        }
        let options = method.options["soap"] ?? .object([:])
        guard case .object(let o) = options else {
            throw AdapterError(.configuration, "method '\(method.name)': soap must be an object", field: "soap")
        }
        let known: Set<String> = [
            "version", "action", "operation", "namespace", "namespacePrefix", "elementForm", "bodyTemplate", "headerTemplate", "arrays",
        ]
        if let unknown = o.keys.first(where: { !known.contains($0) }) { throw fail(unknown, " is not a SOAP setting") }

        func string(_ key: String) throws(AdapterError) -> String? {
            guard let v = o[key], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw fail(key, " must be a string") }
            return s
        }
        // YAML authors write `version: 1.2` as often as `version: "1.2"`.
        var versionText = o["version"]?.numberValue.map { JSNumberFormat.format($0) }
        if versionText == nil { versionText = try string("version") }
        guard let version = SOAPVersion(rawValue: versionText ?? "1.1") else { throw fail("version", " must be \"1.1\" or \"1.2\"") }
        let operation = try string("operation") ?? method.name
        guard XMLName.isNCName(operation) else { throw fail("operation", " '\(operation)' is not a valid XML element name") }
        let prefix = try string("namespacePrefix") ?? "tns"
        guard XMLName.isNCName(prefix), prefix != "soap", !prefix.lowercased().hasPrefix("xml") else {
            throw fail("namespacePrefix", " '\(prefix)' is not usable")
        }
        let namespace = try string("namespace")
        if let namespace, namespace.isEmpty { throw fail("namespace", " must not be empty") }
        let form = try string("elementForm") ?? "qualified"
        guard form == "qualified" || form == "unqualified" else { throw fail("elementForm", " must be \"qualified\" or \"unqualified\"") }
        action = try string("action")
        if let action, action.unicodeScalars.contains(where: { $0 == "\"" || $0.value < 0x20 || $0.value > 0x7E }) {
            throw fail("action", " must be printable ASCII without quotes")
        }
        envelope = SOAPEnvelope(version: version, operation: operation, namespace: namespace, namespacePrefix: prefix, qualified: form == "qualified")
        if let template = o["bodyTemplate"] {
            do { bodyTemplate = try BodyTemplate(template) } catch { throw fail("bodyTemplate", ": \(error.message)") }
        }
        if let template = o["headerTemplate"] {
            guard case .object = template else { throw fail("headerTemplate", " must be an object of header blocks") }
            do { headerTemplate = try BodyTemplate(template) } catch { throw fail("headerTemplate", ": \(error.message)") }
        }
        if let arrays = o["arrays"] {
            let paths = arrays.arrayValue?.compactMap(\.stringValue) ?? []
            guard paths.count == arrays.arrayValue?.count, !paths.contains("") else {
                throw fail("arrays", " must be a list of dotted paths such as \"GetUserResult.tags.string\"")
            }
            arrayPaths = paths
        }
    }
}
