import Synchronization

/// Limits concurrent calls (per connection), with a bounded FIFO wait queue.
///
/// A released slot goes straight to the longest waiter. A waiter leaves the queue when its task is
/// cancelled (it gets `CancellationError`) or when `maxWait` passes on the clock (it gets
/// `BULKHEAD_FULL`); a waiter that was granted a slot just as either happened keeps the slot, so
/// slots are never lost.
///
/// ```swift
/// let bulkhead = Bulkhead(configuration: .init(maxConcurrent: 10, maxQueue: 50))
/// let value = try await bulkhead.withPermit(clock: clock) { try await call() }
/// ```
public final class Bulkhead: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var active = 0
        var queue: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private enum Admission {
        case granted
        case full
        case enqueue(UInt64)
    }

    private enum Placement {
        case granted
        case queued
        case full
        case cancelled
    }

    public let configuration: BulkheadConfiguration
    private let state = Mutex(State())

    public init(configuration: BulkheadConfiguration) {
        self.configuration = configuration
    }

    /// Calls holding a slot.
    public var activeCount: Int { state.withLock { $0.active } }
    /// Calls waiting for a slot.
    public var queuedCount: Int { state.withLock { $0.queue.count } }

    /// Takes a slot, waiting in the queue if allowed. Pair with ``release()``.
    ///
    /// - Throws: `ResilienceError` `BULKHEAD_FULL`, or `CancellationError`.
    public func acquire<C: ResilienceClock>(clock: C) async throws {
        let admission = state.withLock { s -> Admission in
            if s.active < configuration.maxConcurrent {
                s.active += 1
                return .granted
            }
            if s.queue.count >= configuration.maxQueue || configuration.maxWait == .zero { return .full }
            s.nextID += 1
            return .enqueue(s.nextID)
        }
        switch admission {
        case .granted: return
        case .full: throw full(waited: false)
        case .enqueue(let id):
            guard let maxWait = configuration.maxWait else {
                try await waitForSlot(id)
                return
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await clock.sleep(for: maxWait)
                    self.expire(id)
                }
                defer { group.cancelAll() }
                try await waitForSlot(id)
            }
        }
    }

    /// Gives a slot back, handing it to the longest waiter if there is one.
    public func release() {
        let next = state.withLock { s -> Waiter? in
            if s.queue.isEmpty {
                s.active -= 1
                return nil
            }
            return s.queue.removeFirst()
        }
        next?.continuation.resume()
    }

    /// Runs `body` holding a slot.
    public func withPermit<T: Sendable, C: ResilienceClock>(clock: C, _ body: () async throws -> T) async throws -> T {
        try await acquire(clock: clock)
        defer { release() }
        return try await body()
    }

    private func waitForSlot(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let placement = state.withLock { s -> Placement in
                    if Task.isCancelled { return .cancelled }
                    if s.active < configuration.maxConcurrent {  // a slot freed since the first check
                        s.active += 1
                        return .granted
                    }
                    if s.queue.count >= configuration.maxQueue { return .full }
                    s.queue.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch placement {
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .full: continuation.resume(throwing: full(waited: false))
                case .queued: break
                }
            }
        } onCancel: {
            remove(id)?.resume(throwing: CancellationError())
        }
    }

    private func expire(_ id: UInt64) {
        remove(id)?.resume(throwing: full(waited: true))
    }

    private func remove(_ id: UInt64) -> CheckedContinuation<Void, any Error>? {
        state.withLock { s in
            guard let i = s.queue.firstIndex(where: { $0.id == id }) else { return nil }
            return s.queue.remove(at: i).continuation
        }
    }

    private func full(waited: Bool) -> ResilienceError {
        let c = configuration
        let message =
            waited
            ? "no slot freed within \(ResilienceError.formatted(c.maxWait ?? .zero)) (\(c.maxConcurrent) concurrent calls allowed)"
            : "\(c.maxConcurrent) calls running and \(c.maxQueue) waiting"
        return ResilienceError(code: .bulkheadFull, message: message)
    }
}
