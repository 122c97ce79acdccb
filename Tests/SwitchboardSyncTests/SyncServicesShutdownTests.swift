import JSONValue
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardStore
import SwitchboardSync
import SwitchboardTestSupport
import Testing

/// The sync worker and scheduler stop at graceful shutdown while the database does not answer. With PostgreSQL down,
/// its pool holds each request for about a minute, and shutdown used to wait that long for the worker's claim and the
/// scheduler's scan. Here a database (and catalog) that never answer stands in for it: a fake, as no real server can
/// be made to hang on purpose.
@Suite struct SyncServicesShutdownTests {
    /// Every statement waits until it is cancelled.
    struct SilentDatabase: SQLDatabase {
        var dialect: SQLDialect { .sqlite }
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await Task.sleep(for: .seconds(3600))
            return []
        }
        func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult {
            try await Task.sleep(for: .seconds(3600))
            return SQLStatementResult(rows: [], rowCount: 0)
        }
        func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T { try await body(self) }
        func ping() async throws { try await Task.sleep(for: .seconds(3600)) }
        func close() async throws {}
    }

    struct SilentCatalog: SyncCatalog {
        func syncs(connectionId: String) async throws -> [SyncDefinition] {
            try await Task.sleep(for: .seconds(3600))
            return []
        }
        func allSyncs() async throws -> [(connectionId: String, syncs: [SyncDefinition])] {
            try await Task.sleep(for: .seconds(3600))
            return []
        }
    }

    struct NoSource: SyncPageSource {
        func fetchPage(connectionId: String, method: String, params: JSON) async -> SyncPageResult {
            SyncPageResult(data: nil, error: SwitchboardError(code: "NONE", message: "no source", status: 500), attempts: 1, headers: [])
        }
    }

    @Test func workerAndSchedulerStopAtShutdownWhileTheDatabaseDoesNotAnswer() async throws {
        let logger = Logger(label: "test.sync.shutdown")
        let engine = SyncEngine(
            database: SilentDatabase(), source: NoSource(), catalog: SilentCatalog(), events: nil, clock: ManualWallClock(), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: SyncWorker(engine: engine, pollInterval: .milliseconds(10))),
                    .init(service: SyncScheduler(engine: engine, tick: .milliseconds(10))),
                ], logger: logger))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(300))  // both are waiting for the database by now
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        // Bounded: without the fix the services would wait out the database's hour; cancelled then.
        let stopped = Task {
            try? await Task.sleep(for: .seconds(60))
            running.cancel()
        }
        _ = await running.result
        stopped.cancel()
        #expect(ContinuousClock.now - started < .seconds(30), "shutdown waited for the database")
    }
}
