import Synchronization

/// One ``Bulkhead`` per key (usually the connection ID), created on first use.
///
/// A changed configuration creates a new bulkhead for new calls; calls holding or waiting for a
/// slot of the old one finish there.
public final class BulkheadRegistry: Sendable {
    private let bulkheads = Mutex<[String: Bulkhead]>([:])

    public init() {}

    /// The bulkhead for `key`, created with `configuration` if absent or configured differently.
    public func bulkhead(for key: String, configuration: BulkheadConfiguration) -> Bulkhead {
        bulkheads.withLock { all in
            if let b = all[key], b.configuration == configuration { return b }
            let b = Bulkhead(configuration: configuration)
            all[key] = b
            return b
        }
    }

    /// Every bulkhead by key, e.g. for metrics (active and queued calls).
    public var all: [String: Bulkhead] { bulkheads.withLock { $0 } }
}
