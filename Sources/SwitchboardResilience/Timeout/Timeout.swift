/// Runs `operation`, failing with `error` (by default `TIMEOUT`) if it has not finished within
/// `timeout` on `clock`.
///
/// The operation runs in a child task and is cancelled when the timer wins; the call returns
/// once the operation has observed the cancellation (structured concurrency: nothing is left
/// running). An operation that ignores cancellation delays the error until it returns.
///
/// ```swift
/// let body = try await withTimeout(.seconds(10), clock: clock, error: .attemptTimeout(after: .seconds(10))) {
///     try await client.execute(request)
/// }
/// ```
public func withTimeout<T: Sendable, C: ResilienceClock>(
    _ timeout: Duration,
    clock: C,
    error: ResilienceError? = nil,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let error = error ?? .timeout(after: timeout)
    return try await withThrowingTaskGroup(of: TimeoutRace<T>.self) { group in
        group.addTask { .finished(try await operation()) }
        group.addTask {
            try await clock.sleep(for: timeout)
            return .timedOut
        }
        defer { group.cancelAll() }
        switch try await group.next()! {
        case .finished(let value): return value
        case .timedOut: throw error
        }
    }
}

private enum TimeoutRace<T: Sendable>: Sendable {
    case finished(T)
    case timedOut
}

extension ResilienceError {
    /// `TIMEOUT`: the total time allowed for the call ran out.
    public static func timeout(after duration: Duration) -> ResilienceError {
        ResilienceError(code: .timeout, message: "the call did not complete within \(formatted(duration))")
    }

    /// `ATTEMPT_TIMEOUT`: one attempt ran out of time.
    public static func attemptTimeout(after duration: Duration) -> ResilienceError {
        ResilienceError(code: .attemptTimeout, message: "the attempt did not complete within \(formatted(duration))")
    }

    /// `1500 ms`, `0.5 ms`; from a minute on in whole seconds, rounded up (`3600 s`: a provider's Retry-After date
    /// gives fractions of milliseconds no one reads).
    static func formatted(_ d: Duration) -> String {
        let ms = d.milliseconds
        if ms >= 60_000 { return "\(Int64(min((ms / 1000).rounded(.up), 9e15))) s" }
        return ms == ms.rounded() ? "\(Int64(ms)) ms" : "\(ms) ms"
    }
}
