import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

/// `switchboard vault rotate` killed half way (SIGKILL) and run again: every credential still decrypts.
@Suite("Vault rotation CLI", .serialized)
struct VaultRotationCLITests {
    /// The `switchboard` executable built beside the test bundle.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard").path
    }

    /// Runs the executable with `arguments` (SWITCHBOARD_DATABASE_URL unset) and answers its exit status and standard error.
    static func run(_ arguments: [String]) async throws -> (status: Int32, message: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_DATABASE_URL"] = nil
        let outcome = try await ChildProcess(executable: executable, arguments: arguments, environment: environment, captureOutput: false).outcome()
        return (outcome.status, outcome.standardError)
    }

    /// `vault status` and `vault rotate` on a data directory without a database (a typo) fail and create nothing:
    /// they used to create the directory and an empty, migrated switchboard.sqlite and print an empty key table.
    @Test(arguments: ["status", "rotate"])
    func missingDataDirectoryIsAnError(_ command: String) async throws {
        guard FileManager.default.fileExists(atPath: Self.executable) else {
            Issue.record("build the switchboard executable first (swift build --build-tests)")
            return
        }
        let parent = NSTemporaryDirectory() + "vault-cli-missing-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let dataDir = parent + "/typo-dir"
        let (status, message) = try await Self.run(["vault", command, "--data-dir", dataDir])
        #expect(status == 1)
        #expect(message.contains("there is no Switchboard database at \(dataDir)"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: dataDir))
    }

    /// The same for a PostgreSQL database without Switchboard's tables: `vault status` used to migrate it.
    @Test func postgresDatabaseWithoutSwitchboardIsAnError() async throws {
        guard TestBackend.available.contains(.postgres) else { return }  // (CI always has PostgreSQL)
        guard FileManager.default.fileExists(atPath: Self.executable) else {
            Issue.record("build the switchboard executable first (swift build --build-tests)")
            return
        }
        try await TestBackend.postgres.withFreshLocation { location in
            guard case .postgres(let url) = location else { return }
            let dataDir = NSTemporaryDirectory() + "vault-cli-pg-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: dataDir) }
            let (status, message) = try await Self.run(["vault", "status", "--data-dir", dataDir, "--database-url", url])
            #expect(status == 1)
            #expect(message.contains("has no Switchboard tables"), "\(message)")
            let db = try PostgresDatabase(url: url, logger: Logger(label: "t"), maximumConnections: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await db.run() }
                let tables = try await db.first("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")
                #expect(tables?.int("n") == 0)  // nothing was migrated
                try await db.close()
                group.cancelAll()
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func killedRotationResumes(_ backend: TestBackend) async throws {
        guard FileManager.default.fileExists(atPath: Self.executable) else {
            Issue.record("build the switchboard executable first (swift build --build-tests)")
            return
        }
        try await backend.withFreshLocation { location in
            let dataDir = NSTemporaryDirectory() + "vault-cli-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: dataDir) }
            var arguments = ["--data-dir", dataDir]
            if case .sqlite(let dir) = location { arguments = ["--data-dir", dir] }
            if case .postgres(let url) = location { arguments += ["--database-url", url] }
            let keyDir = KeyFiles.directory(dataDirectory: arguments[1])
            let count = 300
            let firstKey = try KeyFiles.create(in: keyDir, now: SystemWallClock().now())
            let ids: [String] = try await TestBackend.withDatabase(at: location) { db, _ in
                let store = Store(database: db)
                let vault = Vault(
                    database: db, connections: store.connections, definitions: store.definitions, keys: KeyRing([firstKey]), logger: Logger(label: "t"))
                try await vault.start()
                let definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode([
                    "key": "rot", "name": "R", "version": "1.0.0", "auth": ["type": "basic"], "methods": [["name": "p", "verb": "GET", "path": "/p"]],
                ])
                _ = try await store.definitions.create(definition)
                var ids: [String] = []
                let now = SystemWallClock().now()
                for i in 0..<count {
                    let c = try await store.connections.create(
                        Connection(
                            id: Identifier.make(prefix: "conn_", now: now), name: "c\(i)", definitionKey: "rot", definitionVersion: definition.version,
                            status: .pendingAuthentication, config: [:], metadata: [:], createdAt: now, updatedAt: now))
                    _ = try await vault.put(connectionId: c.id, body: ["type": "basic", "username": "u", "password": .string("pw-CLI-\(i)")])
                    ids.append(c.id)
                }
                await vault.audit.flush()
                return ids
            }

            // First run: killed (SIGKILL) once a few batches are committed.
            let p = try ChildProcess(
                executable: Self.executable, arguments: ["vault", "rotate", "--batch-size", "1"] + arguments, captureOutput: false)
            if await p.waitForOutput(where: { _, err in err.contains("re-wrapped 5 record(s)") }) { p.send(SIGKILL) }
            let killed = await p.outcome()
            #expect(killed.signalled, "the rotation finished before it could be killed")

            let keysAfterKill = try KeyFiles.load(directory: keyDir, environment: [:])
            #expect(keysAfterKill.order.count == 2)
            try await TestBackend.withDatabase(at: location) { db, _ in
                let status = try await KeyRotation(db: db, logger: Logger(label: "t")).status(keys: keysAfterKill)
                #expect((status.first { $0.id == firstKey.id }?.records ?? 0) > 0)
                #expect(status.reduce(0) { $0 + $1.records } == count)
            }

            // Second run: resumes to the same key.
            let resumed = try await ChildProcess(
                executable: Self.executable, arguments: ["vault", "rotate", "--batch-size", "50"] + arguments, captureError: false
            ).outcome()
            #expect(resumed.status == 0)
            #expect(resumed.standardOutput.contains("resumed rotation to master key"))

            // Every credential decrypts with only the new key.
            let keys = try KeyFiles.load(directory: keyDir, environment: [:])
            let newKey = try #require(keys.order.last { $0 != firstKey.id })
            try await TestBackend.withDatabase(at: location) { db, _ in
                let store = Store(database: db)
                let vault = Vault(
                    database: db, connections: store.connections, definitions: store.definitions, keys: KeyRing([keys[newKey]!]),
                    logger: Logger(label: "t"))
                try await vault.start()
                let definition = try #require(try await store.definitions.version(key: "rot", version: SemanticVersion("1.0.0")!))
                for (i, id) in ids.enumerated() {
                    let c = try #require(try await store.connections.get(id: id))
                    #expect(try await vault.credentials(for: c, definition: definition)?["password"] == "pw-CLI-\(i)")
                }
            }
        }
    }
}
