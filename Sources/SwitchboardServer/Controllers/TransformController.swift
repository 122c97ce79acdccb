import Hummingbird
import JSONValue
import NIOCore
import SwitchboardCore
import SwitchboardEngine
import SwitchboardStore
import SwitchboardTransform

/// Data transformation: JSONata, schema mappings, mapping templates, validators and pipelines.
struct TransformController: Sendable {
    let service: TransformService
    let reader: RequestReader

    init(services: AppServices, reader: RequestReader) {
        let db = services.store.database
        let repositories = TransformService.Repositories(
            mappings: SQLTransformDocumentRepository(db: db, kind: .mappings), templates: SQLTransformDocumentRepository(db: db, kind: .templates),
            validators: SQLTransformDocumentRepository(db: db, kind: .validators), pipelines: SQLTransformDocumentRepository(db: db, kind: .pipelines)
        )
        self.service = TransformService(
            repositories: repositories, schemas: services.schemas, enrichment: ExecutorEnrichment(executor: services.executor))
        self.reader = reader
    }

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .post, "/v1/transform") { request, _ in
            var request = request
            let body = try await reader.json(&request)
            var r = FieldReader(body, path: "")
            let expression = r.string("expression", required: true, maxLength: 100_000)
            let input = r.raw("input")
            let bindingsObject = r.object("bindings")
            r.rejectUnknown()
            guard r.problems.isEmpty, let expression else { throw SwitchboardError.validation("the request is not valid", problems: r.problems) }
            var bindings: [String: JSON] = [:]
            for (k, v) in bindingsObject ?? JSONObject() { bindings[k.hasPrefix("$") ? String(k.dropFirst()) : k] = v }
            let result = try service.evaluator.evaluate(expression, input: body["input"] == nil ? nil : (input ?? .null), bindings: bindings)
            if let result { return APIResponse.json(["result": result]) }
            return APIResponse.json(["result": .null, "undefined": true])
        }
        table.add(router, .post, "/v1/transform/data") { request, _ in
            var request = request
            let body = try await reader.json(&request)
            var r = FieldReader(body, path: "")
            let type = r.string("integrationType", required: true)
            let entity = r.string("entityType", required: true)
            let data = r.raw("data")
            if data == nil { r.report("data", "is required") }
            r.rejectUnknown()
            guard r.problems.isEmpty, let type, let entity, let data else {
                throw SwitchboardError.validation("the request is not valid", problems: r.problems)
            }
            return APIResponse.json(try await service.transformData(integrationType: type, entityType: entity, data: data))
        }
        crud(router, &table, "/v1/mappings", .mapping)
        crud(router, &table, "/v1/mapping-templates", .template)
        crud(router, &table, "/v1/validators", .validator)
        crud(router, &table, "/v1/pipelines", .pipeline)
        table.add(router, .post, "/v1/mappings/{id}/apply") { request, context in
            var request = request
            let body = try await reader.json(&request)
            return APIResponse.json(try await service.apply(mappingId: try context.path("id"), to: body))
        }
        table.add(router, .post, "/v1/validators/{id}/validate") { request, context in
            var request = request
            let body = try await reader.json(&request)
            return APIResponse.json(try await service.validate(validatorId: try context.path("id"), document: body).json)
        }
        table.add(router, .post, "/v1/pipelines/{id}/run") { request, context in
            try await run(request, id: try context.path("id"))
        }
    }

    func crud<Context: RequestContext>(_ router: Router<Context>, _ table: inout RouteTable, _ path: String, _ kind: TransformService.Kind) {
        table.add(router, .post, path) { request, _ in
            var request = request
            let body = try await reader.json(&request)
            return APIResponse.json(try await service.create(kind, body: body).json, status: .created)
        }
        table.add(router, .get, path) { request, _ in
            let q = QueryReader(request)
            let page = try await service.list(kind, limit: try q.limit(), cursor: try q.cursor())
            return APIResponse.page(page.items.map(\.json), nextCursor: page.nextCursor)
        }
        table.add(router, .get, path + "/{id}") { _, context in
            APIResponse.json(try await service.get(kind, id: try context.path("id")).json)
        }
        table.add(router, .put, path + "/{id}") { request, context in
            var request = request
            let body = try await reader.json(&request)
            return APIResponse.json(try await service.replace(kind, id: try context.path("id"), body: body).json)
        }
        table.add(router, .delete, path + "/{id}") { _, context in
            try await service.delete(kind, id: try context.path("id"))
            return APIResponse.noContent()
        }
    }

    /// One document (JSON object), a batch (JSON array) or a stream (NDJSON, read and answered line by line).
    func run(_ request: Request, id: String) async throws -> Response {
        let q = QueryReader(request)
        let stopOnError = try q.bool("stopOnError") ?? false
        let type = request.headers[.contentType]?.lowercased() ?? "application/json"
        let isNDJSON = type.hasPrefix("application/x-ndjson") || type.hasPrefix("application/jsonl") || type.hasPrefix("application/json-lines")
        if (isNDJSON && !DocumentReader.namesUTF8OrNoCharset(type)) || (!isNDJSON && DocumentReader.format(forContentType: type) != .some(.json)) {
            throw SwitchboardError.unsupportedMediaType(type, supported: ["application/json", "application/x-ndjson"])
        }
        let pipeline = try await service.compiledPipeline(id: id)
        let context = service.pipelineContext
        if isNDJSON {
            return streamNDJSON(request.body, pipeline: pipeline, context: context, stopOnError: stopOnError, maxLine: reader.maxBodySize)
        }
        var request = request
        let body = try await reader.json(&request)
        guard case .array(let records) = body else {
            switch await pipeline.run(body, context: context) {
            case .output(let o): return APIResponse.json(["output": o])
            case .dropped(let step): return APIResponse.json(["dropped": true, "step": .number(Double(step))])
            case .failed(_, let error): throw error
            }
        }
        var summary = Summary()
        var results: [JSON] = []
        for (i, record) in records.enumerated() {
            let outcome = await pipeline.run(record, context: context)
            summary.count(outcome)
            results.append(outcome.json(index: i))
            if stopOnError, case .failed = outcome {
                summary.stopped = true
                break
            }
        }
        return APIResponse.json(["results": .array(results), "summary": summary.json])
    }

    struct Summary {
        var total = 0, succeeded = 0, dropped = 0, failed = 0
        var stopped = false
        mutating func count(_ outcome: CompiledPipeline.Outcome) {
            total += 1
            switch outcome {
            case .output: succeeded += 1
            case .dropped: dropped += 1
            case .failed: failed += 1
            }
        }
        var json: JSON {
            [
                "total": .number(Double(total)), "succeeded": .number(Double(succeeded)), "dropped": .number(Double(dropped)),
                "failed": .number(Double(failed)), "stopped": .bool(stopped),
            ]
        }
    }

    /// Reads NDJSON lines as they arrive and writes one result line per record, then `{"summary": {...}}`.
    func streamNDJSON(
        _ body: RequestBody, pipeline: CompiledPipeline, context: CompiledPipeline.Context, stopOnError: Bool, maxLine: Int
    ) -> Response {
        let responseBody = ResponseBody { writer in
            var summary = Summary()
            var pending: [UInt8] = []
            var index = 0
            var stop = false
            @concurrent func handle(_ line: ArraySlice<UInt8>, writer: inout any ResponseBodyWriter) async throws {
                guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
                let outcome: CompiledPipeline.Outcome
                if let record = try? JSON(parsing: line) {
                    outcome = await pipeline.run(record, context: context)
                } else {
                    outcome = .failed(step: -1, error: .malformedBody("line \(index + 1) is not JSON"))
                }
                summary.count(outcome)
                var bytes = outcome.json(index: index).serializedBytes()
                bytes.append(0x0A)
                try await writer.write(ByteBuffer(bytes: bytes))
                index += 1
                if stopOnError, case .failed = outcome {
                    summary.stopped = true
                    stop = true
                }
            }
            reading: for try await chunk in body {
                pending += chunk.readableBytesView
                while let newline = pending.firstIndex(of: 0x0A) {
                    try await handle(pending[..<newline], writer: &writer)
                    pending.removeSubrange(...newline)
                    if stop { break reading }
                }
                if pending.count > maxLine {
                    let error = SwitchboardError.payloadTooLarge(limit: maxLine)
                    summary.failed += 1
                    summary.total += 1
                    summary.stopped = true
                    let line: JSON = ["index": .number(Double(index)), "error": error.json]
                    try await writer.write(ByteBuffer(bytes: line.serializedBytes() + [0x0A]))
                    pending = []
                    stop = true
                    break reading
                }
            }
            if !stop, !pending.isEmpty { try await handle(pending[...], writer: &writer) }
            let last: JSON = ["summary": summary.json]
            try await writer.write(ByteBuffer(bytes: last.serializedBytes() + [0x0A]))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: responseBody)
    }
}

/// Enrichment steps call methods through the method executor.
struct ExecutorEnrichment: EnrichmentRunner {
    let executor: MethodExecutor

    func call(connectionId: String, method: String, params: JSON) async throws(SwitchboardError) -> JSON {
        let result = await executor.execute(connectionId: connectionId, methodName: method, params: params)
        if let error = result.error { throw error }
        return result.data ?? .null
    }
}
