import Foundation
import Logging
import NIOCore
import NIOPosix
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// On PostgreSQL an operation waits at most `connectionWait` for a connection from the pool, then fails as
/// `unavailable` (a 503 for the API), where postgres-nio's pool alone would keep it waiting about a minute; a statement
/// that has its connection is not limited. PostgreSQL only: SQLite has no pool to wait for.
@Suite struct PostgresConnectionWaitTests {
    /// Nothing listens on the port (the real "server down": every connection attempt is refused).
    @Test func aServerThatCannotBeReachedFailsAsUnavailableAfterTheWait() async throws {
        let port = try Self.closedPort()
        let db = try PostgresDatabase(url: "postgres://postgres@127.0.0.1:\(port)/postgres", logger: Logger(label: "test"), connectionWait: .milliseconds(300))
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await db.run() }
            let started = ContinuousClock.now
            let error = await #expect(throws: DatabaseError.self) { _ = try await db.query("SELECT 1", []) }
            #expect(error?.kind == .unavailable)
            #expect(error?.message.contains("gave no connection within") == true, "\(String(describing: error))")
            // Not the pool's minute; far above the 300 ms so a busy machine cannot make this fail.
            #expect(ContinuousClock.now - started < .seconds(30))
            await #expect(throws: DatabaseError.self) { try await db.transaction { tx in try await tx.execute("SELECT 1") } }
            group.cancelAll()
        }
    }

    /// The change feed's listener leases its connection with the same wait: with the server down its first attempt
    /// fails (and is logged) after the wait, not after the pool's minute, and it keeps trying.
    @Test func theChangeFeedListenerGivesUpWaitingAfterTheWaitToo() async throws {
        let port = try Self.closedPort()
        let db = try PostgresDatabase(url: "postgres://postgres@127.0.0.1:\(port)/postgres", logger: Logger(label: "test"), connectionWait: .milliseconds(300))
        let logs = CapturedLogs()
        let feed = ChangeFeed(database: db, logger: logs.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await db.run() }
            group.addTask { await feed.listen() }
            let started = ContinuousClock.now
            // Far above the 300 ms so a busy machine cannot make this fail, far below the pool's minute.
            while logs.lines(containing: "listening for other nodes' changes failing").isEmpty && ContinuousClock.now - started < .seconds(30) {
                try? await Task.sleep(for: .milliseconds(50))
            }
            let failing = logs.lines(containing: "listening for other nodes' changes failing")
            #expect(failing.count == 1, "\(logs.all)")
            #expect(failing.first?.contains("gave no connection within") == true, "\(logs.all)")
            #expect(!feed.isListening)
            group.cancelAll()
        }
    }

    /// A pool of one connection held by a transaction: a second operation fails as unavailable after the wait, the
    /// transaction then completes (with a statement longer than the wait), and the pool serves the next operation.
    @Test func aBusyPoolFailsTheWaiterButNotTheLongStatement() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        guard let admin = TestBackend.postgresAdminURL else {
            throw TestSetupError("CI is set but SWITCHBOARD_TEST_POSTGRES_URL is not: run the tests through scripts/test")
        }
        let db = try PostgresDatabase(url: admin, logger: Logger(label: "test"), maximumConnections: 1, connectionWait: .milliseconds(500))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await db.run() }
            // The pool's one connection opened first: a busy server (the whole suite at once meets max_connections)
            // may take longer than the wait to give it.
            var opened = false
            for _ in 0..<240 where !opened { opened = (try? await db.query("SELECT 1", [])) != nil }
            try #require(opened, "no connection to PostgreSQL in 240 attempts")
            let holding = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            let long = Task {
                defer { holding.continuation.finish() }
                return try await db.transaction { tx -> Int64? in
                    holding.continuation.yield()
                    for await _ in release.stream { break }  // holds the connection until the other call has failed
                    // Twice the wait: a statement is not cut by it.
                    return try await tx.query("SELECT 7::int8 AS n FROM pg_sleep(1)", []).first?.int("n")
                }
            }
            var held = false
            for await _ in holding.stream {
                held = true
                break
            }
            if !held {
                Issue.record("the long transaction did not start: \(await long.result)")
                return
            }
            do {
                _ = try await db.query("SELECT 1 AS n", [])
                Issue.record("the second operation got the pool's only connection while a transaction held it")
            } catch let error as DatabaseError {
                #expect(error.kind == .unavailable, "\(error)")
            }
            release.continuation.finish()
            #expect(try await long.value == 7)
            #expect(try await db.query("SELECT 2::int8 AS n", []).first?.int("n") == 2)
            group.cancelAll()
        }
    }

    /// A caller cancelled while it waits for a connection gets the cancellation, not `unavailable`.
    @Test func aCancelledWaiterIsNotReportedAsUnavailable() async throws {
        let port = try Self.closedPort()
        let db = try PostgresDatabase(
            url: "postgres://postgres@127.0.0.1:\(port)/postgres", logger: Logger(label: "test"), connectionWait: .seconds(3600))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await db.run() }
            let waiting = Task { _ = try await db.query("SELECT 1", []) }
            try await Task.sleep(for: .milliseconds(200))
            waiting.cancel()
            let result = await waiting.result
            guard case .failure(let error) = result else {
                Issue.record("the query succeeded against a closed port")
                return
            }
            #expect(error is CancellationError, "\(error)")
            group.cancelAll()
        }
    }

    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress!.port!
        try channel.close().wait()
        return port
    }
}
