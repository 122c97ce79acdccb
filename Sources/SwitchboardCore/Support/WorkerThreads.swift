import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A task executor with threads of its own. Tasks that prefer it (`Task(executorPreference:)`,
/// `withTaskExecutorPreference`) run their jobs there instead of on the cooperative pool or, in the server, on the
/// event loops that serve as the global executor.
///
/// Two uses: long stretches of CPU work (parsing and hashing a sync page) that should not hold a thread other work
/// needs promptly, at a lower scheduling priority (`nice`) so that they fill idle time; and blocking calls (SQLite's
/// C API) that must not block the cooperative pool or an event loop.
///
/// Jobs run in the order they were enqueued; a task's jobs never run at the same time (a task has at most one job
/// enqueued), so any number of threads can serve any number of tasks.
public final class WorkerThreads: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [UnownedJob] = []
    private var head = 0

    /// Starts `threads` threads named `name-N` (keep `name` short: the system shows 15 bytes); `nice` above 0 lowers
    /// their scheduling priority (Linux).
    public init(name: String, threads: Int, nice: Int32 = 0) {
        for i in 0..<max(1, threads) {
            let threadName = "\(name)-\(i)"
            let thread = Thread { [self] in
                #if os(Linux)
                // Named from inside the thread so that the system (ps, top, perf) shows it: at most 15 bytes.
                if let comm = fopen("/proc/thread-self/comm", "w") {
                    fputs(String(threadName.utf8.prefix(15)) ?? "", comm)
                    fclose(comm)
                }
                // On Linux the priority of `who = 0` is the calling thread's own.
                if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
                #endif
                self.serve()
            }
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}
