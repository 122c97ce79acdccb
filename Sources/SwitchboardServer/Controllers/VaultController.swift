import Hummingbird
import JSONValue
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardEngine
import SwitchboardVault

/// `/v1/connections/{id}/credentials`, `/v1/connections/{id}/oauth/authorize`, `/v1/oauth/callback` and `/v1/audit`:
/// the credential vault's API. Responses never carry a secret value.
struct VaultController: Sendable {
    let vault: Vault
    let connections: any ConnectionRepository
    let reader: RequestReader

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .put, "/v1/connections/{id}/credentials") { request, context in
            var request = request
            let id = try await existing(context)
            let body = try await reader.json(&request)
            let (info, connection) = try await vault.put(connectionId: id, body: body)
            var out = info.objectValue ?? [:]
            out["connectionStatus"] = .string(connection.status.rawValue)
            return APIResponse.json(.object(out))
        }
        table.add(router, .get, "/v1/connections/{id}/credentials") { _, context in
            let id = try await existing(context)
            guard let info = try await vault.info(connectionId: id) else { throw VaultErrors.noCredentials(id) }
            return APIResponse.json(info)
        }
        table.add(router, .delete, "/v1/connections/{id}/credentials") { _, context in
            let id = try await existing(context)
            guard try await vault.delete(connectionId: id) else { throw VaultErrors.noCredentials(id) }
            return APIResponse.noContent()
        }
        table.add(router, .post, "/v1/connections/{id}/oauth/authorize") { request, context in
            var request = request
            let id = try await existing(context)
            var redirect: String?
            if request.headers[.contentLength].flatMap(Int.init) != 0 || request.headers[.contentType] != nil {
                let bytes = try await reader.bytes(&request)
                if !bytes.isEmpty {
                    let body = try DocumentReader.read(bytes, format: .json)
                    var r = FieldReader(body, path: "")
                    redirect = r.string("redirectUri", maxLength: 2000)
                    r.rejectUnknown()
                    if !r.problems.isEmpty {
                        throw SwitchboardError.validation("the request has \(r.problems.count) problem(s)", problems: r.problems)
                    }
                }
            }
            let (url, _, expiresAt) = try await vault.authorize(connectionId: id, redirectURI: redirect)
            return APIResponse.json(["authorizationUrl": .string(url), "expiresAt": .string(expiresAt.iso8601)])
        }
        table.add(router, .get, "/v1/oauth/callback") { request, _ in
            var query: [String: String] = [:]
            for (k, v) in request.uri.queryParameters { query[String(k)] = String(v) }
            let result = await vault.completeAuthorization(query: query)
            let wantsJSON = (request.headers[.accept] ?? "").contains("application/json")
            var body: JSONObject = ["connected": .bool(result.succeeded)]
            body["connectionId"] = result.connectionId.map(JSON.string) ?? .null
            body["status"] = result.status.map { .string($0.rawValue) } ?? .null
            body["error"] = result.error.map(JSON.string) ?? .null
            let status: HTTPResponse.Status = result.succeeded ? .ok : .badRequest
            if wantsJSON { return APIResponse.json(.object(body), status: status) }
            let message =
                result.succeeded
                ? "The connection is authorized. You can close this window." : "Authorization failed (\(Self.html(result.error ?? "error")))."
            return APIResponse.text(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>Switchboard</title></head><body><p>\(message)</p></body></html>",
                contentType: "text/html; charset=utf-8", status: status)
        }
        table.add(router, .get, "/v1/audit") { request, _ in
            let q = QueryReader(request)
            let query = AuditQuery(
                connectionId: q.string("connectionId") ?? q.string("connection"), action: q.string("action"), since: try q.timestamp("since"),
                until: try q.timestamp("until"), limit: try q.limit(), cursor: try q.cursor())
            let page = try await vault.audit.list(query)
            return APIResponse.page(page.items.map(\.json), nextCursor: page.nextCursor)
        }
    }

    /// The path's connection id, checked to exist (404 `CONNECTION_NOT_FOUND`).
    func existing(_ context: some RequestContext) async throws -> String {
        let id = try context.path("id")
        guard Identifier.isWellFormed(id, prefix: "conn_"), try await connections.get(id: id) != nil else {
            throw SwitchboardError.notFound("no connection with id '\(id)'", code: "CONNECTION_NOT_FOUND")
        }
        return id
    }

    static func html(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Flushes the vault's audit buffer every `interval` while the server runs, and once more on shutdown.
struct VaultAuditFlusher: Service {
    let vault: Vault
    var interval: Duration = .milliseconds(100)

    func run() async throws {
        // At shutdown the loop's write in progress is cancelled (a failed write keeps its entries for the last flush):
        // one waiting for a database that does not answer would hold the shutdown until it does. The last flush gets
        // the shutdown's limit for the logs' last writes.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await vault.audit.flush()
            }
        }
        await cancelling(after: AppServices.shutdownWriteLimit) { await vault.audit.flush() }
    }
}
