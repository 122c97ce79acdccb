import Logging
import ServiceLifecycle
import Synchronization

/// Buffers items and writes them in batches off the hot path: every `interval`, or sooner when `batchSize`
/// items wait. `append` never blocks on I/O. Runs as a service; on graceful shutdown it writes what is left.
///
/// If the sink keeps failing, the buffer is bounded (`capacity`): the oldest items are dropped and counted,
/// so a database outage cannot exhaust memory.
public final class BatchWriter<Item: Sendable>: Service, Sendable {
    public struct Configuration: Sendable {
        public var interval: Duration
        public var batchSize: Int
        public var capacity: Int

        public init(interval: Duration = .milliseconds(50), batchSize: Int = 1000, capacity: Int = 200_000) {
            self.interval = interval
            self.batchSize = batchSize
            self.capacity = capacity
        }
    }

    private struct State {
        var pending: [Item] = []
        var dropped = 0
    }

    private let state = Mutex(State())
    /// Serializes writes so `flush()` waits for an in-flight batch.
    private let writing = AsyncSerialGate()
    private let sink: @Sendable ([Item]) async throws -> Void
    private let configuration: Configuration
    private let logger: Logger
    private let name: String

    public init(name: String, configuration: Configuration = .init(), logger: Logger, sink: @escaping @Sendable ([Item]) async throws -> Void) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
        self.sink = sink
    }

    /// Queues an item for the next batch.
    public func append(_ item: Item) {
        state.withLock { s in
            s.pending.append(item)
            if s.pending.count > configuration.capacity {
                let excess = s.pending.count - configuration.capacity
                s.pending.removeFirst(excess)
                s.dropped += excess
            }
        }
    }

    /// Items waiting to be written.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Writes everything queued so far (readers call this before answering, so they see their own writes).
    public func flush() async {
        await writing.run {
            while true {
                let (batch, dropped) = state.withLock { s -> ([Item], Int) in
                    let n = min(s.pending.count, configuration.batchSize)
                    let batch = Array(s.pending.prefix(n))
                    s.pending.removeFirst(n)
                    let d = s.dropped
                    s.dropped = 0
                    return (batch, d)
                }
                if dropped > 0 { logger.warning("dropped unwritten items", metadata: ["writer": "\(name)", "count": "\(dropped)"]) }
                if batch.isEmpty { return }
                do {
                    try await sink(batch)
                } catch {
                    // Put the batch back in front and retry on the next tick.
                    state.withLock { s in s.pending.insert(contentsOf: batch, at: 0) }
                    logger.error("batch write failed; will retry", metadata: ["writer": "\(name)", "error": "\(String(describing: error))"])
                    return
                }
            }
        }
    }

    /// Writes a batch every `interval` until shutdown. The owner flushes what is left once the loop ends and before
    /// closing the database (see the application's shutdown sequence), so nothing is written to a closed store.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            await flush()
        }
    }
}

/// Runs async closures one at a time, in arrival order.
final class AsyncSerialGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func run<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.busy {
                    s.waiters.append(c)
                    return false
                }
                s.busy = true
                return true
            }
            if now { c.resume() }
        }
        defer {
            let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
                if s.waiters.isEmpty {
                    s.busy = false
                    return nil
                }
                return s.waiters.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
