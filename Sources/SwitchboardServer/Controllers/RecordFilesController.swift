import Hummingbird
import JSONValue
import NIOCore
import SwitchboardCore
import SwitchboardStore
import SwitchboardSync
import SwitchboardTransform

/// Synced records as files: export to JSON Lines or CSV (streamed from keyset pages) and import from them
/// (read line by line, optionally through a pipeline, upserted in batches of one transaction each).
struct RecordFilesController: Sendable {
    let records: SQLSyncRecordRepository
    let connections: any ConnectionRepository
    let transforms: TransformService
    let clock: any WallClock
    let reader: RequestReader
    /// Records read per page when exporting.
    var pageSize = 1000

    init(services: AppServices, reader: RequestReader) {
        self.records = services.sync.records
        self.connections = services.store.connections
        self.transforms = TransformController(services: services, reader: reader).service
        self.clock = services.sync.clock
        self.reader = reader
    }

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .get, "/v1/connections/{id}/records/{entity}/export") { request, context in
            try await export(request, connectionId: try context.path("id"), entityType: try context.path("entity"))
        }
        table.add(router, .post, "/v1/connections/{id}/records/{entity}/import") { request, context in
            try await importFile(request, connectionId: try context.path("id"), entityType: try context.path("entity"))
        }
    }

    func requireConnection(_ id: String) async throws {
        guard try await connections.get(id: id) != nil else {
            throw SwitchboardError.notFound("no connection with id '\(id)'", code: "CONNECTION_NOT_FOUND")
        }
    }

    static func format(_ q: QueryReader) throws(SwitchboardError) -> RecordFileFormat? {
        guard let name = q.value("format") else { return nil }
        guard let format = RecordFileFormat(name: name) else { throw QueryReader.invalid("format", "must be jsonl or csv") }
        return format
    }

    // MARK: - Export

    func export(_ request: Request, connectionId: String, entityType: String) async throws -> Response {
        let q = QueryReader(request)
        let format = try Self.format(q) ?? .jsonl
        let includeDeleted = try q.bool("includeDeleted") ?? false
        var fields: [String]?
        if let text = q.value("fields") {
            guard let parsed = RecordExport.parseFields(text) else {
                throw QueryReader.invalid("fields", "must be a comma-separated list of field names or dotted paths (a.b), none empty")
            }
            fields = parsed
        }
        try await requireConnection(connectionId)
        let exporter = RecordExport(format: format, fields: fields)
        var columns = fields ?? []
        if format == .csv && fields == nil {
            // A first pass for the columns: the union of the records' top-level keys in first-seen order.
            var collector = RecordExport.Columns()
            try await forEachPage(connectionId: connectionId, entityType: entityType, includeDeleted: includeDeleted) { page in
                for r in page { collector.add(r.data) }
            }
            columns = collector.names
        }
        let header = columns
        let body = ResponseBody { writer in
            // No columns (no records, or none that is an object): an empty file.
            if format == .csv && header.isEmpty {
                try await writer.finish(nil)
                return
            }
            if format == .csv { try await writer.write(ByteBuffer(string: exporter.header(columns: header))) }
            try await forEachPage(connectionId: connectionId, entityType: entityType, includeDeleted: includeDeleted) { page in
                var buffer = ByteBuffer()
                for r in page { buffer.writeBytes(exporter.line(r.data, columns: header)) }
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
        let name = String(entityType.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return Response(
            status: .ok,
            headers: [.contentType: format.contentType, .contentDisposition: "attachment; filename=\"\(name).\(format.fileExtension)\""],
            body: body)
    }

    /// Reads the records in keyset pages of `pageSize`, in external id order.
    func forEachPage(
        connectionId: String, entityType: String, includeDeleted: Bool, _ body: @concurrent ([SyncRecord]) async throws -> Void
    ) async throws {
        var after: String?
        while true {
            let page = try await records.page(
                connectionId: connectionId, entityType: entityType, afterExternalId: after, includeDeleted: includeDeleted, limit: pageSize)
            if !page.isEmpty { try await body(page) }
            guard page.count == pageSize, let last = page.last else { return }
            after = last.externalId
        }
    }

    // MARK: - Import

    func importFile(_ request: Request, connectionId: String, entityType: String) async throws -> Response {
        let q = QueryReader(request)
        let contentType = request.headers[.contentType]
        guard let format = try Self.format(q) ?? contentType.flatMap(RecordFileFormat.init(contentType:)) else {
            throw SwitchboardError.unsupportedMediaType(
                contentType ?? "(none)", supported: ["application/x-ndjson", "text/csv", "or the format query parameter (jsonl, csv)"])
        }
        let idField = q.value("idField") ?? "id"
        guard RecordExport.parseFields(idField) == [idField] else {
            throw QueryReader.invalid("idField", "must be a field name or a dotted path (a.b)")
        }
        try await requireConnection(connectionId)
        var transform: (@Sendable (JSON) async -> RecordImport.Transformed)?
        if let pipelineId = q.string("pipeline") {
            let pipeline = try await transforms.compiledPipeline(id: pipelineId)
            let context = transforms.pipelineContext
            transform = { record in
                switch await pipeline.run(record, context: context) {
                case .output(let o): return .record(o)
                case .dropped: return .dropped
                case .failed(let step, let error): return .failed(code: error.code, message: "pipeline step \(step): \(error.message)")
                }
            }
        }
        var importer = RecordImport(
            records: records, connectionId: connectionId, entityType: entityType, clock: clock, configuration: .init(idField: idField),
            transform: transform)
        switch format {
        case .jsonl: try await readJSONLines(request.body, into: &importer)
        case .csv: try await readCSV(request.body, into: &importer)
        }
        return APIResponse.json(try await importer.finish().json)
    }

    /// One JSON object per line; blank lines are skipped; a line longer than the server's body limit counts as failed.
    func readJSONLines(_ body: RequestBody, into importer: inout RecordImport) async throws {
        var splitter = LineSplitter(maxLineBytes: reader.maxBodySize)
        func handle(_ events: [LineSplitter.Event], _ importer: inout RecordImport) async throws {
            for event in events {
                switch event {
                case .line(let number, let bytes):
                    guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
                    do {
                        try await importer.add(try JSON(parsing: bytes), line: number)
                    } catch let error as JSONParseError {
                        importer.fail(line: number, code: "INVALID_JSON", message: "the line is not JSON: \(error.message) at column \(error.column)")
                    }
                case .tooLong(let number):
                    importer.fail(line: number, code: "LINE_TOO_LONG", message: "the line is longer than the limit of \(reader.maxBodySize) bytes")
                }
            }
        }
        for try await chunk in body { try await handle(splitter.feed(chunk.readableBytesView), &importer) }
        try await handle(splitter.finish(), &importer)
    }

    /// A header row, then rows of as many fields; each row becomes an object of strings keyed by the header's names.
    func readCSV(_ body: RequestBody, into importer: inout RecordImport) async throws {
        var csv = CSVReader(maxRecordBytes: reader.maxBodySize)
        var header: [String]?
        func handle(_ events: [CSVReader.Event], _ importer: inout RecordImport) async throws {
            for event in events {
                switch event {
                case .record(let line, let fields):
                    guard let names = header else {
                        header = try Self.checkHeader(fields)
                        continue
                    }
                    guard fields.count == names.count else {
                        importer.fail(line: line, code: "RAGGED_ROW", message: "the row has \(fields.count) field(s); the header has \(names.count)")
                        continue
                    }
                    var o = JSONObject(minimumCapacity: names.count)
                    for (name, value) in zip(names, fields) { o[name] = .string(value) }
                    try await importer.add(.object(o), line: line)
                case .malformed(let line, let code, let message):
                    guard header != nil else { throw SwitchboardError.malformedBody("the CSV header row (line \(line)) cannot be read: \(message)") }
                    importer.fail(line: line, code: code, message: message)
                }
            }
        }
        for try await chunk in body { try await handle(csv.feed(chunk.readableBytesView), &importer) }
        try await handle(csv.finish(), &importer)
    }

    /// The header's column names: none empty, no two the same.
    static func checkHeader(_ names: [String]) throws -> [String] {
        var seen: Set<String> = []
        for (i, name) in names.enumerated() {
            guard !name.isEmpty else { throw SwitchboardError.malformedBody("column \(i + 1) of the CSV header row has no name") }
            guard seen.insert(name).inserted else { throw SwitchboardError.malformedBody("the CSV header row names '\(name)' twice") }
        }
        return names
    }
}
