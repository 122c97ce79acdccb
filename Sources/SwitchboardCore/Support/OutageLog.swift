import Logging

/// When a loop that retries a failing operation (a batch write, a sync worker's claim) should say so in the log: at
/// the first failure, again every `interval` while the failures go on, and once when the operation succeeds again.
/// Without it such a loop logs on every attempt, during a database outage several lines a second per loop.
///
/// A value type: the caller keeps it (under its own lock if it is shared) and passes the time of each outcome.
public struct OutageLog: Sendable {
    /// What to log after an outcome.
    public enum Report: Sendable, Equatable {
        /// The first failure after a success (or the first attempt).
        case started
        /// Failures go on: `failures` in a row, the first `since` ago.
        case continuing(failures: Int, since: Duration)
        /// A success after `failures` failures in a row, the first `since` ago.
        case ended(failures: Int, since: Duration)
    }

    /// How often a continuing outage is reported again.
    public let interval: Duration
    /// Failures in a row up to now (0 when the last outcome was a success).
    public private(set) var failures = 0
    private var started: ContinuousClock.Instant?
    private var reported: ContinuousClock.Instant?

    public init(interval: Duration = .seconds(60)) { self.interval = interval }

    /// An attempt failed at `now`: `.started` for the first failure in a row, `.continuing` when the outage was last
    /// reported `interval` ago or more, otherwise nil (nothing to log).
    public mutating func failed(at now: ContinuousClock.Instant) -> Report? {
        failures += 1
        guard let started, let reported else {
            self.started = now
            self.reported = now
            return .started
        }
        guard now - reported >= interval else { return nil }
        self.reported = now
        return .continuing(failures: failures, since: now - started)
    }

    /// An attempt succeeded at `now`: `.ended` if it ends an outage, otherwise nil.
    public mutating func succeeded(at now: ContinuousClock.Instant) -> Report? {
        guard failures > 0, let started else { return nil }
        let report = Report.ended(failures: failures, since: now - started)
        failures = 0
        self.started = nil
        reported = nil
        return report
    }

    /// The wait before the next attempt after `failures` failed attempts in a row: `interval`, doubled per failure, at
    /// most `cap` (and never less than `interval`).
    public static func retryDelay(failures: Int, interval: Duration, cap: Duration) -> Duration {
        guard failures > 0 else { return interval }
        var delay = interval
        for _ in 0..<min(failures, 62) {
            delay *= 2
            if delay >= cap { return max(cap, interval) }
        }
        return delay
    }
}

extension Logger {
    /// Logs what `report` says of a failing loop (`what`: "sync worker claims", ...): a warning when it starts failing
    /// and once per interval while it goes on, a notice when it works again; nothing for nil.
    public func logOutage(_ report: OutageLog.Report?, of what: String, error: (any Error)?) {
        switch report {
        case .started:
            warning("\(what) failing; will retry", metadata: ["error": "\(error.map { "\($0)" } ?? "")"])
        case .continuing(let failures, let since):
            warning(
                "\(what) still failing; will retry",
                metadata: ["error": "\(error.map { "\($0)" } ?? "")", "failures": "\(failures)", "seconds": "\(since.components.seconds)"])
        case .ended(let failures, let since):
            notice("\(what) resumed", metadata: ["failures": "\(failures)", "seconds": "\(since.components.seconds)"])
        case nil: break
        }
    }
}
