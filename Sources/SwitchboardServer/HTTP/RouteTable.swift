import Hummingbird

/// The API's routes as registered with the router, kept so the OpenAPI document can be checked against
/// what the server really serves.
public struct RouteTable: Sendable {
    public struct Route: Sendable, Hashable {
        public var method: String
        /// OpenAPI form: `/v1/definitions/{key}`.
        public var path: String
    }

    public private(set) var routes: [Route] = []

    /// Registers `handler` for `method` and `path` (written with `{param}`) on `router`.
    mutating func add<Context: RequestContext>(
        _ router: Router<Context>, _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        routes.append(Route(method: method.rawValue, path: path))
        let hbPath = path.split(separator: "/", omittingEmptySubsequences: true).map { segment -> String in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
        router.on(RouterPath("/" + hbPath), method: method, use: handler)
    }
}
