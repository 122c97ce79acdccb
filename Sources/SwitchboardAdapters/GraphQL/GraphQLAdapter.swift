import JSONValue
import SwitchboardCore

/// GraphQL over HTTP POST: `{query, variables, operationName}`. The method declares
/// `graphql: {query: "...", operationName?: "...", variables?: {template}}`; without a variables template the
/// parameters are the variables. A response with `errors` is reported as a `GRAPHQL_ERROR` with the errors as
/// details, and the partial `data` kept.
///
/// An answer must be a GraphQL response: a JSON object with `data` or `errors`. Anything else (an HTML maintenance
/// page, broken JSON, a bare array) is an `AdapterError(.other)` (`UPSTREAM_ERROR`) when its status is 2xx; with an
/// error status it is returned as it is, so the engine reports the HTTP status (429, 503...).
public struct GraphQLAdapter: Adapter {
    let transport: HTTPTransport

    public init(transport: HTTPTransport) { self.transport = transport }

    public func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse {
        let settings = try GraphQLSettings(request.method.method)
        var variables = request.params
        if let template = settings.variables { variables = template.render(params: request.params, config: request.config) ?? [:] }
        guard variables.objectValue != nil || variables.isNull else {
            throw AdapterError(.invalidRequest, "the GraphQL variables must be an object, not \(variables.typeName)")
        }
        var payload: JSONObject = ["query": .string(settings.query), "variables": variables.isNull ? [:] : variables]
        if let op = settings.operationName { payload["operationName"] = .string(op) }
        var spec = try HTTPRequestBuilder.build(withBody: .object(payload), request)
        spec.method = "POST"
        let response = try await transport.send(spec, timeout: request.timeout, maxBytes: request.method.maxResponseBytes)
        let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value
        let body = ResponseBody.decode(response.body, contentType: contentType)
        // A GraphQL response: an object with `data` (an object, or null) or `errors`.
        let document = body.objectValue.flatMap { o -> JSONObject? in
            guard o["data"] != nil || o["errors"] != nil else { return nil }
            if let data = o["data"], data.objectValue == nil, !data.isNull { return nil }
            return o
        }
        if document == nil, (200..<300).contains(response.status) {
            throw AdapterError(
                .other,
                "GraphQL method '\(request.method.name)': the answer is not a GraphQL response (a JSON object with data or errors; "
                    + "HTTP \(response.status), Content-Type \(contentType ?? "none"))")
        }
        var result = AdapterResponse(
            status: response.status, headers: response.headers, body: document.map { $0["data"] ?? .null } ?? body,
            requestBytes: spec.body?.count ?? 0, responseBytes: response.body.count)
        result.requestSignature = spec.lazySignature(excludingHeader: request.idempotencyKey?.name)
        if request.method.method.logBodies {
            result.requestBodyText = spec.body.map { String(decoding: $0, as: UTF8.self) }
            result.responseBodyText = String(decoding: response.body, as: UTF8.self)
        }
        switch document?["errors"] {
        case .array(let errors)? where !errors.isEmpty:
            let first = errors.first?["message"]?.stringValue ?? "the GraphQL server reported errors"
            result.protocolError = ProtocolError(code: "GRAPHQL_ERROR", message: first, details: errors)
        case .none, .null?, .array?:
            break
        case let other?:  // not a list, as the specification has it, but an error all the same
            result.protocolError = ProtocolError(code: "GRAPHQL_ERROR", message: other.stringValue ?? "the GraphQL server reported errors", details: [other])
        }
        return result
    }
}

extension GraphQLAdapter {
    /// Refuses a definition whose calls would fail on their `graphql` settings (see `GraphQLSettings`).
    public func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError? {
        do { _ = try GraphQLSettings(method) } catch { return error }
        return nil
    }
}

/// A method's `graphql` settings, checked: read the same way by every call and by definition validation.
struct GraphQLSettings {
    var query: String
    var operationName: String?
    var variables: BodyTemplate?

    init(_ method: DefinitionMethod) throws(AdapterError) {
        let options = method.options["graphql"]
        if let options, options.objectValue == nil {
            throw AdapterError(.configuration, "method '\(method.name)': graphql must be an object", field: "graphql")
        }
        if let unknown = options?.objectValue?.keys.first(where: { !["query", "operationName", "variables"].contains($0) }) {
            throw AdapterError(
                .configuration, "method '\(method.name)': graphql.\(unknown) is not a setting (query, operationName, variables)",
                field: "graphql.\(unknown)")
        }
        guard let value = options?["query"], !value.isNull else {
            throw AdapterError(.configuration, "method '\(method.name)' declares no graphql.query", field: "graphql.query")
        }
        guard let query = value.stringValue else {
            throw AdapterError(.configuration, "method '\(method.name)': graphql.query must be a string, not \(value.typeName)", field: "graphql.query")
        }
        if let problem = GraphQLSettings.problem(inDocument: query) {
            throw AdapterError(.configuration, "method '\(method.name)': graphql.query \(problem)", field: "graphql.query")
        }
        self.query = query
        if let op = options?["operationName"], !op.isNull {
            guard let name = op.stringValue else {
                throw AdapterError(.configuration, "method '\(method.name)': graphql.operationName must be a string", field: "graphql.operationName")
            }
            operationName = name
        }
        if let template = options?["variables"], !template.isNull {
            do { variables = try BodyTemplate(template) } catch {
                throw AdapterError(.configuration, "graphql.variables: \(error.message)", field: "graphql.variables")
            }
            // An object (of templates), or one placeholder that a call fills with an object ("{{params.filter}}").
            if case .constant(let constant)? = variables, constant.objectValue == nil {
                throw AdapterError(
                    .configuration, "method '\(method.name)': graphql.variables must be an object, not \(constant.typeName)",
                    field: "graphql.variables")
            }
        }
    }

    /// What makes `document` no GraphQL document a server could run, or nil: nothing in it but whitespace and comments,
    /// or brackets (`{}`, `()`, `[]`) that do not pair up outside strings and comments (`query { users { id `). A
    /// lexical check only: a document that passes can still fail against the server's schema.
    static func problem(inDocument document: String) -> String? {
        var stack: [UInt8] = []
        var sawToken = false
        let bytes = Array(document.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "#"):
                while i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
                continue
            case UInt8(ascii: "\""):
                sawToken = true
                let block = i + 2 < bytes.count && bytes[i + 1] == b && bytes[i + 2] == b
                i += block ? 3 : 1
                while i < bytes.count {
                    if block {
                        if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == b, bytes[i + 2] == b, bytes[i + 3] == b { i += 4; continue }
                        if bytes[i] == b, i + 2 < bytes.count, bytes[i + 1] == b, bytes[i + 2] == b { break }
                    } else {
                        if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                        if bytes[i] == b || bytes[i] == 0x0A { break }
                    }
                    i += 1
                }
                if i >= bytes.count || bytes[i] != b { return "has a string that is not closed" }
                i += block ? 3 : 1
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
                stack.append(b)
            case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                let opener: UInt8 = b == UInt8(ascii: "}") ? UInt8(ascii: "{") : b == UInt8(ascii: ")") ? UInt8(ascii: "(") : UInt8(ascii: "[")
                guard stack.last == opener else { return "has a '\(Character(Unicode.Scalar(b)))' that closes nothing open" }
                stack.removeLast()
            default:
                break
            }
            if !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ",")) { sawToken = true }
            i += 1
        }
        if !sawToken { return "is empty" }
        if let open = stack.last { return "has a '\(Character(Unicode.Scalar(open)))' that is not closed" }
        return nil
    }
}

extension HTTPRequestBuilder {
    /// Builds the request of `request`'s method with an explicit JSON body (GraphQL, SOAP use their own bodies).
    static func build(withBody body: JSON, _ request: AdapterRequest) throws(AdapterError) -> HTTPRequestSpec {
        var r = request
        var m = r.method.method
        m.body = nil
        m.bodyEncoding = .none
        do { r.method = try CompiledMethod(m, baseURL: request.definition.baseURL) } catch {
            throw AdapterError(.configuration, error.message)
        }
        var spec = try build(r)
        spec.body = body.serializedBytes()
        spec.headers.removeAll { $0.name.lowercased() == "content-type" }
        spec.headers.append(("Content-Type", "application/json"))
        return spec
    }
}
