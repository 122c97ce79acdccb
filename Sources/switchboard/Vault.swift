import ArgumentParser
import Foundation
import Logging
import SwitchboardCore
import SwitchboardServer
import SwitchboardStore
import SwitchboardVault

/// `switchboard vault`: master key status and rotation, directly against the database (no server needed).
struct Vault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Credential vault: master keys and rotation.",
        subcommands: [Status.self, Rotate.self])

    /// Where the database and the key files are: the same flags and environment as `serve`.
    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite database and of keys/ (env SWITCHBOARD_DATA_DIR).")
        var dataDir: String?
        @Option(name: .customLong("database-url"), help: "postgres://user:pass@host:port/db (env SWITCHBOARD_DATABASE_URL).")
        var databaseURL: String?

        var configuration: ServerConfiguration {
            let env = ProcessInfo.processInfo.environment
            var c = ServerConfiguration()
            c.dataDirectory = dataDir ?? env["SWITCHBOARD_DATA_DIR"] ?? c.dataDirectory
            c.databaseURL = databaseURL ?? env["SWITCHBOARD_DATABASE_URL"]
            return c
        }

        /// Opens and migrates the existing database, runs `body`, closes it.
        ///
        /// These commands inspect or change an installation that exists: a data directory without `switchboard.sqlite`
        /// (a typo, a wrong SWITCHBOARD_DATA_DIR), or a PostgreSQL database without Switchboard's tables, is an error,
        /// and nothing is created there. Only `serve` creates the
        /// data directory and the database, on first run.
        func withDatabase<T: Sendable>(_ body: @Sendable (any SQLDatabase, ServerConfiguration, Logger) async throws -> T) async throws -> T {
            var logger = Logger(label: "switchboard.vault")
            logger.logLevel = .info
            let config = configuration
            if case .sqlite(let directory) = config.storeLocation {
                var isDirectory: ObjCBool = false
                let file = directory + "/switchboard.sqlite"
                guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    throw CLIError(
                        "there is no Switchboard database at \(directory) (no switchboard.sqlite there): check --data-dir or "
                            + "SWITCHBOARD_DATA_DIR (`switchboard serve` creates the database on first run)")
                }
            }
            let db = try await Store.openDatabase(config.storeLocation, logger: logger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                if let pg = db as? PostgresDatabase {
                    group.addTask {
                        await pg.run()
                        return nil
                    }
                }
                do {
                    // Likewise a PostgreSQL database without Switchboard's tables (another database, an empty one).
                    if db is PostgresDatabase, try await db.first("SELECT to_regclass('schema_migrations')::text AS t")?.text("t") == nil {
                        throw CLIError(
                            "the PostgreSQL database named by --database-url or SWITCHBOARD_DATABASE_URL has no Switchboard tables: "
                                + "check the URL (`switchboard serve` creates them on first run)")
                    }
                    try await Migrator().migrate(db, logger: logger)
                    let result = try await body(db, config, logger)
                    try await db.close()
                    group.cancelAll()
                    return result
                } catch {
                    try? await db.close()
                    group.cancelAll()
                    throw error
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the master keys and how many records each wraps.")
        @OptionGroup var location: Location

        func run() async throws {
            try await location.withDatabase { db, config, logger in
                let keys = try KeyFiles.load(directory: KeyFiles.directory(dataDirectory: config.dataDirectory))
                let status = try await KeyRotation(db: db, logger: logger).status(keys: keys)
                print("KEY ID            PRIMARY  RECORDS  CREATED                   SOURCE")
                for k in status {
                    let created = k.createdAt?.iso8601 ?? "-"
                    print(
                        k.id.padding(toLength: 18, withPad: " ", startingAt: 0)
                            + (k.isPrimary ? "yes" : "no").padding(toLength: 9, withPad: " ", startingAt: 0)
                            + String(k.records).padding(toLength: 9, withPad: " ", startingAt: 0)
                            + created.padding(toLength: 26, withPad: " ", startingAt: 0)
                            + (k.source ?? "NOT LOADED"))
                }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new master key file and re-wrap every data key with it (resumes an unfinished rotation).",
            discussion: """
                Each batch is one transaction; interrupting the command is safe: run it again to continue (records already on \
                the new key are skipped). Old keys stay usable; remove an old key file only when `vault status` shows it wraps \
                0 records. On PostgreSQL, copy the new key file to every node's keys directory.
                """)
        @OptionGroup var location: Location
        @Option(name: .customLong("batch-size"), help: "Records re-wrapped per transaction.") var batchSize: Int = 100

        func run() async throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            let size = batchSize
            try await location.withDatabase { db, config, logger in
                let dir = KeyFiles.directory(dataDirectory: config.dataDirectory)
                var keys = try KeyFiles.load(directory: dir)
                let outcome = try await KeyRotation(db: db, logger: logger).rotate(
                    keys: &keys, batchSize: size, makeKey: { try KeyFiles.create(in: dir, now: SystemWallClock().now()) },
                    afterBatch: { n in logger.info("re-wrapped \(n) record(s)") })
                print(
                    (outcome.createdKey ? "created master key " : "resumed rotation to master key ") + outcome.keyId
                        + "; re-wrapped \(outcome.rewrapped) record(s) in \(outcome.batches) batch(es)")
            }
        }
    }
}
