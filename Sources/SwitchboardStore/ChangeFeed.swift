import Logging
import PostgresNIO
import SwitchboardCore
import Synchronization

/// Tells the other nodes sharing a PostgreSQL database which cached rows a node changed, so that every node's caches
/// are invalidated on every change and not only the caches of the node that made it (before, another node saw a
/// change only when its cached copy expired: 5 s for connections and definitions, 30 s for credentials).
///
/// On PostgreSQL a change is a `NOTIFY` on the channel `switchboard_changes` with the payload `NODE KIND ID`; every
/// node `LISTEN`s on one pooled connection and hands the changes other nodes made to its subscribers. A notification
/// sent inside a transaction is delivered when it commits and dropped if it rolls back, so `publish(_:on:)` with the
/// transaction's executor never announces a change that did not happen, and the other node cannot reload the row
/// before the change is visible. Whenever the listener (re)connects it first delivers `.everything`, because
/// notifications sent while it was not listening are lost.
///
/// With SQLite (one node) there is nobody to tell: publishing does nothing and nothing is delivered.
public final class ChangeFeed: Sendable {
    public static let channel = "switchboard_changes"

    /// This node's id in payloads, so that it ignores its own notifications.
    public let node: String
    private let postgres: PostgresDatabase?
    private let logger: Logger
    private let subscribers = Mutex<[@Sendable (StoreChange) -> Void]>([])
    private let listening = Atomic<Bool>(false)

    public init(database: any SQLDatabase, logger: Logger) {
        self.postgres = database as? PostgresDatabase
        self.logger = logger
        self.node = String(Identifier.make(prefix: "").suffix(12))
    }

    /// Whether changes travel between nodes (the store is PostgreSQL).
    public var isShared: Bool { postgres != nil }

    /// Whether the listener is connected and listening (PostgreSQL only).
    public var isListening: Bool { listening.load(ordering: .acquiring) }

    /// Calls `handler` with every change another node makes (on the listener's task; it must not block).
    public func subscribe(_ handler: @escaping @Sendable (StoreChange) -> Void) {
        subscribers.withLock { $0.append(handler) }
    }

    /// Announces `change` to the other nodes. Pass the executor of the transaction that made the change, if any: the
    /// notification is then delivered at its commit. A failure is logged, not thrown: the change itself is done, and
    /// the other nodes' cached copies still expire.
    public func publish(_ change: StoreChange, on executor: (any SQLExecutor)? = nil) async {
        guard let postgres, let payload = Self.payload(change, node: node) else { return }
        do {
            _ = try await (executor ?? postgres).query("SELECT pg_notify(?, ?)", [.text(Self.channel), .text(payload)])
        } catch {
            logger.warning("could not announce a change to the other nodes", metadata: ["change": "\(change)", "error": "\(error)"])
        }
    }

    /// Announces `change` without waiting (from code that cannot wait; the change must already be committed).
    public func publishLater(_ change: StoreChange) {
        guard isShared else { return }
        Task { await self.publish(change) }
    }

    /// Listens until the task is cancelled, reconnecting after a failure (PostgreSQL; returns at once otherwise).
    public func listen() async {
        guard let postgres else { return }
        // Failed attempts in a row: logged when they start, once a minute while they go on, and when one listens again.
        let outage = Mutex(OutageLog())
        while !Task.isCancelled {
            do {
                // The lease waits at most the database's `connectionWait` (the server down, or every connection busy),
                // as every other operation does, then counts as a failed attempt; the connection is then held for as
                // long as the listener listens.
                try await postgres.withPooledConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        listening.store(true, ordering: .releasing)
                        logger.logOutage(outage.withLock { $0.succeeded(at: .now) }, of: "listening for other nodes' changes", error: nil)
                        deliver(.everything)
                        for try await notification in notifications {
                            guard let change = Self.change(notification.payload, ignoringNode: node) else { continue }
                            deliver(change)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.logOutage(outage.withLock { $0.failed(at: .now) }, of: "listening for other nodes' changes", error: error)
            }
            listening.store(false, ordering: .releasing)
            // 100 ms after a failure, doubled per failure in a row up to 5 s.
            let failures = outage.withLock { $0.failures }
            try? await Task.sleep(for: OutageLog.retryDelay(failures: max(0, failures - 1), interval: .milliseconds(100), cap: .seconds(5)))
        }
        listening.store(false, ordering: .releasing)
    }

    private func deliver(_ change: StoreChange) {
        for handler in subscribers.withLock({ $0 }) { handler(change) }
    }

    /// `NODE KIND ID` (`KIND` one letter); nil for `.everything`, which is never sent.
    public static func payload(_ change: StoreChange, node: String) -> String? {
        switch change {
        case .connection(let id): return "\(node) c \(id)"
        case .credentials(let id): return "\(node) k \(id)"
        case .definition(let key): return "\(node) d \(key)"
        case .everything: return nil
        }
    }

    /// The change in a payload another node sent; nil for this node's own, or for a payload it does not understand.
    public static func change(_ payload: String, ignoringNode node: String) -> StoreChange? {
        let parts = payload.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] != node, !parts[2].isEmpty else { return nil }
        let id = String(parts[2])
        switch parts[1] {
        case "c": return .connection(id)
        case "k": return .credentials(id)
        case "d": return .definition(id)
        default: return nil
        }
    }
}
