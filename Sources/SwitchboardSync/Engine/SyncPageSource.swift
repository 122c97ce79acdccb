import JSONValue
import SwitchboardCore
import SwitchboardEngine

/// One page as the source method answered it.
public struct SyncPageResult: Sendable {
    public var data: JSON?
    public var error: SwitchboardError?
    /// Attempts the call took (more than 1: retries, e.g. after a 429 or 503).
    public var attempts: Int
    /// The response headers (for `link_header` pagination).
    public var headers: [(name: String, value: String)]
    /// What the request asked the provider, when the source can tell (`ExecutionResult.requestSignature`): a page
    /// whose request is one the run already made fails the run (`SYNC_PAGE_REPEATED`). Without it, the parameters
    /// sent tell.
    public var request: String?

    public init(data: JSON?, error: SwitchboardError?, attempts: Int, headers: [(name: String, value: String)] = [], request: String? = nil) {
        self.data = data
        self.error = error
        self.attempts = attempts
        self.headers = headers
        self.request = request
    }
}

/// Where pages come from: the method executor in the server, so every page passes through resilience.
public protocol SyncPageSource: Sendable {
    func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult
}

extension MethodExecutor: SyncPageSource {
    public func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
        let r = await execute(connectionId: connectionId, methodName: method, params: params)
        return SyncPageResult(data: r.data, error: r.error, attempts: r.attempts, headers: r.headers, request: r.requestSignature?.value)
    }
}

/// Finds a connection's sync definitions.
public protocol SyncCatalog: Sendable {
    /// The syncs of the connection's definition version; `CONNECTION_NOT_FOUND` if there is no such connection.
    func syncs(connectionId: String) async throws -> [SyncDefinition]
    /// Every connection id with its syncs (for the scheduler).
    func allSyncs() async throws -> [(connectionId: String, syncs: [SyncDefinition])]
}

/// The catalog read from the connection and definition repositories.
public struct RepositorySyncCatalog: SyncCatalog {
    let connections: any ConnectionRepository
    let definitions: any DefinitionRepository

    public init(connections: any ConnectionRepository, definitions: any DefinitionRepository) {
        self.connections = connections
        self.definitions = definitions
    }

    public func syncs(connectionId: String) async throws -> [SyncDefinition] {
        guard let c = try await connections.get(id: connectionId) else {
            throw SwitchboardError.notFound("no connection with id '\(connectionId)'", code: "CONNECTION_NOT_FOUND")
        }
        guard let d = try await definitions.version(key: c.definitionKey, version: c.definitionVersion) else { return [] }
        return SyncDefinition.syncs(of: d)
    }

    public func allSyncs() async throws -> [(connectionId: String, syncs: [SyncDefinition])] {
        var out: [(String, [SyncDefinition])] = []
        var cursor: Cursor?
        var definitionsByVersion: [String: [SyncDefinition]] = [:]
        repeat {
            let page = try await connections.list(ConnectionQuery(limit: 200, cursor: cursor))
            for c in page.items {
                let key = c.definitionKey + "@" + c.definitionVersion.description
                if definitionsByVersion[key] == nil {
                    let d = try await definitions.version(key: c.definitionKey, version: c.definitionVersion)
                    definitionsByVersion[key] = d.map(SyncDefinition.syncs(of:)) ?? []
                }
                if let s = definitionsByVersion[key], !s.isEmpty { out.append((c.id, s)) }
            }
            cursor = try page.nextCursor.map { try Cursor(decoding: $0) }
        } while cursor != nil
        return out
    }
}
