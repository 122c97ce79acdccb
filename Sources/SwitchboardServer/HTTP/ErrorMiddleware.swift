import Hummingbird
import Logging
import SwitchboardCore
import SwitchboardStore

/// Turns every error into the one error shape: `SwitchboardError` as it is, framework errors by status,
/// and anything else into a logged 500 that reveals nothing of the cause.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return APIResponse.error(Self.map(error, request: request, logger: logger))
        }
    }

    static func map(_ error: any Error, request: Request, logger: Logger) -> SwitchboardError {
        switch error {
        case let e as SwitchboardError:
            if e.status >= 500 { logger.error("request failed", metadata: ["error.code": "\(e.code)", "http.path": "\(request.uri.path)"]) }
            return e
        case let e as DatabaseError where e.kind == .unavailable:
            logger.error("database unavailable", metadata: ["error": "\(e.message)"])
            return e.switchboardError ?? .unavailable("the database is unavailable", code: "DATABASE_UNAVAILABLE")
        case let e as DatabaseError where e.kind == .invalidValue:
            return .badRequest("a value in the request cannot be stored", code: "INVALID_VALUE")
        case let e as any HTTPResponseError:
            switch e.status.code {
            case 404: return .notFound("no route for \(request.method) \(request.uri.path)", code: "ROUTE_NOT_FOUND")
            case 405: return SwitchboardError(code: "METHOD_NOT_ALLOWED", message: "\(request.method) is not allowed here", status: 405)
            case 413: return SwitchboardError(code: "PAYLOAD_TOO_LARGE", message: "the request body is too large", status: 413)
            case 400..<500: return SwitchboardError(code: "BAD_REQUEST", message: e.status.reasonPhrase, status: e.status.code)
            default:
                logger.error("request failed", metadata: ["http.status": "\(e.status.code)", "http.path": "\(request.uri.path)"])
                return SwitchboardError(code: "INTERNAL_ERROR", message: "internal error", status: e.status.code)
            }
        case is CancellationError:
            return SwitchboardError(code: "CANCELLED", message: "the request was cancelled", status: 499)
        default:
            logger.error("unexpected error", metadata: ["error.type": "\(type(of: error))", "http.path": "\(request.uri.path)"])
            return .internalError()
        }
    }
}
