import JSONValue
import Logging
import Synchronization
import SwitchboardCore

/// The in-process event bus: subscribers get every event as it is emitted; events are also written to the events
/// log in batches.
public final class EventBus: Sendable {
    private let subscribers = Mutex<[UInt64: AsyncStream<Event>.Continuation]>([:])
    private let nextId = Atomic<UInt64>(0)
    public let writer: BatchWriter<Event>?
    let clock: any WallClock

    public init(writer: BatchWriter<Event>?, clock: any WallClock = SystemWallClock()) {
        self.writer = writer
        self.clock = clock
    }

    /// Emits an event of `type` to every subscriber and to the log.
    @discardableResult
    public func emit(_ type: String, connectionId: String?, payload: JSONObject) -> Event {
        let now = clock.now()
        let event = Event(id: Identifier.make(prefix: "evt_", now: now), type: type, connectionId: connectionId, payload: payload, createdAt: now)
        writer?.append(event)
        for c in subscribers.withLock({ Array($0.values) }) { c.yield(event) }
        return event
    }

    /// A stream of the events emitted from now on (buffering the newest 10,000 if the subscriber is slow).
    public func subscribe() -> AsyncStream<Event> {
        let id = nextId.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }
}
