import Synchronization

@testable import SwitchboardResilience

/// `t0 + ms` as an instant, for readable test timelines.
func at(ms: Int64, from origin: ResilienceInstant = t0) -> ResilienceInstant {
    origin + .milliseconds(ms)
}

/// An arbitrary origin well after the epoch, on a whole second.
let t0 = ResilienceInstant(secondsSinceEpoch: 1_700_000_000)

/// An error an upstream call throws in tests.
struct UpstreamError: Error, ResilienceClassifiable, Equatable {
    var attemptFailure: AttemptFailure

    static func status(_ code: Int, _ headers: HeaderFields = HeaderFields()) -> UpstreamError {
        UpstreamError(attemptFailure: .http(code, headers: headers))
    }
}

/// Collects values from concurrent tasks.
final class Recorder<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ item: T) { items.withLock { $0.append(item) } }
    var all: [T] { items.withLock { $0 } }
}

/// Counts calls from concurrent tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    @discardableResult func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
    var count: Int { value.withLock { $0 } }
}

/// Yields until `condition` holds (no sleeping; the other tasks get to run).
func eventually(_ condition: () -> Bool) async {
    while !condition() { await Task.yield() }
}
