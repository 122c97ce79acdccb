import SwitchboardCore
import Synchronization

/// Caches connections and prepared definitions for the hot path, so an execution normally touches no database
/// before calling the provider. Every change made through this node invalidates the entry at once and is told to the
/// other nodes (`bind(peers:)`, PostgreSQL's `ChangeFeed`), whose caches drop it through `apply(_:)`; entries also
/// expire after `ttl`, the bound on staleness if a notification is lost.
public final class ExecutionCache: Sendable {
    struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var loadedAt: ContinuousClock.Instant
    }

    private let connections = Mutex<[String: Entry<Connection>]>([:])
    private let definitions = Mutex<[DefinitionKey: Entry<PreparedDefinition>]>([:])
    let ttl: Duration
    let clock = ContinuousClock()
    /// Told about every invalidation made through this node (the other nodes' caches).
    private let peers = Mutex<(@Sendable (StoreChange) -> Void)?>(nil)
    /// Counts invalidations: a row read from the database while one happened may be older than the change, and is not
    /// stored (`store(_:readAt:)`).
    private let generationCounter = Atomic<UInt64>(0)

    /// Read before loading a row from the database; pass it to `store`.
    var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

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

    /// Caches `connection` unless an invalidation happened since `generation` was read (before the row was).
    func store(_ connection: Connection, readAt generation: UInt64? = nil) {
        let now = clock.now
        connections.withLock { c in
            if let generation, generation != self.generation { return }
            c[connection.id] = Entry(value: connection, loadedAt: now)
        }
    }

    func definition(_ key: String, _ version: SemanticVersion) -> PreparedDefinition? {
        let now = clock.now
        return definitions.withLock { d in
            guard let e = d[DefinitionKey(key: key, version: version)], now - e.loadedAt < ttl else { return nil }
            return e.value
        }
    }

    /// Caches `definition` unless an invalidation happened since `generation` was read (before the row was).
    func store(_ definition: PreparedDefinition, readAt generation: UInt64? = nil) {
        let now = clock.now
        let key = DefinitionKey(key: definition.definition.key, version: definition.definition.version)
        definitions.withLock { d in
            if let generation, generation != self.generation { return }
            d[key] = Entry(value: definition, loadedAt: now)
        }
    }

    /// Binds who else must hear of this node's invalidations (the server binds the change feed's `publishLater`).
    public func bind(peers handler: @escaping @Sendable (StoreChange) -> Void) { peers.withLock { $0 = handler } }

    /// Forgets a connection (after it changed or was deleted), here and on the other nodes.
    public func invalidate(connectionId: String) {
        apply(.connection(connectionId))
        peers.withLock { $0 }?(.connection(connectionId))
    }

    /// Forgets every cached version of a definition key, here and on the other nodes.
    public func invalidate(definitionKey: String) {
        apply(.definition(definitionKey))
        peers.withLock { $0 }?(.definition(definitionKey))
    }

    /// Forgets what `change` (made here or on another node) made stale, without telling anyone.
    public func apply(_ change: StoreChange) {
        generationCounter.add(1, ordering: .acquiringAndReleasing)
        switch change {
        case .connection(let id), .credentials(let id): _ = connections.withLock { $0.removeValue(forKey: id) }
        case .definition(let key): definitions.withLock { d in d = d.filter { $0.key.key != key } }
        case .everything:
            connections.withLock { $0.removeAll() }
            definitions.withLock { $0.removeAll() }
        }
    }

    /// Whether `id` is cached and fresh.
    public func holds(connectionId id: String) -> Bool { connection(id) != nil }
}
