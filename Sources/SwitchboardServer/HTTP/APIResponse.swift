import Hummingbird
import JSONValue
import NIOCore
import SwitchboardCore

/// Builds JSON responses from `JSON` values (our serializer; no Codable round trip).
enum APIResponse {
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        var buffer = ByteBuffer()
        buffer.writeBytes(value.serializedBytes())
        return Response(status: status, headers: h, body: .init(byteBuffer: buffer))
    }

    static func text(_ value: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: value)))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    static func error(_ error: SwitchboardError) -> Response {
        var headers: HTTPFields = [:]
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(Int(retryAfter.rounded(.up))) }
        return json(["error": error.json], status: HTTPResponse.Status(code: error.status), headers: headers)
    }

    /// `{"items": [...], "nextCursor": "..."}`.
    static func page(_ items: [JSON], nextCursor: String?) -> Response {
        json(["items": .array(items), "nextCursor": nextCursor.map(JSON.string) ?? .null])
    }
}
