import JSONValue
import SwitchboardCore

/// REST over HTTP: the request is built from the method's templates, sent over the shared transport, and the
/// body read as JSON (or text).
public struct RESTAdapter: Adapter {
    let transport: HTTPTransport

    public init(transport: HTTPTransport) { self.transport = transport }

    public func execute(_ request: AdapterRequest) async throws(AdapterError) -> AdapterResponse {
        let spec = try HTTPRequestBuilder.build(request)
        let response = try await transport.send(spec, timeout: request.timeout, maxBytes: request.method.maxResponseBytes)
        let contentType = response.headers.first { ASCII.equalsIgnoringCase($0.name, "content-type") }?.value
        let logBodies = request.method.method.logBodies
        var result = AdapterResponse(
            status: response.status, headers: response.headers, body: ResponseBody.decode(response.body, contentType: contentType),
            requestBytes: spec.body?.count ?? 0, responseBytes: response.body.count,
            requestBodyText: logBodies ? spec.body.map { String(decoding: $0, as: UTF8.self) } : nil,
            responseBodyText: logBodies ? String(decoding: response.body, as: UTF8.self) : nil)
        result.requestSignature = spec.lazySignature(excludingHeader: request.idempotencyKey?.name)
        return result
    }
}
