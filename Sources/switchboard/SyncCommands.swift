import ArgumentParser
import Foundation
import JSONValue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `switchboard sync run|status|cancel`: start sync runs and follow them through a running server's API.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Start sync runs, follow them, cancel them.", subcommands: [Run.self, Status.self, Cancel.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a run of a connection's sync and follow it to the end.",
            discussion: """
                Polls the run five times a second and shows its progress on stderr (one redrawn line on a terminal, a line \
                a second otherwise), then prints the final run as JSON (or a table with --table), with the first records that could not be stored \
                (`failures`: page, index, external id, code, message). Exits 0 when the run \
                completed, 1 when it failed or was cancelled. With --no-wait, prints the queued run and exits 0.
                """)

        @Argument(help: "The connection id (conn_...).") var connection: String
        @Argument(help: "The sync's name in the connection's definition.") var sync: String
        @Flag(name: .customLong("no-wait"), help: "Return once the run is queued.") var noWait = false
        @Flag(help: "Print a summary table instead of the run's JSON.") var table = false
        @Flag(name: .customLong("no-progress"), help: "Show no progress on stderr.") var noProgress = false
        @OptionGroup var api: APIOptions

        func run() async throws {
            try await api.withClient { client in
                let (status, started) = try await client.send("POST", "/v1/connections/\(percentEncode(connection))/syncs/\(percentEncode(sync))/run")
                guard status == 200 || status == 202, let runId = started["runId"]?.stringValue else {
                    printError(describeError(status: status, body: started))
                    throw ExitCode(1)
                }
                if noWait {
                    print(started.serialized(.pretty))
                    return
                }
                var progress = ProgressLine(runId: runId, style: noProgress ? .none : (isatty(2) == 1 ? .terminal : .lines))
                while true {
                    let (code, run) = try await client.send("GET", "/v1/sync-runs/\(percentEncode(runId))")
                    guard code == 200 else {
                        progress.end()
                        printError(describeError(status: code, body: run))
                        throw ExitCode(1)
                    }
                    let state = run["status"]?.stringValue ?? ""
                    if ["completed", "failed", "cancelled"].contains(state) {
                        progress.end()
                        print(table ? Self.table(run) : run.serialized(.pretty))
                        if state != "completed" { throw ExitCode(1) }
                        return
                    }
                    progress.update(run)
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }

        /// The run as two aligned columns.
        static func table(_ run: JSON) -> String {
            var rows: [(String, String)] = [
                ("run", run["id"]?.stringValue ?? ""), ("sync", run["sync"]?.stringValue ?? ""), ("status", run["status"]?.stringValue ?? ""),
            ]
            for key in ["fetched", "created", "updated", "unchanged", "deleted", "failed", "pages", "retries"] {
                rows.append((key, run["counts"]?[key]?.intValue.map(String.init) ?? "0"))
            }
            if let ms = run["durationMs"]?.intValue { rows.append(("duration", String(format: "%.1fs", Double(ms) / 1000))) }
            if let error = run["error"] { rows.append(("error", "\(error["code"]?.stringValue ?? ""): \(error["message"]?.stringValue ?? "")")) }
            // The records that could not be stored (the first ones the run kept): where, which, and why.
            for failure in run["failures"]?.arrayValue ?? [] {
                let id = failure["externalId"]?.stringValue.map { "id \($0)" } ?? "no id"
                let page = failure["page"]?.intValue.map(String.init) ?? "?"
                let index = failure["index"]?.intValue.map(String.init) ?? "?"
                rows.append(
                    ("failure", "page \(page) #\(index) (\(id)) \(failure["code"]?.stringValue ?? ""): \(failure["message"]?.stringValue ?? "")"))
            }
            return rows.map { $0.0.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a sync run (status, counts, pages, duration, error) as JSON.")
        @Argument(help: "The run id (run_...).") var run: String
        @OptionGroup var api: APIOptions

        func run() async throws {
            try await api.withClient { client in
                let (status, body) = try await client.send("GET", "/v1/sync-runs/\(percentEncode(run))")
                guard status == 200 else {
                    printError(describeError(status: status, body: body))
                    throw ExitCode(1)
                }
                print(body.serialized(.pretty))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a sync run (a queued run at once, a running one at its next page) and print it.")
        @Argument(help: "The run id (run_...).") var run: String
        @OptionGroup var api: APIOptions

        func run() async throws {
            try await api.withClient { client in
                let (status, body) = try await client.send("POST", "/v1/sync-runs/\(percentEncode(run))/cancel")
                guard status == 202 || status == 200 else {
                    printError(describeError(status: status, body: body))
                    throw ExitCode(1)
                }
                print(body.serialized(.pretty))
            }
        }
    }
}

/// The progress of a run on stderr: one line redrawn in place on a terminal, or a plain line a second otherwise.
struct ProgressLine {
    enum Style { case terminal, lines, none }

    let runId: String
    let style: Style
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var frame = 0
    var firstFetched: Int?
    var lastPrinted: ContinuousClock.Instant?
    var lastText = ""
    var drawn = false

    static let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    init(runId: String, style: Style) {
        self.runId = runId
        self.style = style
        self.start = clock.now
    }

    mutating func update(_ run: JSON) {
        guard style != .none else { return }
        let counts = run["counts"] ?? .null
        func n(_ key: String) -> Int { counts[key]?.intValue ?? 0 }
        let fetched = n("fetched")
        if firstFetched == nil { firstFetched = fetched }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0.5 ? Double(fetched - (firstFetched ?? 0)) / seconds : 0
        let status = run["status"]?.stringValue ?? "?"
        let text =
            "\(status) \(Self.grouped(fetched)) records, \(Self.grouped(Int(rate.rounded())))/s, \(n("pages")) pages, "
            + "+\(n("created")) ~\(n("updated")) =\(n("unchanged")) -\(n("deleted"))"
            + (n("failed") > 0 ? " !\(n("failed"))" : "")
        let clockText = String(format: "%02d:%02d", Int(seconds) / 60, Int(seconds) % 60)
        switch style {
        case .terminal:
            frame = (frame + 1) % Self.spinner.count
            printError("\r\(Self.spinner[frame]) \(runId) \(text) \(clockText)\u{1B}[K", newline: false)
            drawn = true
        case .lines:
            let now = clock.now
            if let last = lastPrinted, now - last < .seconds(1) { return }
            if text == lastText, let last = lastPrinted, now - last < .seconds(10) { return }
            lastPrinted = now
            lastText = text
            printError("\(runId) \(clockText) \(text)")
        case .none: break
        }
    }

    /// Clears the redrawn line.
    mutating func end() {
        if style == .terminal && drawn { printError("\r\u{1B}[K", newline: false) }
        drawn = false
    }

    /// 1234567 as 1,234,567.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(abs(n)))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }
}

/// Writes `message` to stderr.
func printError(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}
