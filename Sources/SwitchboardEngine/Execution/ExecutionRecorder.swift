import Logging
import Synchronization
import SwitchboardCore

/// Writes execution records and lastUsedAt updates in batches, so logging never adds a database round trip to a call.
public final class ExecutionRecorder: Sendable {
    public let writer: BatchWriter<ExecutionRecord>
    private let lastUsed: LastUsedTracker

    /// - Parameter configuration: the batch writer's; `isPermanent` tells the failures of the store that retrying
    ///   cannot mend (the server passes its database's).
    public init(
        executions: any ExecutionRepository, connections: any ConnectionRepository, logger: Logger,
        configuration: BatchWriter<ExecutionRecord>.Configuration = .init()
    ) {
        let tracker = LastUsedTracker()
        lastUsed = tracker
        writer = BatchWriter(name: "executions", configuration: configuration, logger: logger) { records in
            try await executions.insert(records)
            // lastUsedAt: one update per connection per batch, whatever the number of calls.
            for (id, at) in tracker.drain() { try await connections.touch(id: id, lastUsedAt: at) }
        }
    }

    func record(_ record: ExecutionRecord) { writer.append(record) }

    func touch(connectionId: String, at: Timestamp) { lastUsed.touch(connectionId, at) }

    /// Writes everything recorded so far.
    public func flush() async { await writer.flush() }
}

/// The newest use of each connection since the last batch.
final class LastUsedTracker: Sendable {
    private let latest = Mutex<[String: Timestamp]>([:])

    func touch(_ id: String, _ at: Timestamp) {
        latest.withLock { t in
            if let existing = t[id], existing >= at { return }
            t[id] = at
        }
    }

    func drain() -> [String: Timestamp] {
        latest.withLock { t in
            defer { t.removeAll() }
            return t
        }
    }
}
