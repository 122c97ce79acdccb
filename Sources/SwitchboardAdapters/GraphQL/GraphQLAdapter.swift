import JSONValue
import SwitchboardCore

/// GraphQL over HTTP POST: `{query, variables, operationName}`. The method declares
/// `graphql: {query: "...", operationName?: "...", variables?: {template}}`; without a variables template the
/// parameters are the variables. A response with `errors` is reported as a `GRAPHQL_ERROR` with the errors as
/// details, and the partial `data` kept.
public struct GraphQLAdapter: Adapter {
    let transport: HTTPTransport

    public init(transport: HTTPTransport) { self.transport = transport }

    public func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse {
        let settings = try GraphQLSettings(request.method.method)
        var variables = request.params
        if let template = settings.variables { variables = template.render(params: request.params, config: request.config) ?? [:] }
        var payload: JSONObject = ["query": .string(settings.query), "variables": variables.isNull ? [:] : variables]
        if let op = settings.operationName { payload["operationName"] = .string(op) }
        var spec = try HTTPRequestBuilder.build(withBody: .object(payload), request)
        spec.method = "POST"
        let response = try await transport.send(spec, timeout: request.timeout, maxBytes: request.method.maxResponseBytes)
        let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value
        let body = ResponseBody.decode(response.body, contentType: contentType)
        var result = AdapterResponse(
            status: response.status, headers: response.headers, body: body["data"] ?? body, requestBytes: spec.body?.count ?? 0,
            responseBytes: response.body.count)
        result.requestSignature = spec.lazySignature(excludingHeader: request.idempotencyKey?.name)
        if request.method.method.logBodies {
            result.requestBodyText = spec.body.map { String(decoding: $0, as: UTF8.self) }
            result.responseBodyText = String(decoding: response.body, as: UTF8.self)
        }
        if case .array(let errors)? = body["errors"], !errors.isEmpty {
            let first = errors.first?["message"]?.stringValue ?? "the GraphQL server reported errors"
            result.protocolError = ProtocolError(code: "GRAPHQL_ERROR", message: first, details: errors)
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
        guard let query = options?["query"]?.stringValue else {
            throw AdapterError(.configuration, "method '\(method.name)' declares no graphql.query", field: "graphql.query")
        }
        self.query = query
        if let op = options?["operationName"], !op.isNull {
            guard let name = op.stringValue else {
                throw AdapterError(.configuration, "method '\(method.name)': graphql.operationName must be a string", field: "graphql.operationName")
            }
            operationName = name
        }
        if let template = options?["variables"] {
            do { variables = try BodyTemplate(template) } catch {
                throw AdapterError(.configuration, "graphql.variables: \(error.message)", field: "graphql.variables")
            }
        }
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
