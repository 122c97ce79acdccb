#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import ServiceLifecycle
import Synchronization
import SwitchboardCore
import SwitchboardEngine
import SwitchboardStore

/// A worker: claims queued (or abandoned) runs and runs them, until graceful shutdown. On shutdown it stops after
/// the batch in progress commits and hands the run back to the queue, checkpoint saved.
public struct SyncWorker: Service {
    public let engine: SyncEngine
    public let owner: String
    public let pollInterval: Duration

    /// Opened once the database is migrated; the worker claims nothing before.
    public let gate: StartGate?

    public init(
        engine: SyncEngine, owner: String = Identifier.make(prefix: "worker_"), pollInterval: Duration = .seconds(1), gate: StartGate? = nil
    ) {
        self.engine = engine
        self.gate = gate
        self.owner = owner
        self.pollInterval = pollInterval
    }

    /// This process's name in run claims: host and process id.
    public static func nodeName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "node"
        return "\(host):\(getpid())"
    }

    public func run() async throws {
        await gate?.wait()
        let engine = engine
        let owner = owner
        // Claims that fail in a row (the database unavailable): logged when they start failing, once a minute while
        // they do, and when a claim succeeds again; the polls meanwhile back off up to 10 s.
        var claims = OutageLog()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let claimed: SyncRun?
            do {
                // Waiting for a claim is given up on shutdown: with the database down, PostgreSQL's pool holds a
                // request for a while, and shutdown waited as long.
                claimed = try await cancelWhenGracefulShutdown { try await engine.claimNext(owner: owner) }
                engine.logger.logOutage(claims.succeeded(at: .now), of: "sync worker claims", error: nil)
            } catch {
                claimed = nil
                if Task.isShuttingDownGracefully {
                    // The database may have taken the claim before it was given up: whatever this worker holds goes
                    // back to the queue now rather than when its lease expires. Bounded (briefly: the database may be
                    // what held the claim up).
                    await cancelling(after: .seconds(3)) { try? await engine.releaseAll(owner: owner) }
                } else {
                    engine.logger.logOutage(claims.failed(at: .now), of: "sync worker claims", error: error)
                }
            }
            guard let run = claimed else {
                let delay = OutageLog.retryDelay(failures: claims.failures, interval: pollInterval, cap: max(pollInterval, .seconds(10)))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                continue
            }
            // A claimed run is not interrupted: it stops after the batch it commits.
            do {
                let outcome = try await engine.runClaimed(run, owner: owner, shouldStop: { Task.isShuttingDownGracefully })
                if outcome == .stopped {
                    // Given back for another worker at once; bounded, as the database may not answer.
                    await cancelling(after: .seconds(10)) { try? await engine.release(runId: run.id, owner: owner) }
                }
            } catch {
                if !Task.isShuttingDownGracefully {
                    engine.logger.warning("sync worker error", metadata: ["error": "\(error)", "run.id": "\(run.id)"])
                }
            }
        }
    }
}

/// Holds services back until the application is ready (the database migrated), then lets them all go.
public final class StartGate: Sendable {
    private let isOpen = Mutex(false)

    public init() {}

    public func open() { isOpen.withLock { $0 = true } }

    /// Returns once the gate is open, or the service is shutting down.
    public func wait() async {
        while !isOpen.withLock({ $0 }) && !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The scheduler: queues runs of syncs whose schedule is due and which are not paused.
public struct SyncScheduler: Service {
    public let engine: SyncEngine
    public let tick: Duration

    public let gate: StartGate?

    public init(engine: SyncEngine, tick: Duration = .seconds(15), gate: StartGate? = nil) {
        self.engine = engine
        self.gate = gate
        self.tick = tick
    }

    public func run() async throws {
        await gate?.wait()
        let engine = engine
        var scans = OutageLog()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Given up on shutdown, as the worker's claim is (a run queued whose next time was not saved yet can be
            // queued once more after the restart).
            do {
                _ = try await cancelWhenGracefulShutdown { try await engine.scheduleDue() }
                engine.logger.logOutage(scans.succeeded(at: .now), of: "sync schedule scans", error: nil)
            } catch {
                if !Task.isShuttingDownGracefully { engine.logger.logOutage(scans.failed(at: .now), of: "sync schedule scans", error: error) }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
        }
    }
}

extension SyncEngine {
    /// Queues the runs that are due now; a schedule seen for the first time is due at its next time. Returns the runs queued.
    @discardableResult
    public func scheduleDue() async throws -> [SyncRun] {
        let now = clock.now()
        var queued: [SyncRun] = []
        for (connectionId, syncs) in try await catalog.allSyncs() {
            for sync in syncs {
                guard let schedule = sync.schedule else { continue }
                let state = try await runs.state(connectionId: connectionId, syncName: sync.name)
                if state?.paused == true { continue }
                guard let due = state?.nextRunAt else {
                    try await runs.setNextRun(schedule.next(after: now), connectionId: connectionId, syncName: sync.name, now: now)
                    continue
                }
                guard due <= now else { continue }
                let (run, isNew) = try await runs.enqueue(
                    connectionId: connectionId, syncName: sync.name, entityType: sync.entityType, mode: sync.mode.rawValue, trigger: "schedule", now: now)
                if isNew { queued.append(run) }
                try await runs.setNextRun(schedule.next(after: now), connectionId: connectionId, syncName: sync.name, now: now)
            }
        }
        return queued
    }
}
