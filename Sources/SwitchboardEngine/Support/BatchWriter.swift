import Logging
import ServiceLifecycle
import SwitchboardCore
import Synchronization

/// Buffers items and writes them in batches off the hot path: every `interval`, or sooner when `batchSize`
/// items wait. `append` never blocks on I/O. Runs as a service; on graceful shutdown it writes what is left.
///
/// If the sink keeps failing, the buffer is bounded (`capacity`): the oldest items are dropped and counted,
/// so a database outage cannot exhaust memory. A batch that fails for good (`isPermanent`: a value the store refuses)
/// is written in halves down to single items, and only the items the sink refuses are dropped and counted: one item
/// cannot hold back every later one. What is still unwritten when the writer closes is dropped and counted too.
///
/// During an outage the writer retries less and less often (the interval doubled per failed write, up to
/// `maxRetryDelay`) and logs the outage three times at most per `outageLogInterval`: when it starts, while it lasts,
/// and when writes succeed again (it used to log an error on every tick, twenty a second per writer).
public final class BatchWriter<Item: Sendable>: Service, Sendable {
    public struct Configuration: Sendable {
        public var interval: Duration
        public var batchSize: Int
        public var capacity: Int
        /// Whether a write that failed with this error would fail again however often it is retried (the store refused
        /// a value), rather than for a while (the database is unavailable). By default no failure is permanent.
        public var isPermanent: @Sendable (any Error) -> Bool
        /// The longest wait between two writes while they fail.
        public var maxRetryDelay: Duration
        /// How often a continuing outage is logged again.
        public var outageLogInterval: Duration

        public init(
            interval: Duration = .milliseconds(50), batchSize: Int = 1000, capacity: Int = 200_000,
            maxRetryDelay: Duration = .seconds(5), outageLogInterval: Duration = .seconds(60),
            isPermanent: @escaping @Sendable (any Error) -> Bool = { _ in false }
        ) {
            self.interval = interval
            self.batchSize = batchSize
            self.capacity = capacity
            self.maxRetryDelay = maxRetryDelay
            self.outageLogInterval = outageLogInterval
            self.isPermanent = isPermanent
        }
    }

    private struct State {
        var pending: [Item] = []
        var dropped = 0
        /// Set by `close(within:)`: the loop writes no more.
        var isClosed = false
        /// Writes that failed in a row (not permanently), and when to log them.
        var outage: OutageLog
    }

    private let state: Mutex<State>
    /// The loop's write in progress, which `close(within:)` cancels when the database does not answer in time.
    private let periodic = Mutex<Task<Void, Never>?>(nil)
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
        state = Mutex(State(outage: OutageLog(interval: configuration.outageLogInterval)))
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
                let outcome = await write(batch[...])
                if outcome.refused > 0 {
                    logger.error(
                        "dropped items the store refused",
                        metadata: ["writer": "\(name)", "count": "\(outcome.refused)", "error": "\(outcome.refusal ?? "")"])
                }
                if let failure = outcome.failure {
                    // Put what is left of the batch back in front and retry on a later tick.
                    let now = ContinuousClock.now
                    let (report, pending) = state.withLock { s in
                        s.pending.insert(contentsOf: outcome.unwritten, at: 0)
                        return (s.outage.failed(at: now), s.pending.count)
                    }
                    switch report {
                    case .started:
                        logger.error("batch write failed; will retry", metadata: ["writer": "\(name)", "error": "\(failure)"])
                    case .continuing(let failures, let since):
                        logger.error(
                            "batch writes still failing; will retry",
                            metadata: [
                                "writer": "\(name)", "failures": "\(failures)", "seconds": "\(since.components.seconds)",
                                "pending": "\(pending)", "error": "\(failure)",
                            ])
                    case .ended, nil: break
                    }
                    return
                }
                let now = ContinuousClock.now
                if case .ended(let failures, let since) = state.withLock({ $0.outage.succeeded(at: now) }) {
                    logger.warning(
                        "batch writes resumed", metadata: ["writer": "\(name)", "failures": "\(failures)", "seconds": "\(since.components.seconds)"])
                }
            }
        }
    }

    /// How writing a batch ended: the items a failure that is not permanent left unwritten, and the number of items
    /// the sink refused for good (dropped).
    struct Outcome {
        var unwritten: [Item] = []
        var failure: String?
        var refused = 0
        var refusal: String?
    }

    /// Writes `items`; when the sink refuses them for good, writes each half on its own, down to single items, so that
    /// only the items it refuses are dropped. A failure that is not permanent leaves the rest unwritten, untried.
    func write(_ items: ArraySlice<Item>) async -> Outcome {
        do {
            try await sink(Array(items))
            return Outcome()
        } catch {
            guard configuration.isPermanent(error) else { return Outcome(unwritten: Array(items), failure: String(describing: error)) }
            guard items.count > 1 else { return Outcome(refused: 1, refusal: String(describing: error)) }
            let middle = items.startIndex + items.count / 2
            var first = await write(items[..<middle])
            if first.failure != nil {
                first.unwritten += items[middle...]
                return first
            }
            let second = await write(items[middle...])
            return Outcome(
                unwritten: second.unwritten, failure: second.failure, refused: first.refused + second.refused,
                refusal: first.refusal ?? second.refusal)
        }
    }

    /// Writes what is queued, giving up after `limit` (a database that does not answer: its write is cancelled), then
    /// drops what could not be written, counted in the log: the last flush at shutdown, after which nothing is retried.
    public func close(within limit: Duration = .seconds(10)) async {
        state.withLock { $0.isClosed = true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.flush() }
            group.addTask { try? await Task.sleep(for: limit) }
            _ = await group.next()
            group.cancelAll()
            // The loop's write still waiting for the database is given up too: this flush waits behind it.
            periodic.withLock { $0 }?.cancel()
        }
        if let write = periodic.withLock({ $0 }) { await write.value }
        let lost = state.withLock { s -> Int in
            defer {
                s.pending.removeAll()
                s.dropped = 0
            }
            return s.pending.count + s.dropped
        }
        if lost > 0 { logger.error("dropped unwritten items at shutdown", metadata: ["writer": "\(name)", "count": "\(lost)"]) }
    }

    /// Writes a batch every `interval` until shutdown. The owner flushes what is left once the loop ends and before
    /// closing the database (see the application's shutdown sequence), so nothing is written to a closed store.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let failures = state.withLock { $0.outage.failures }
            let delay = OutageLog.retryDelay(failures: failures, interval: configuration.interval, cap: configuration.maxRetryDelay)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            // Closed (the shutdown sequence wrote the rest): nothing more to write, but the service runs on until its
            // own turn to stop, as a service group expects.
            if state.withLock({ $0.isClosed }) { continue }
            // A task of its own, so that `close(within:)` can cancel it: a write waiting for a database that does not
            // answer would otherwise hold the writer, and the shutdown, until it does.
            let write = Task { await self.flush() }
            periodic.withLock { $0 = write }
            await write.value
            periodic.withLock { $0 = nil }
        }
    }
}

/// Runs `body`, cancelling it once `limit` has passed, and returns when it has returned (at once, when it stops on
/// cancellation): a bound on work that waits for a server that may never answer, such as the last writes at shutdown.
/// The body's result, or nil when the limit passed first.
@discardableResult
public func cancelling<T: Sendable>(after limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
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
