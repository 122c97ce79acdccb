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

    /// `{"error": ...}` with the error's status, or the execution envelope `{"status": "ERROR", "error": ...}`.
    static func error(_ error: SwitchboardError, envelope: Bool = false, headers extra: HTTPFields = [:]) -> Response {
        let body: JSON = envelope ? ["status": "ERROR", "error": error.json] : ["error": error.json]
        var h = headers(retryAfter: error.retryAfter)
        h.append(contentsOf: extra)
        return json(body, status: HTTPResponse.Status(code: error.status), headers: h)
    }

    /// A `Retry-After` header (whole seconds, rounded up, at most about 31 years) when there is a delay to wait.
    static func headers(retryAfter: Double?) -> HTTPFields {
        guard let retryAfter, retryAfter.isFinite else { return [:] }
        return [.retryAfter: String(Int(min(max(retryAfter, 0), 1e9).rounded(.up)))]
    }

    /// `{"items": [...], "nextCursor": "..."}`.
    static func page(_ items: [JSON], nextCursor: String?) -> Response {
        json(["items": .array(items), "nextCursor": nextCursor.map(JSON.string) ?? .null])
    }
}
