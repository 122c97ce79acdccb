import Foundation

/// A child process whose exit and output a test awaits without holding a thread of the concurrency pool.
///
/// The pool has as many threads as the machine has cores (two in CI) and every test of the process shares it: one
/// `waitUntilExit()` or blocking pipe read per core stalls every other test, and the timed ones fail. So the output is
/// read by a thread of its own per pipe, the exit is reported by `terminationHandler`, and awaiting either suspends.
///
/// The readers stop at end of file, or once the process has exited and its pipe holds nothing more: the write end can
/// stay open after the exit when another child spawned at the same moment inherited it, and waiting for end of file
/// would then wait for that other child.
public final class ChildProcess: @unchecked Sendable {
    /// What became of the process: its exit status or signal, and everything it wrote.
    public struct Outcome: Sendable {
        public let status: Int32
        /// True when a signal ended the process (`status` is then the signal number).
        public let signalled: Bool
        public let standardOutput: String
        public let standardError: String
    }

    private let process: Process
    private let lock = NSLock()
    private var stdout = Data()
    private var stderr = Data()
    private var openReaders = 0
    private var exit: (status: Int32, signalled: Bool)?
    private var waiters: [(condition: () -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    /// Starts `executable` with `arguments`. Standard output and error are captured unless given `nil` (then they go
    /// to /dev/null); standard input is /dev/null.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil, captureOutput: Bool = true,
        captureError: Bool = true
    ) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        p.standardInput = FileHandle.nullDevice
        let out = captureOutput ? Pipe() : nil
        let err = captureError ? Pipe() : nil
        p.standardOutput = out ?? FileHandle.nullDevice
        p.standardError = err ?? FileHandle.nullDevice
        process = p
        p.terminationHandler = { [weak self] finished in
            self?.update { $0.exit = (finished.terminationStatus, finished.terminationReason == .uncaughtSignal) }
        }
        try p.run()
        // The parent's copies of the write ends: closed, so that end of file comes when the child closes its own.
        try out?.fileHandleForWriting.close()
        try err?.fileHandleForWriting.close()
        if let out { startReader(out.fileHandleForReading, isError: false) }
        if let err { startReader(err.fileHandleForReading, isError: true) }
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Everything written to standard output so far.
    public var standardOutput: String { lock.withLock { String(decoding: stdout, as: UTF8.self) } }

    /// Everything written to standard error so far.
    public var standardError: String { lock.withLock { String(decoding: stderr, as: UTF8.self) } }

    /// Whether the process has not yet been seen to exit.
    public var isRunning: Bool { lock.withLock { exit == nil } }

    /// Sends `signal` to the process if it is still running.
    public func send(_ signal: Int32) {
        if isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the exit and the last of the output.
    @discardableResult
    public func outcome() async -> Outcome {
        await wait { $0.exit != nil && $0.openReaders == 0 }
        return lock.withLock {
            Outcome(
                status: exit!.status, signalled: exit!.signalled, standardOutput: String(decoding: stdout, as: UTF8.self),
                standardError: String(decoding: stderr, as: UTF8.self))
        }
    }

    /// Waits until `predicate` holds for (standard output, standard error) and answers true, or answers false once the
    /// process has exited without it holding, or `timeout` has passed.
    public func waitForOutput(timeout: Duration = .seconds(60), where predicate: @escaping (String, String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        // A change at the deadline, so that the condition is checked then even if nothing else happens.
        let tick = Task { [weak self] in
            try? await Task.sleep(until: deadline)
            self?.update { _ in }
        }
        defer { tick.cancel() }
        func holds(_ state: ChildProcess) -> Bool {
            predicate(String(decoding: state.stdout, as: UTF8.self), String(decoding: state.stderr, as: UTF8.self))
        }
        await wait { holds($0) || ($0.exit != nil && $0.openReaders == 0) || ContinuousClock.now >= deadline }
        return lock.withLock { holds(self) }
    }

    /// Waits for the exit (SIGKILL first if `kill`), without waiting for pipes another process may hold open.
    public func terminate(kill: Bool = true) async {
        if kill { send(SIGKILL) }
        await wait { $0.exit != nil }
    }

    // MARK: - State

    /// Suspends until `condition` holds; conditions are checked under the lock on every change.
    private func wait(_ condition: @escaping (ChildProcess) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = lock.withLock { () -> Bool in
                if condition(self) { return true }
                waiters.append(({ condition(self) }, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Applies `change` under the lock and resumes the waiters whose condition now holds.
    private func update(_ change: (ChildProcess) -> Void) {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            change(self)
            var ready: [CheckedContinuation<Void, Never>] = []
            waiters.removeAll { waiter in
                guard waiter.condition() else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private func startReader(_ handle: FileHandle, isError: Bool) {
        lock.withLock { openReaders += 1 }
        let fd = handle.fileDescriptor
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let exitedBefore = lock.withLock { exit != nil }
                var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pollFD, 1, 100)
                if ready > 0 {
                    let n = read(fd, &chunk, chunk.count)
                    if n > 0 {
                        let bytes = chunk[0..<n]
                        update { state in
                            if isError { state.stderr.append(contentsOf: bytes) } else { state.stdout.append(contentsOf: bytes) }
                        }
                        continue
                    }
                    if n < 0 && errno == EINTR { continue }
                    break  // end of file (or an error: nothing more to read)
                }
                if ready < 0 && errno == EINTR { continue }
                // Nothing to read: once the process had exited before this poll, everything it wrote has been read.
                if exitedBefore || ready < 0 { break }
            }
            try? handle.close()
            update { $0.openReaders -= 1 }
        }
        thread.name = "child-process-reader"
        thread.start()
    }

    deinit {
        if exit == nil { kill(process.processIdentifier, SIGKILL) }
    }
}
