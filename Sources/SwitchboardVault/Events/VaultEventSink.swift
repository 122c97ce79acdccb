import JSONValue
import Synchronization

/// Where the vault sends its events (`integration.connected`, `integration.auth.failed`, `integration.credentials.refreshed`,
/// `integration.credentials.revoked`). The engine binds it to the event bus; payloads never hold a secret.
public protocol VaultEventSink: Sendable {
    func emit(type: String, connectionId: String, payload: JSON)
}

/// Drops events (until a real sink is bound).
public struct DiscardingEventSink: VaultEventSink {
    public init() {}
    public func emit(type: String, connectionId: String, payload: JSON) {}
}

/// Keeps every event in memory: for tests.
public final class RecordingEventSink: VaultEventSink {
    public struct Event: Sendable, Equatable {
        public var type: String
        public var connectionId: String
        public var payload: JSON
    }

    private let storage = Mutex<[Event]>([])
    public init() {}
    public func emit(type: String, connectionId: String, payload: JSON) {
        storage.withLock { $0.append(Event(type: type, connectionId: connectionId, payload: payload)) }
    }
    public var events: [Event] { storage.withLock { $0 } }
}
