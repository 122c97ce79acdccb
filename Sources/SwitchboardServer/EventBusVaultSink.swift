import JSONValue
import SwitchboardEngine
import SwitchboardVault

/// Sends the vault's events (`integration.connected`, `integration.auth.failed`, ...) to the event bus, so they are
/// delivered to subscribers and stored in the events log like every other event.
struct EventBusVaultSink: VaultEventSink {
    let bus: EventBus

    func emit(type: String, connectionId: String, payload: JSON) {
        bus.emit(type, connectionId: connectionId, payload: payload.objectValue ?? ["value": payload])
    }
}
