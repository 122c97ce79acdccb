import Foundation
import Hummingbird
import JSONValue
import Logging
import NIOCore
import SwitchboardCore
import SwitchboardEngine
import SwitchboardServer
import SwitchboardStore
import SwitchboardSync

/// `switchboard-bench sync [--records N] [--page-size N] [--postgres ADMIN_URL]`
///
/// Ingest throughput of a full-refresh sync from a fast local upstream (an in-process HTTP server on 127.0.0.1 that
/// serves pre-serialized pages), through the real method executor, engine and records store, on SQLite and (with
/// `--postgres`) PostgreSQL; and, in the same run on the same database, a plain batched insert of the same rows
/// (multi-row INSERTs of `page-size` rows, one transaction each) into a table shaped like the records table.
enum SyncBenchmark {
    static func run(arguments: [String]) async throws {
        var records = 100_000
        var pageSize = 1_000
        var postgres: String?
        var runs = 1
        var it = arguments.makeIterator()
        while let a = it.next() {
            switch a {
            case "--records": records = Int(it.next() ?? "") ?? records
            case "--page-size": pageSize = Int(it.next() ?? "") ?? pageSize
            case "--postgres": postgres = it.next()
            case "--runs": runs = max(1, Int(it.next() ?? "") ?? runs)
            default: throw BenchError("unknown option \(a)")
            }
        }
        let upstream = try await Upstream.start(records: records, pageSize: pageSize)
        defer { upstream.stop() }
        print("sync ingest: \(records) records, pages of \(pageSize), upstream \(upstream.baseURL) (pre-serialized pages)")
        print(String(repeating: "-", count: 96))
        // Each run measures every engine on a fresh database; with --runs N the engines alternate and the medians
        // are printed at the end (the figures of a shared machine move from run to run).
        var ratios: [String: [(sync: Double, plain: Double)]] = [:]
        for _ in 0..<runs {
            var locations: [(String, StoreLocation, () async throws -> Void)] = []
            let dir = NSTemporaryDirectory() + "switchboard-bench-" + UUID().uuidString.lowercased()
            locations.append(("SQLite", .sqlite(directory: dir), { try? FileManager.default.removeItem(atPath: dir) }))
            if let admin = postgres {
                let (url, drop) = try await freshPostgres(admin: admin)
                locations.append(("PostgreSQL", .postgres(url: url), drop))
            }
            for (name, location, cleanup) in locations {
                let rates = try await measure(name: name, location: location, upstream: upstream, records: records, pageSize: pageSize)
                ratios[name, default: []].append(rates)
                try await cleanup()
            }
        }
        if runs > 1 {
            print(String(repeating: "-", count: 96))
            for name in ["SQLite", "PostgreSQL"] {
                guard let all = ratios[name] else { continue }
                func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
                print(
                    "\(name.padding(toLength: 11, withPad: " ", startingAt: 0)) median of \(all.count): sync \(format(median(all.map(\.sync)))) records/s, "
                        + "faster plain \(format(median(all.map(\.plain)))) records/s, sync / plain \(String(format: "%.0f", median(all.map { $0.sync / $0.plain }) * 100))%")
            }
        }
    }

    /// One measurement; returns the sync's and the faster plain insert's records/s.
    @discardableResult
    static func measure(name: String, location: StoreLocation, upstream: Upstream, records: Int, pageSize: Int) async throws -> (sync: Double, plain: Double) {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let db = try await Store.openDatabase(location, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            if let pg = db as? SwitchboardStore.PostgresDatabase { group.addTask { await pg.run() } }
            defer { group.cancelAll() }
            try await Migrator().migrate(db, logger: logger)
            let schemas = makeSchemaChecker()
            let store = Store(database: db, clock: SystemWallClock())
            let services = AppServices(store: store, schemas: schemas, logger: logger)
            _ = try await services.registry.create(document: definition(pageSize: pageSize), publish: true)
            let connection = try await services.connections.create(
                try ConnectionService.NewConnection(json: ["definitionKey": "bench", "name": "bench", "config": ["baseUrl": .string(upstream.baseURL)]]))
            // Writers flush in the background, as in the server.
            let writers = Task { try? await services.recorder.writer.run() }
            defer { writers.cancel() }

            let started = ContinuousClock.now
            let cpuBefore = processCPUSeconds()
            let (run, _) = try await services.sync.start(connectionId: connection.id, syncName: "contacts")
            guard let (done, outcome) = try await services.sync.runNext(owner: "bench"), done.id == run.id, outcome == .completed else {
                throw BenchError("the sync run did not complete: \(String(describing: try await services.sync.runs.get(id: run.id)?.json))")
            }
            let syncSeconds = seconds(ContinuousClock.now - started)
            let syncCPU = processCPUSeconds() - cpuBefore
            guard done.counts.created == records else { throw BenchError("expected \(records) created, got \(done.counts.json)") }

            // The same rows, as the records table holds them, inserted plainly in batches of one page.
            let rows: [SyncRecordInput] = (1...records).map { i in
                let data = upstream.record(i)
                return SyncRecordInput.canonical(externalId: String(i), data: data)
            }
            // Plain inserts into tables shaped like the records table (same columns, primary key and modified_seq index):
            // multi-row VALUES on both engines and, on PostgreSQL, also the unnest-of-arrays form. The sync is compared
            // with the faster of them.
            var plain: [(label: String, rate: Double, seconds: Double, cpu: Double)] = []
            let forms: [PlainForm] = db.dialect == .postgres ? [.values, .unnest] : [.values]
            for (n, form) in forms.enumerated() {
                let table = "bench_plain_\(n)"
                try await db.execute(
                    """
                    CREATE TABLE \(table) (connection_id TEXT NOT NULL, entity_type TEXT NOT NULL, external_id TEXT NOT NULL, data TEXT NOT NULL,
                        content_hash TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT, created_seq BIGINT NOT NULL,
                        modified_seq BIGINT NOT NULL, PRIMARY KEY (connection_id, entity_type, external_id))
                    """)
                try await db.execute("CREATE INDEX \(table)_modified ON \(table) (connection_id, entity_type, modified_seq) WHERE modified_seq > 0")
                let cpu = processCPUSeconds()
                let seconds = try await plainInsert(rows, into: table, form: form, connectionId: connection.id, pageSize: pageSize, db: db)
                plain.append((form.label, Double(records) / seconds, seconds, processCPUSeconds() - cpu))
            }
            let syncRate = Double(records) / syncSeconds
            print(
                "\(name.padding(toLength: 11, withPad: " ", startingAt: 0)) sync (fetch, parse, hash, upsert, checkpoint): "
                    + "\(format(syncRate)) records/s (\(String(format: "%.2f", syncSeconds)) s, \(done.counts.pages) pages, this process's CPU \(String(format: "%.2f", syncCPU)) s)")
            for p in plain {
                print(
                    "\(String(repeating: " ", count: 11)) plain INSERT, \(p.label.padding(toLength: 31, withPad: " ", startingAt: 0)) \(format(p.rate)) records/s "
                        + "(\(String(format: "%.2f", p.seconds)) s, this process's CPU \(String(format: "%.2f", p.cpu)) s)")
            }
            let best = plain.map(\.rate).max() ?? 1
            print("\(String(repeating: " ", count: 11)) -> sync = \(String(format: "%.0f", syncRate / best * 100))% of the faster plain insert")
            try await db.close()
            return (syncRate, best)
        }
    }

    enum PlainForm {
        case values, unnest
        var label: String { self == .values ? "multi-row VALUES, 10 binds/row:" : "unnest of three text[] arrays:" }
    }

    /// Inserts `rows` in transactions of `pageSize` rows; returns the seconds it took.
    static func plainInsert(
        _ rows: [SyncRecordInput], into table: String, form: PlainForm, connectionId: String, pageSize: Int, db: any SQLDatabase
    ) async throws -> Double {
        let started = ContinuousClock.now
        let now = SystemWallClock().now()
        var offset = 0
        while offset < rows.count {
            let chunk = rows[offset..<min(offset + pageSize, rows.count)]
            let statement: String
            var binds: [SQLValue] = []
            switch form {
            case .values:
                binds.reserveCapacity(chunk.count * 10)
                for (i, r) in chunk.enumerated() {
                    let seq = SQLValue.int(Int64(offset + i + 1))
                    binds += [
                        .text(connectionId), .text("contact"), .text(r.externalId), .text(r.text), .text(r.contentHash), .timestamp(now),
                        .timestamp(now), .null, seq, seq,
                    ]
                }
                statement = "INSERT INTO \(table) VALUES " + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            case .unnest:
                binds = [
                    .text(connectionId), .text("contact"), .timestamp(now), .timestamp(now), .int(Int64(offset)), .int(Int64(offset)),
                    .textArray(chunk.map(\.externalId)), .textArray(chunk.map(\.text)), .textArray(chunk.map(\.contentHash)),
                ]
                statement = """
                    INSERT INTO \(table) SELECT CAST(? AS text), CAST(? AS text), r.id, r.data, r.hash, CAST(? AS bigint), CAST(? AS bigint), NULL,
                        CAST(? AS bigint) + r.n, CAST(? AS bigint) + r.n
                    FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS r(id, data, hash, n)
                    """
            }
            let values = binds
            try await db.transaction { tx in try await tx.execute(statement, values) }
            offset += chunk.count
        }
        return seconds(ContinuousClock.now - started)
    }

    static func definition(pageSize: Int) -> JSON {
        [
            "key": "bench", "name": "Bench upstream", "version": "1.0.0", "type": "rest_api", "auth": ["type": "none"],
            "baseUrl": "{config.baseUrl}",
            "configSchema": ["type": "object", "required": ["baseUrl"], "properties": ["baseUrl": ["type": "string"]]],
            "methods": [["name": "list", "verb": "GET", "path": "/contacts", "query": ["offset": "{{params.offset}}", "limit": "{{params.limit}}"]]],
            "syncs": [
                [
                    "name": "contacts", "entityType": "contact", "sourceMethod": "list", "recordsPath": "results", "idField": "id",
                    "pagination": ["type": "offset", "offsetParam": "offset", "limitParam": "limit", "pageSize": .number(Double(pageSize))],
                ]
            ],
        ]
    }

    static func freshPostgres(admin: String) async throws -> (String, () async throws -> Void) {
        let name = "sbbench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        func onAdmin(_ sql: String) async throws {
            let db = try SwitchboardStore.PostgresDatabase(url: admin, logger: Logger(label: "bench-admin"), maximumConnections: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await db.run() }
                defer { group.cancelAll() }
                try await db.execute(sql)
            }
        }
        try await onAdmin("CREATE DATABASE \(name)")
        return (SwitchboardStore.PostgresDatabase.url(admin, database: String(name)), { try await onAdmin("DROP DATABASE IF EXISTS \(name)") })
    }

    /// User and system CPU time of this process so far (all threads).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func format(_ v: Double) -> String {
        let n = Int(v.rounded())
        var s = String(n)
        var i = s.count - 3
        while i > 0 {
            s.insert(",", at: s.index(s.startIndex, offsetBy: i))
            i -= 3
        }
        return s.padding(toLength: max(s.count, 9), withPad: " ", startingAt: 0)
    }
}

/// The fast local upstream: `GET /contacts?offset=O&limit=L` answers `{"results": [...], "total": N}` from pages
/// serialized once, before the measurement.
final class Upstream: Sendable {
    let baseURL: String
    let records: Int
    let task: Task<Void, any Error>

    init(baseURL: String, records: Int, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.records = records
        self.task = task
    }

    func record(_ i: Int) -> JSON { Self.record(i) }

    static func record(_ i: Int) -> JSON {
        let first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"][i % 8]
        let last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"][(i / 8) % 8]
        return [
            "id": .string(String(i)),
            "properties": [
                "email": .string("\(first.lowercased()).\(last.lowercased())\(i)@example.com"), "firstname": .string(first),
                "lastname": .string(last), "company": .string("Company \(i % 997)"), "phone": .string("+1 555 \(100_000 + i)"),
                "lifecyclestage": .string(["lead", "customer", "subscriber"][i % 3]), "hs_lead_status": "OPEN",
            ],
            "createdAt": .string("2026-01-01T00:00:00.000Z"), "updatedAt": .string("2026-06-01T12:00:00.000Z"), "archived": false,
        ]
    }

    static func start(records: Int, pageSize: Int) async throws -> Upstream {
        var pages: [Int: ByteBuffer] = [:]
        var offset = 0
        while offset <= records {
            let items = offset < records ? (offset + 1...min(offset + pageSize, records)).map(record) : []
            pages[offset] = ByteBuffer(bytes: JSON.object(["results": .array(items), "total": .number(Double(records))]).serializedBytes())
            offset += pageSize
        }
        let table = pages
        let router = Router()
        router.get("/contacts") { request, _ -> Response in
            let offset = request.uri.queryParameters["offset"].flatMap { Int(String($0)) } ?? 0
            let body = table[offset] ?? ByteBuffer(string: #"{"results":[],"total":0}"#)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: { var l = Logger(label: "bench-upstream"); l.logLevel = .error; return l }())
        let task = Task { try await app.run() }
        var port = 0
        for await p in stream {
            port = p
            break
        }
        return Upstream(baseURL: "http://127.0.0.1:\(port)", records: records, task: task)
    }

    func stop() { task.cancel() }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
