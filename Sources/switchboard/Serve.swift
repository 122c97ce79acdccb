import ArgumentParser
import Hummingbird
import Logging
import SwitchboardServer

/// `switchboard serve`: runs the HTTP server until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Switchboard server.",
        discussion: """
            Every option can also be set with an environment variable: SWITCHBOARD_HOST, SWITCHBOARD_PORT, \
            SWITCHBOARD_DATA_DIR, SWITCHBOARD_DATABASE_URL, SWITCHBOARD_DATABASE_POOL_SIZE, SWITCHBOARD_LOG_LEVEL, \
            SWITCHBOARD_MAX_BODY_SIZE, SWITCHBOARD_SYNC_WORKERS, SWITCHBOARD_SYNC_LEASE_SECONDS. Flags win over the \
            environment.

            SWITCHBOARD_PLAIN_HTTP_CLIENT=false sends plain http:// upstream calls over AsyncHTTPClient rather than the \
            lean HTTP/1.1 client (to rule it out when diagnosing an upstream).

            SWITCHBOARD_EXECUTION_CACHE_MS (default 5000) and SWITCHBOARD_CREDENTIAL_CACHE_MS (default 30000): how long \
            a node keeps connections and definitions, and decrypted credentials, read from the database. Every change \
            invalidates them at once (on PostgreSQL on every node); these bound staleness if a notification is lost.

            SWITCHBOARD_DATABASE_WAIT_MS (default 10000): on PostgreSQL, how long a request waits for a database \
            connection (the server unreachable, or every connection busy) before it is answered 503 \
            DATABASE_UNAVAILABLE. At startup the server keeps trying to reach PostgreSQL for a minute before it gives up.
            """)

    @Option(help: "Address to listen on (env SWITCHBOARD_HOST).") var host: String?
    @Option(help: "Port to listen on (env SWITCHBOARD_PORT).") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite database (env SWITCHBOARD_DATA_DIR).") var dataDir: String?
    @Option(name: .customLong("database-url"), help: "postgres://user:pass@host:port/db to use PostgreSQL (env SWITCHBOARD_DATABASE_URL).")
    var databaseURL: String?
    @Option(
        name: .customLong("database-pool-size"),
        help: "On PostgreSQL, the most connections this node opens, 2 to 1000 (env SWITCHBOARD_DATABASE_POOL_SIZE, default 20).")
    var databasePoolSize: Int?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env SWITCHBOARD_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("max-body-size"), help: "Largest request body in bytes (env SWITCHBOARD_MAX_BODY_SIZE).") var maxBodySize: Int?
    @Option(name: .customLong("sync-workers"), help: "Sync workers on this node, 0 for none (env SWITCHBOARD_SYNC_WORKERS, default 1).")
    var syncWorkers: Int?
    @Option(
        name: .customLong("sync-lease-seconds"),
        help: "How long a sync run's claim lasts without a heartbeat (env SWITCHBOARD_SYNC_LEASE_SECONDS, default 30).")
    var syncLeaseSeconds: Int?

    func run() async throws {
        let env = Environment()
        var config = ServerConfiguration()
        config.host = host ?? env.get("SWITCHBOARD_HOST") ?? config.host
        if let p = port ?? env.get("SWITCHBOARD_PORT").flatMap(Int.init) { config.port = p }
        config.dataDirectory = dataDir ?? env.get("SWITCHBOARD_DATA_DIR") ?? config.dataDirectory
        config.databaseURL = databaseURL ?? env.get("SWITCHBOARD_DATABASE_URL")
        if let text = databasePoolSize.map(String.init) ?? env.get("SWITCHBOARD_DATABASE_POOL_SIZE") {
            // One connection is the change feed's listener's for as long as the server runs.
            guard let n = Int(text), (2...1000).contains(n) else {
                throw ValidationError(
                    "--database-pool-size (SWITCHBOARD_DATABASE_POOL_SIZE) must be a number between 2 and 1000 (one connection listens for the other nodes' changes), not '\(text)'")
            }
            config.databasePoolSize = n
        }
        if let size = maxBodySize ?? env.get("SWITCHBOARD_MAX_BODY_SIZE").flatMap(Int.init) {
            guard size > 0 else { throw ValidationError("--max-body-size must be positive") }
            config.maxBodySize = size
        }
        if let levelText = logLevel ?? env.get("SWITCHBOARD_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
                throw ValidationError("unknown log level '\(levelText)'; use trace, debug, info, notice, warning, error or critical")
            }
            config.logLevel = level
        }
        if let n = syncWorkers ?? env.get("SWITCHBOARD_SYNC_WORKERS").flatMap(Int.init) {
            guard (0...64).contains(n) else { throw ValidationError("--sync-workers must be between 0 and 64") }
            config.syncWorkers = n
        }
        if let n = syncLeaseSeconds ?? env.get("SWITCHBOARD_SYNC_LEASE_SECONDS").flatMap(Int.init) {
            guard (1...3600).contains(n) else { throw ValidationError("--sync-lease-seconds must be between 1 and 3600") }
            config.syncLeaseSeconds = n
        }
        if let text = env.get("SWITCHBOARD_PLAIN_HTTP_CLIENT") {
            switch text.lowercased() {
            case "1", "true", "yes", "on": config.plainHTTPClient = true
            case "0", "false", "no", "off": config.plainHTTPClient = false
            default: throw ValidationError("SWITCHBOARD_PLAIN_HTTP_CLIENT must be true or false, not '\(text)'")
            }
        }
        if let d = try Self.milliseconds(env, "SWITCHBOARD_EXECUTION_CACHE_MS") { config.executionCacheTTL = d }
        if let d = try Self.milliseconds(env, "SWITCHBOARD_CREDENTIAL_CACHE_MS") { config.credentialCacheTTL = d }
        if let d = try Self.milliseconds(env, "SWITCHBOARD_DATABASE_WAIT_MS") { config.databaseConnectionWait = d }
        guard (0...65535).contains(config.port) else { throw ValidationError("port \(config.port) is out of range") }
        let app = try await buildApplication(config)
        try await app.runService()
    }

    /// A duration in milliseconds from the environment variable `name` (1 ms to one day), or nil if it is not set.
    static func milliseconds(_ env: Environment, _ name: String) throws -> Duration? {
        guard let text = env.get(name) else { return nil }
        guard let ms = Int(text), (1...86_400_000).contains(ms) else {
            throw ValidationError("\(name) must be a number of milliseconds between 1 and 86400000, not '\(text)'")
        }
        return .milliseconds(ms)
    }
}
