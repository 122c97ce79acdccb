import JSONValue
import Logging
import Synchronization
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
        func transaction<T: Sendable>(_ body: nonisolated(nonsending) @Sendable (any SQLExecutor) async throws -> T) async throws -> T { try await body(self) }
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

/// With the database unavailable the sync worker logs its failing claims when they start, not on every poll (it used to
/// log a warning per poll, every second, for as long as the outage lasted), and says when claims work again.
@Suite struct SyncWorkerOutageTests {
    /// Every statement fails at once as unavailable while `isDown`, and returns no rows otherwise. A fake: a real
    /// server cannot be switched between down and up inside a test's loop.
    final class FlakyDatabase: SQLDatabase {
        let isDown = Mutex(true)
        /// Statements refused so far.
        let refused = Mutex(0)
        var dialect: SQLDialect { .sqlite }
        func check() throws {
            guard isDown.withLock({ $0 }) else { return }
            refused.withLock { $0 += 1 }
            throw DatabaseError(kind: .unavailable, message: "down")
        }
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try check()
            return []
        }
        func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult {
            try check()
            return SQLStatementResult(rows: [], rowCount: 0)
        }
        func transaction<T: Sendable>(_ body: nonisolated(nonsending) @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
            try check()
            return try await body(self)
        }
        func ping() async throws { try check() }
        func close() async throws {}
    }

    @Test func failingClaimsAreLoggedWhenTheyStartAndWhenTheyEnd() async throws {
        let logs = CapturedLogs()
        let database = FlakyDatabase()
        let engine = SyncEngine(
            database: database, source: SyncServicesShutdownTests.NoSource(), catalog: SyncServicesShutdownTests.SilentCatalog(), events: nil,
            clock: ManualWallClock(), logger: logs.logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: SyncWorker(engine: engine, pollInterval: .milliseconds(1)))], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        // Several claims fail (each one's first statement fails at once; the polls back off 2, 4, 8, ... ms).
        for _ in 0..<600 where database.refused.withLock({ $0 }) < 5 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(database.refused.withLock { $0 } >= 5)
        #expect(logs.lines(containing: "sync worker claims failing").count == 1, "\(logs.all)")
        #expect(logs.lines(containing: "still failing").isEmpty, "\(logs.all)")
        database.isDown.withLock { $0 = false }
        var resumed: [String] = []
        for _ in 0..<600 where resumed.isEmpty {  // the next poll is at most 10 s away
            try await Task.sleep(for: .milliseconds(100))
            resumed = logs.lines(containing: "sync worker claims resumed")
        }
        #expect(resumed.count == 1, "\(logs.all)")
        // Several claims had failed: one line for all of them.
        let failures = resumed.first.flatMap { line in
            line.split(separator: "\"failures\": ").dropFirst().first.map { Int($0.prefix { $0.isNumber }) ?? 0 }
        }
        #expect((failures ?? 0) > 1, "\(logs.all)")
        await group.triggerGracefulShutdown()
        _ = await running.result
    }
}

/// A claim interrupted by graceful shutdown after the database took it: the worker gives back what it holds, so the run
/// is queued again at once instead of waiting out its lease.
@Suite struct SyncWorkerInterruptedClaimTests {
    /// The real database, except that the answer to a claim never arrives: the claim is taken, then the statement
    /// waits until it is cancelled, as a claim whose answer was on its way when shutdown gave it up. A fake in front of
    /// the real store: no server can be made to lose an answer on purpose.
    final class LostClaimAnswer: SQLDatabase {
        let inner: any SQLDatabase
        let claimed = AsyncStream<Void>.makeStream()
        init(_ inner: any SQLDatabase) { self.inner = inner }
        var dialect: SQLDialect { inner.dialect }
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            let rows = try await inner.query(sql, binds)
            if sql.contains("SET status = 'running', lease_owner = ?"), !rows.isEmpty {
                claimed.continuation.yield()
                try await Task.sleep(for: .seconds(3600))
            }
            return rows
        }
        func run(_ sql: String, _ binds: [SQLValue]) async throws -> SQLStatementResult { try await inner.run(sql, binds) }
        func transaction<T: Sendable>(_ body: nonisolated(nonsending) @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
            try await inner.transaction(body)
        }
        func ping() async throws { try await inner.ping() }
        func close() async throws {}
    }

    @Test(arguments: TestBackend.available)
    func aClaimGivenUpAtShutdownIsQueuedAgainAtOnce(_ backend: TestBackend) async throws {
        try await SyncHarness.with(backend, records: 10, syncs: [SyncHarness.sync("s", style: "cursor", pageSize: 5)]) { h in
            let (run, _) = try await h.engine.start(connectionId: h.connectionId, syncName: "s")
            let database = LostClaimAnswer(h.engine.records.db)
            let engine = SyncEngine(
                database: database, source: h.engine.source, catalog: h.engine.catalog, events: nil, clock: h.clock, logger: h.engine.logger,
                configuration: h.engine.configuration)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: SyncWorker(engine: engine, owner: "worker-interrupted", pollInterval: .milliseconds(10)))],
                    logger: Logger(label: "test")))
            let running = Task { try await group.run() }
            for await _ in database.claimed.stream { break }
            let held = try #require(try await h.engine.runs.get(id: run.id))
            #expect(held.status == .running && held.leaseOwner == "worker-interrupted", "\(held.json)")
            await group.triggerGracefulShutdown()
            _ = await running.result
            let after = try #require(try await h.engine.runs.get(id: run.id))
            #expect(after.status == .queued, "\(after.json)")
            #expect(after.leaseOwner == nil, "\(after.json)")
            // Another worker takes it at once (no lease to wait out) and finishes it.
            let finished = try await h.runToEnd("s", owner: "worker-2")
            #expect(finished.id == run.id && finished.status == .completed, "\(finished.json)")
            #expect(finished.counts.created == 10, "\(finished.json)")
        }
    }
}
