import Logging
import Synchronization
import SwitchboardStore
import Testing

@testable import SwitchboardServer

/// At startup the server keeps trying to reach PostgreSQL (the migration) while it is unavailable, as when a container
/// starts beside it, and stops at once on any other error or when its patience is spent.
@Suite struct StartupRetryTests {
    final class Attempts: Sendable {
        let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    @Test func unavailableIsTriedAgainUntilItAnswers() async throws {
        let attempts = Attempts()
        try await retryingWhileUnavailable(for: .seconds(60), firstDelay: .milliseconds(10), logger: Logger(label: "test")) {
            if attempts.next() < 3 { throw DatabaseError(kind: .unavailable, message: "down") }
        }
        #expect(attempts.count.withLock { $0 } == 3)
    }

    @Test func otherErrorsAreNotTriedAgain() async throws {
        let attempts = Attempts()
        await #expect(throws: DatabaseError.self) {
            try await retryingWhileUnavailable(for: .seconds(60), firstDelay: .milliseconds(10), logger: Logger(label: "test")) {
                _ = attempts.next()
                throw DatabaseError(kind: .authenticationFailed, message: "refused")
            }
        }
        #expect(attempts.count.withLock { $0 } == 1)
    }

    @Test func patienceRunsOut() async throws {
        let attempts = Attempts()
        let error = await #expect(throws: DatabaseError.self) {
            try await retryingWhileUnavailable(for: .milliseconds(200), firstDelay: .milliseconds(10), logger: Logger(label: "test")) {
                _ = attempts.next()
                throw DatabaseError(kind: .unavailable, message: "down")
            }
        }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("gave up after trying for") == true, "\(String(describing: error))")
        #expect(attempts.count.withLock { $0 } > 1)  // tried again, then gave up instead of trying forever
    }
}
