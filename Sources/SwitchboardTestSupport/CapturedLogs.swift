import Logging
import Synchronization

/// A logger keeping every line (level, message and metadata) in memory: to search the logs for secrets, or count
/// what a loop logged.
public final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger at `trace` that writes here.
    public var logger: Logger {
        var l = Logger(label: "test") { _ in Handler(capture: self) }
        l.logLevel = .trace
        return l
    }

    /// Every line so far, one per log call.
    public var all: String { lines.withLock { $0.joined(separator: "\n") } }

    /// The lines so far whose text contains `text`.
    public func lines(containing text: String) -> [String] { lines.withLock { $0.filter { $0.contains(text) } } }

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let capture: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            var all = metadata
            for (k, v) in event.metadata ?? [:] { all[k] = v }
            capture.append("\(event.level) \(event.message) \(all)")
        }
    }
}
