import SwitchboardCore
import Synchronization

/// Caches connections and prepared definitions for the hot path, so an execution normally touches no database
/// before calling the provider. Every change made through this node invalidates the entry at once; entries also
/// expire after `ttl` so changes made by other nodes are seen within that time.
public final class ExecutionCache: Sendable {
    struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var loadedAt: ContinuousClock.Instant
    }

    private let connections = Mutex<[String: Entry<Connection>]>([:])
    private let definitions = Mutex<[DefinitionKey: Entry<PreparedDefinition>]>([:])
    let ttl: Duration
    let clock = ContinuousClock()

    /// A definition version (a struct key: formatting `key@version` per call was a measurable cost).
    struct DefinitionKey: Hashable {
        var key: String
        var version: SemanticVersion
    }

    public init(ttl: Duration = .seconds(5)) { self.ttl = ttl }

    func connection(_ id: String) -> Connection? {
        let now = clock.now
        return connections.withLock { c in
            guard let e = c[id], now - e.loadedAt < ttl else { return nil }
            return e.value
        }
    }

    func store(_ connection: Connection) {
        let now = clock.now
        connections.withLock { $0[connection.id] = Entry(value: connection, loadedAt: now) }
    }

    func definition(_ key: String, _ version: SemanticVersion) -> PreparedDefinition? {
        let now = clock.now
        return definitions.withLock { d in
            guard let e = d[DefinitionKey(key: key, version: version)], now - e.loadedAt < ttl else { return nil }
            return e.value
        }
    }

    func store(_ definition: PreparedDefinition) {
        let now = clock.now
        let key = DefinitionKey(key: definition.definition.key, version: definition.definition.version)
        definitions.withLock { $0[key] = Entry(value: definition, loadedAt: now) }
    }

    /// Forgets a connection (after it changed or was deleted).
    public func invalidate(connectionId: String) { _ = connections.withLock { $0.removeValue(forKey: connectionId) } }

    /// Forgets every cached version of a definition key.
    public func invalidate(definitionKey: String) {
        definitions.withLock { d in d = d.filter { $0.key.key != definitionKey } }
    }

    public func invalidateAll() {
        connections.withLock { $0.removeAll() }
        definitions.withLock { $0.removeAll() }
    }
}

extension ExecutionCache {
    /// Caches `connection` with `status` (a connection test runs a not-yet-CONNECTED connection).
    func store(overriding connection: Connection, status: ConnectionStatus) {
        var c = connection
        c.status = status
        store(c)
    }
}
