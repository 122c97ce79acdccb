import SwitchboardCore
import Synchronization
import Testing

@testable import SwitchboardEngine

@Suite struct ExecutionCacheTests {
    static func connection(_ id: String, _ status: ConnectionStatus) -> Connection {
        let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        return Connection(
            id: id, name: "c", definitionKey: "d", definitionVersion: SemanticVersion("1.0.0")!, status: status, config: [:], metadata: [:],
            createdAt: now, updatedAt: now)
    }

    /// A row read before an invalidation arrived may be older than the change: it is not cached.
    @Test func aRowReadBeforeAnInvalidationIsNotCached() {
        let cache = ExecutionCache(ttl: .seconds(3600))
        let readAt = cache.generation
        cache.apply(.connection("conn_a"))  // another node's change arrives while the row is being read
        cache.store(Self.connection("conn_a", .pendingAuthentication), readAt: readAt)
        #expect(!cache.holds(connectionId: "conn_a"))

        let fresh = cache.generation
        cache.store(Self.connection("conn_a", .connected), readAt: fresh)
        #expect(cache.connection("conn_a")?.status == .connected)
    }

    /// This node's invalidations are told to the peers; changes applied from the peers are not told back.
    @Test func invalidationsAreAnnouncedAndPeerChangesAreNot() {
        let cache = ExecutionCache(ttl: .seconds(3600))
        let told = Mutex<[StoreChange]>([])
        cache.bind(peers: { change in told.withLock { $0.append(change) } })
        cache.store(Self.connection("conn_a", .connected))
        cache.store(Self.connection("conn_b", .connected))
        cache.invalidate(connectionId: "conn_a")
        cache.invalidate(definitionKey: "d")
        #expect(told.withLock { $0 } == [.connection("conn_a"), .definition("d")])
        #expect(!cache.holds(connectionId: "conn_a"))

        cache.apply(.credentials("conn_b"))
        #expect(!cache.holds(connectionId: "conn_b"))
        #expect(told.withLock { $0 }.count == 2)
    }
}
