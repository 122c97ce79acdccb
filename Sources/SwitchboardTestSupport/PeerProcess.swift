import Foundation

/// A real third-party server started for a test on 127.0.0.1 (httpbin, an Authlib OAuth server, a GraphQL or
/// SOAP server...), from the test virtualenv that scripts/test prepares. Stopped when the value is stopped or
/// deallocated.
///
/// The peer script is given `--port 0` (or a fixed port) and must print `LISTENING <port>` on stdout once it accepts
/// connections; scripts live in `Tests/peers/`.
public final class PeerProcess: @unchecked Sendable {
    public let port: Int
    public let baseURL: String
    private let process: Process

    /// The Python interpreter of the test virtualenv (SWITCHBOARD_TEST_PYTHON), or python3.
    public static var python: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_PYTHON"] ?? RepositoryFiles.root + "/.venv-test/bin/python"
    }

    /// Starts `Tests/peers/<script>` with `arguments` and waits (up to `timeout` seconds) for its LISTENING line.
    public init(script: String, arguments: [String] = [], timeout: Double = 30) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.python)
        p.arguments = [RepositoryFiles.root + "/Tests/peers/" + script] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = Data()
        var found: Int?
        let handle = out.fileHandleForReading
        while found == nil && Date() < deadline && p.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }) {
                found = Int(line.dropFirst("LISTENING ".count).trimmingCharacters(in: .whitespaces))
            }
        }
        guard let port = found else {
            p.terminate()
            throw TestSetupError("peer \(script) did not start (is the test virtualenv installed? run scripts/test)")
        }
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
        // Keep draining stdout so the peer never blocks on a full pipe.
        handle.readabilityHandler = { h in _ = h.availableData }
    }

    /// Stops the peer with SIGKILL (test peers need no graceful shutdown, and a peer that inherited an ignored
    /// SIGTERM from the test runner would never exit on `terminate()`).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Peers shared by every test of a test process, started on first use. Their scripts exit when the test
/// process does.
public enum SharedPeers {
    private static let httpbinPeer: Result<PeerProcess, any Error> = Result { try PeerProcess(script: "httpbin_server.py", arguments: ["--port", "0"]) }

    /// A real httpbin on 127.0.0.1.
    public static func httpbin() throws -> PeerProcess { try httpbinPeer.get() }

    private static let flakyPeer: Result<PeerProcess, any Error> = Result { try PeerProcess(script: "flaky_server.py", arguments: ["--port", "0"]) }

    /// Our own small upstream that fails N times per key then succeeds (where httpbin cannot), counting requests.
    public static func flaky() throws -> PeerProcess { try flakyPeer.get() }
}
