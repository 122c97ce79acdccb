import Logging

/// swift-log's `StreamLogHandler` (standard error, same line format) with the metadata text rendered when a line is
/// written rather than whenever metadata is set.
///
/// Hummingbird gives every request a logger with its own `hb.request.id`; `StreamLogHandler` renders its metadata text
/// (sorting, formatting the id) on every such set, so every request paid for it even when nothing was logged (1.6% of
/// an execute call in a profile). Here a line that is written renders it once; a request that logs nothing, nothing.
struct DeferredMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = stream
        handler.metadata = metadata
        handler.log(event: event)
    }
}
