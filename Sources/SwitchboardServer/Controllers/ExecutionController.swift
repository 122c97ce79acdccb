import Hummingbird
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardEngine

/// Method execution, the executions log, the events log, and connection tests.
struct ExecutionController: Sendable {
    let executor: MethodExecutor
    let executions: any ExecutionRepository
    let events: any EventRepository
    let eventBus: EventBus
    let connections: ConnectionService
    let reader: RequestReader

    /// `POST /v1/connections/{id}/methods/{method}`, registered before the error middleware: it answers every error
    /// itself, as the middleware would, and the busiest route saves the middleware's async frames, each a trip
    /// through the event loop's queue (docs/benchmarks.md).
    func registerExecute<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable, logger: Logger) {
        table.add(router, .post, "/v1/connections/{id}/methods/{method}") { request, context in
            var request = request
            do {
                let params: JSON
                do {
                    params = try await paramsBody(&request)
                } catch let e as SwitchboardError {
                    // A body that cannot be read as parameters is answered in the execution envelope too, so a caller
                    // reads `status` the same way whatever went wrong (no execution ran, so there is no `meta`).
                    return APIResponse.error(e, envelope: true)
                }
                let result = await executor.execute(connectionId: try context.path("id"), methodName: try context.path("method"), params: params)
                return Self.respond(result)
            } catch {
                return APIResponse.error(ErrorMiddleware<Context>.map(error, request: request, logger: logger))
            }
        }
    }

    /// The other routes (after the error middleware).
    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .post, "/v1/connections/{id}/test") { _, context in
            let id = try context.path("id")
            let outcome = try await connections.test(id: id, executor: executor)
            return APIResponse.json(outcome, status: .ok)
        }
        table.add(router, .get, "/v1/executions") { request, _ in
            let q = QueryReader(request)
            let query = ExecutionQuery(
                connectionId: q.string("connectionId"), method: q.string("method"), status: try q.enumeration("status", ExecutionRecord.Status.self),
                since: try q.timestamp("since"), until: try q.timestamp("until"), limit: try q.limit(), cursor: try q.cursor())
            await executor.recorder.flush()
            let page = try await executions.list(query)
            return APIResponse.page(page.items.map(\.json), nextCursor: page.nextCursor)
        }
        table.add(router, .get, "/v1/executions/{id}") { _, context in
            let id = try context.path("id")
            await executor.recorder.flush()
            guard let record = try await executions.get(id: id) else {
                throw SwitchboardError.notFound("no execution with id '\(id)'", code: "EXECUTION_NOT_FOUND")
            }
            return APIResponse.json(record.json)
        }
        table.add(router, .get, "/v1/events") { request, _ in
            let q = QueryReader(request)
            let query = EventQuery(
                type: q.string("type"), connectionId: q.string("connectionId"), since: try q.timestamp("since"), until: try q.timestamp("until"),
                limit: try q.limit(),
                cursor: try q.cursor())
            await eventBus.writer?.flush()
            let page = try await events.list(query)
            return APIResponse.page(page.items.map(\.json), nextCursor: page.nextCursor)
        }
    }

    /// The parameters: a JSON object body, or none (no parameters).
    func paramsBody(_ request: inout Request) async throws -> JSON {
        let bytes = try await reader.bytes(&request)
        if bytes.isEmpty || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        // The common exact `application/json` skips the general media-type parse (a measurable cost per call).
        if let type = request.headers[.contentType], type != "application/json", DocumentReader.format(forContentType: type) != .some(.json) {
            throw SwitchboardError.unsupportedMediaType(type, supported: ["application/json"])
        }
        // Parameters are passed on to the provider: an id such as 1234567890123456789 must not arrive as ...768.
        let json = try DocumentReader.read(bytes, format: .json, exactIntegers: true)
        guard case .object = json else {
            throw SwitchboardError.validation(
                "the parameters must be a JSON object", problems: [Problem(path: "", message: "must be an object, not \(json.typeName)")])
        }
        return json
    }

    static func respond(_ result: ExecutionResult) -> Response {
        APIResponse.json(
            result.json, status: HTTPResponse.Status(code: result.httpStatus), headers: APIResponse.headers(retryAfter: result.error?.retryAfter))
    }
}
