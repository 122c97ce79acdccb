import Foundation

/// A real third-party server started for a test on 127.0.0.1 (httpbin, an Authlib OAuth server, a GraphQL or
/// SOAP server...), from the test virtualenv that scripts/test prepares. Stopped when the value is stopped or
/// deallocated.
///
/// The peer script is given `--port 0` (or a fixed port) and must print `LISTENING <port>` on stdout once it accepts
/// connections; scripts live in `Tests/peers/`.
public final class PeerProcess: Sendable {
    public let port: Int
    public let baseURL: String
    private let child: ChildProcess

    /// The Python interpreter of the test virtualenv (SWITCHBOARD_TEST_PYTHON), or python3.
    public static var python: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_PYTHON"] ?? RepositoryFiles.root + "/.venv-test/bin/python"
    }

    private init(child: ChildProcess, port: Int) {
        self.child = child
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
    }

    /// Starts `Tests/peers/<script>` with `arguments` and waits (up to `timeout`) for its LISTENING line, suspended:
    /// a peer's start-up (a second or more of Python imports, key generation) never holds a thread of the pool.
    public static func start(script: String, arguments: [String] = [], timeout: Duration = .seconds(30)) async throws -> PeerProcess {
        let child = try ChildProcess(
            executable: python, arguments: [RepositoryFiles.root + "/Tests/peers/" + script] + arguments, captureError: false)
        func listening(_ output: String) -> Int? {
            output.split(separator: "\n").first { $0.hasPrefix("LISTENING ") }
                .flatMap { Int($0.dropFirst("LISTENING ".count).trimmingCharacters(in: .whitespaces)) }
        }
        _ = await child.waitForOutput(timeout: timeout) { output, _ in listening(output) != nil }
        guard let port = listening(child.standardOutput) else {
            await child.terminate()
            throw TestSetupError("peer \(script) did not start (is the test virtualenv installed? run scripts/test)")
        }
        return PeerProcess(child: child, port: port)
    }

    /// Stops the peer with SIGKILL and waits (at most a second, the few milliseconds a killed process takes) for it to
    /// exit. Test peers need no graceful shutdown, and a peer that inherited an ignored SIGTERM from the test runner
    /// would never exit on SIGTERM.
    public func stop() {
        child.send(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(1)
        while child.isRunning && ContinuousClock.now < deadline { usleep(1_000) }
    }

    /// SIGKILL without waiting (the kernel closes the peer's sockets as it dies).
    deinit { child.send(SIGKILL) }
}

/// Peers shared by every test of a test process, started on first use. Their scripts exit when the test
/// process does.
public enum SharedPeers {
    private static let httpbinPeer = Task { try await PeerProcess.start(script: "httpbin_server.py", arguments: ["--port", "0"]) }

    /// A real httpbin on 127.0.0.1.
    public static func httpbin() async throws -> PeerProcess { try await httpbinPeer.value }

    private static let flakyPeer = Task { try await PeerProcess.start(script: "flaky_server.py", arguments: ["--port", "0"]) }

    /// Our own small upstream that fails N times per key then succeeds (where httpbin cannot), counting requests.
    public static func flaky() async throws -> PeerProcess { try await flakyPeer.value }
}
