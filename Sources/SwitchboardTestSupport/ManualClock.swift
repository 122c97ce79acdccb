import Synchronization
import SwitchboardCore

/// A wall clock tests move by hand.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)) { current = Mutex(start) }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func advance(milliseconds: Int64) { current.withLock { $0.millisecondsSinceEpoch += milliseconds } }
}
