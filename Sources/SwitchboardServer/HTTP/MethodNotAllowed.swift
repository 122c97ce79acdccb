import Hummingbird
import SwitchboardCore

extension RouteTable {
    /// The methods served at the route `path` (a request path, percent-encoded as received) resolves to, with `HEAD`
    /// where `GET` is served and `OPTIONS`; nil when no route has that path. Resolution follows the router's: among
    /// the routes whose segments match, the one with a literal segment where another has a parameter, leftmost first.
    func allowedMethods(forPath path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var best: (template: [Substring], methods: Set<String>)?
        for route in routes {
            let template = route.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == segments.count, zip(template, segments).allSatisfy({ Self.isParameter($0) || $0 == $1 }) else { continue }
            if let current = best, current.template == template {
                best?.methods.insert(route.method)
            } else if best.map({ Self.isMoreSpecific(template, than: $0.template) }) ?? true {
                best = (template, [route.method])
            }
        }
        guard var methods = best?.methods else { return nil }
        if methods.contains("GET") { methods.insert("HEAD") }
        methods.insert("OPTIONS")
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return methods.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
    }

    static func isParameter(_ segment: Substring) -> Bool { segment.hasPrefix("{") && segment.hasSuffix("}") }

    /// Whether `a` has a literal segment where `b` has a parameter, at the first segment where they differ in kind.
    static func isMoreSpecific(_ a: [Substring], than b: [Substring]) -> Bool {
        for (x, y) in zip(a, b) where isParameter(x) != isParameter(y) { return !isParameter(x) }
        return false
    }
}

/// Answers a request for a path the API serves, made with a method it does not serve there: 405 `METHOD_NOT_ALLOWED`
/// in the usual error body with an `Allow` header (RFC 9110 §15.5.6), or, for `OPTIONS`, 204 with `Allow`.
///
/// Added to the router after every route: Hummingbird applies a middleware to the routes added after it and to the
/// responder for requests no route matches, so this one only sees those.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = routes.allowedMethods(forPath: request.uri.path), !allowed.contains(request.method.rawValue) || request.method == .options
        else { return try await next(request, context) }
        let allow = allowed.joined(separator: ", ")
        if request.method == .options { return Response(status: .noContent, headers: [.allow: allow]) }
        let error = SwitchboardError(
            code: "METHOD_NOT_ALLOWED", message: "\(request.method) is not allowed on \(request.uri.path); allowed: \(allow)", status: 405)
        return APIResponse.error(error, headers: [.allow: allow])
    }
}
