import Synchronization

/// A clock that only moves when told to: the test double for ``ResilienceClock``.
///
/// Sleepers are resumed, in deadline order, by ``advance(by:)`` or ``advance(to:)``; a cancelled
/// sleeper leaves at once with `CancellationError`. ``waitForSleepers(count:)`` lets a test wait
/// until the code under test has actually gone to sleep before moving time, so no real sleeps
/// are needed.
///
/// ```swift
/// let clock = ManualClock()
/// async let done: Void = clock.sleep(for: .seconds(5))
/// await clock.waitForSleepers(count: 1)
/// clock.advance(by: .seconds(5))
/// try await done
/// ```
public final class ManualClock: ResilienceClock {
    private struct Sleeper {
        var deadline: ResilienceInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: ResilienceInstant
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var sleeperWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var totalSleeps = 0
    }

    private let state: Mutex<State>

    /// Creates a clock reading `start` (the epoch by default).
    public init(start: ResilienceInstant = .epoch) {
        state = Mutex(State(now: start))
    }

    public var now: ResilienceInstant { state.withLock { $0.now } }

    /// How many tasks are currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// How many sleeps have ever started on this clock (including those that returned at once).
    public var totalSleeps: Int { state.withLock { $0.totalSleeps } }

    public func sleep(until deadline: ResilienceInstant) async throws {
        let id = state.withLock { s -> Int? in
            s.totalSleeps += 1
            if deadline <= s.now { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else {
            try Task.checkCancellation()
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let watchers = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                        return []
                    }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return Self.takeSatisfiedWatchers(&s)
                }
                for w in watchers { w.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let target = now + duration
        advance(to: target)
    }

    /// Moves time to `instant` (never backwards) and wakes every sleeper whose deadline has come.
    public func advance(to instant: ResilienceInstant) {
        let due = state.withLock { s -> [Sleeper] in
            if instant > s.now { s.now = instant }
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers.removeValue(forKey: id) }
            return ready.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock.
    public func waitForSleepers(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.sleepers.count >= count { return true }
                s.sleeperWatchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func takeSatisfiedWatchers(_ s: inout State) -> [CheckedContinuation<Void, Never>] {
        var ready: [CheckedContinuation<Void, Never>] = []
        s.sleeperWatchers.removeAll { watcher in
            if s.sleepers.count >= watcher.count {
                ready.append(watcher.continuation)
                return true
            }
            return false
        }
        return ready
    }
}
