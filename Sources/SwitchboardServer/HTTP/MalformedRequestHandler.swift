import Hummingbird
import JSONValue
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SwitchboardCore

/// Answers a request the HTTP/1.1 parser could not read with the API's error body and a stable code, instead of the
/// framework's bare `400` with no body: a request line and headers over the parser's limit (80 KB, as a URL with a
/// long query can be: 431 `REQUEST_HEADERS_TOO_LARGE`), or a request that is not valid HTTP/1.1 (an invalid method,
/// URL, header name or content length: 400 `MALFORMED_REQUEST`). The connection is closed after the answer, as the
/// framework does: what follows on it cannot be read.
///
/// The framework answers a parse error after the answers under way on the connection (pipelined requests), with a
/// bare `400 Bad Request` and `Connection: close`; this handler notes the parse error as it passes and rewrites that
/// answer, so answers are never interleaved and the order of the framework's writes is kept.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head has been read and whose answer has not been written to its end.
    private var unanswered = 0
    /// The error for the parse error seen on this connection, until the framework's answer to it is rewritten.
    private var failure: SwitchboardError?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParserError, failure == nil { failure = Self.error(for: parseError) }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where unanswered == 0 && head.status == .badRequest:
            // No request read is left unanswered: this is the framework's answer to the parse error.
            guard let failure else { break }
            self.failure = nil
            let body = ByteBuffer(bytes: (["error": failure.json] as JSON).serializedBytes())
            var rewritten = HTTPResponse(status: HTTPResponse.Status(code: failure.status))
            rewritten.headerFields[.contentType] = "application/json; charset=utf-8"
            rewritten.headerFields[.contentLength] = String(body.readableBytes)
            rewritten.headerFields[.connection] = "close"
            rewritten.headerFields[.server] = "switchboard"
            context.write(wrapOutboundOut(.head(rewritten)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: promise)
            return
        case .end:
            if unanswered > 0 { unanswered -= 1 }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    /// The API error for a parse error.
    static func error(for parseError: HTTPParserError) -> SwitchboardError {
        switch parseError {
        case .headerOverflow:
            return SwitchboardError(
                code: "REQUEST_HEADERS_TOO_LARGE",
                message: "the request line and headers are larger than the limit of 80 KB (a long URL counts: send large values in the body)",
                status: 431)
        default:
            return SwitchboardError(code: "MALFORMED_REQUEST", message: "the request is not valid HTTP/1.1 (\(parseError))", status: 400)
        }
    }
}
