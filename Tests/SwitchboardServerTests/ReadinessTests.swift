import Testing

@testable import SwitchboardServer

/// `/ready` answers within its limit whatever the database does: a readiness probe wants an answer in seconds, and
/// PostgreSQL's pool used to hold the check about a minute for a server that was down.
@Suite struct ReadinessTests {
    @Test func thePingIsGivenUpAtItsLimit() async {
        let started = ContinuousClock.now
        let silent = await HealthController.ping(within: .milliseconds(100)) { try await Task.sleep(for: .seconds(3600)) }
        #expect(silent == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(30))  // not the hour: the ping was cancelled
        #expect(await HealthController.ping(within: .seconds(30)) {} == .answered)
        struct Refused: Error {}
        #expect(await HealthController.ping(within: .seconds(30)) { throw Refused() } == .failed)
    }
}
