import JSONValue
import JSONata
import SwitchboardCore
import Synchronization

/// The transformation area: expressions, mappings, mapping templates, validators and pipelines, stored and compiled.
///
/// Compiled mappings and validators are cached by id and `updatedAt`, so an edit (on any node) is seen on the next use.
public final class TransformService: Sendable {
    public struct Repositories: Sendable {
        public var mappings: any TransformDocumentRepository
        public var templates: any TransformDocumentRepository
        public var validators: any TransformDocumentRepository
        public var pipelines: any TransformDocumentRepository

        public init(
            mappings: any TransformDocumentRepository, templates: any TransformDocumentRepository, validators: any TransformDocumentRepository,
            pipelines: any TransformDocumentRepository
        ) {
            self.mappings = mappings
            self.templates = templates
            self.validators = validators
            self.pipelines = pipelines
        }
    }

    /// The kinds of stored documents, with their id prefixes and error codes.
    public enum Kind: String, Sendable, CaseIterable {
        case mapping, template, validator, pipeline

        var prefix: String {
            switch self {
            case .mapping: "map_"
            case .template: "mtpl_"
            case .validator: "val_"
            case .pipeline: "pipe_"
            }
        }

        var notFoundCode: String {
            switch self {
            case .mapping: "MAPPING_NOT_FOUND"
            case .template: "TEMPLATE_NOT_FOUND"
            case .validator: "VALIDATOR_NOT_FOUND"
            case .pipeline: "PIPELINE_NOT_FOUND"
            }
        }

        var noun: String { self == .template ? "mapping template" : rawValue }
    }

    public let repositories: Repositories
    public let evaluator: TransformEvaluator
    public let schemas: any SchemaChecker
    public let enrichment: (any EnrichmentRunner)?
    let clock: any WallClock
    private let mappingCache = Mutex<[String: (Timestamp, CompiledMapping)]>([:])
    private let validatorCache = Mutex<[String: (Timestamp, CompiledValidator)]>([:])
    static let cacheCapacity = 1024

    public init(
        repositories: Repositories, schemas: any SchemaChecker, enrichment: (any EnrichmentRunner)?,
        evaluator: TransformEvaluator = TransformEvaluator(),
        clock: any WallClock = SystemWallClock()
    ) {
        self.repositories = repositories
        self.schemas = schemas
        self.enrichment = enrichment
        self.evaluator = evaluator
        self.clock = clock
    }

    public var pipelineContext: CompiledPipeline.Context { .init(evaluator: evaluator, schemas: schemas, enrichment: enrichment) }

    func repository(_ kind: Kind) -> any TransformDocumentRepository {
        switch kind {
        case .mapping: repositories.mappings
        case .template: repositories.templates
        case .validator: repositories.validators
        case .pipeline: repositories.pipelines
        }
    }

    // MARK: - Stored documents

    /// Validates and stores a new document; returns it as the API shows it.
    public func create(_ kind: Kind, body: JSON) async throws -> TransformDocument {
        let (name, key, cleaned) = try await check(kind, body: body)
        let now = clock.now()
        let doc = TransformDocument(
            id: Identifier.make(prefix: kind.prefix, now: now), name: name, lookupKey: key, body: cleaned, createdAt: now, updatedAt: now)
        try await repository(kind).insert(doc)
        return doc
    }

    /// Replaces a document; 404 when absent.
    public func replace(_ kind: Kind, id: String, body: JSON) async throws -> TransformDocument {
        let existing = try await get(kind, id: id)
        let (name, key, cleaned) = try await check(kind, body: body)
        var now = clock.now()
        if now <= existing.updatedAt { now = Timestamp(millisecondsSinceEpoch: existing.updatedAt.millisecondsSinceEpoch + 1) }
        let doc = TransformDocument(id: id, name: name, lookupKey: key, body: cleaned, createdAt: existing.createdAt, updatedAt: now)
        guard try await repository(kind).update(doc) else { throw notFound(kind, id) }
        return doc
    }

    public func get(_ kind: Kind, id: String) async throws -> TransformDocument {
        guard let doc = try await repository(kind).get(id: id) else { throw notFound(kind, id) }
        return doc
    }

    public func delete(_ kind: Kind, id: String) async throws {
        guard try await repository(kind).delete(id: id) else { throw notFound(kind, id) }
    }

    public func list(_ kind: Kind, limit: Int, cursor: Cursor?) async throws -> Page<TransformDocument> {
        try await repository(kind).list(limit: limit, cursor: cursor)
    }

    func notFound(_ kind: Kind, _ id: String) -> SwitchboardError { .notFound("no \(kind.noun) with id '\(id)'", code: kind.notFoundCode) }

    /// Compiles the body (every problem listed) and returns its name, lookup key and the body to store.
    func check(_ kind: Kind, body: JSON) async throws -> (String, String?, JSON) {
        guard case .object(var o) = body else {
            throw SwitchboardError.validation(
                "the \(kind.noun) must be a JSON object", problems: [Problem(path: "", message: "must be an object, not \(body.typeName)")])
        }
        for k in ["id", "createdAt", "updatedAt"] { o[k] = nil }
        let cleaned = JSON.object(o)
        switch kind {
        case .mapping:
            _ = try CompiledMapping(cleaned, evaluator: evaluator, schemas: schemas)
        case .validator:
            _ = try CompiledValidator(cleaned, evaluator: evaluator)
        case .pipeline:
            _ = try await compilePipeline(cleaned)
        case .template:
            var r = FieldReader(cleaned, path: "")
            let type = r.string("integrationType", required: true, maxLength: 200)
            let entity = r.string("entityType", required: true, maxLength: 200)
            let mappingId = r.string("mappingId", required: true)
            let name = r.string("name", maxLength: 200)
            _ = r.string("description")
            r.rejectUnknown()
            guard r.problems.isEmpty, let type, let entity, let mappingId else {
                throw SwitchboardError.validation("the mapping template is not valid", problems: r.problems)
            }
            guard try await repositories.mappings.get(id: mappingId) != nil else {
                throw SwitchboardError.validation(
                    "the mapping template is not valid", problems: [Problem(path: "/mappingId", message: "no mapping with id '\(mappingId)'")])
            }
            o["name"] = .string(name ?? "\(type)/\(entity)")
            return (name ?? "\(type)/\(entity)", Self.templateKey(type, entity), .object(o))
        }
        return (o["name"]?.stringValue ?? "", nil, cleaned)
    }

    static func templateKey(_ integrationType: String, _ entityType: String) -> String {
        JSON.array([.string(integrationType), .string(entityType)]).serialized()
    }

    // MARK: - Compiled forms

    /// The compiled mapping `id` (from the cache when unchanged); `nil` when absent.
    public func compiledMapping(id: String) async throws(SwitchboardError) -> CompiledMapping? {
        let doc: TransformDocument?
        do { doc = try await repositories.mappings.get(id: id) } catch { throw Self.storeError(error) }
        guard let doc else { return nil }
        if let (stamp, hit) = mappingCache.withLock({ $0[id] }), stamp == doc.updatedAt { return hit }
        let compiled = try CompiledMapping(doc.body, evaluator: evaluator, schemas: schemas)
        mappingCache.withLock { c in
            if c.count >= Self.cacheCapacity { c.removeAll() }
            c[id] = (doc.updatedAt, compiled)
        }
        return compiled
    }

    public func compiledValidator(id: String) async throws(SwitchboardError) -> CompiledValidator? {
        let doc: TransformDocument?
        do { doc = try await repositories.validators.get(id: id) } catch { throw Self.storeError(error) }
        guard let doc else { return nil }
        if let (stamp, hit) = validatorCache.withLock({ $0[id] }), stamp == doc.updatedAt { return hit }
        let compiled = try CompiledValidator(doc.body, evaluator: evaluator)
        validatorCache.withLock { c in
            if c.count >= Self.cacheCapacity { c.removeAll() }
            c[id] = (doc.updatedAt, compiled)
        }
        return compiled
    }

    func compilePipeline(_ body: JSON) async throws(SwitchboardError) -> CompiledPipeline {
        try await CompiledPipeline(
            body, evaluator: evaluator, mapping: { id throws(SwitchboardError) in try await self.compiledMapping(id: id) },
            validator: { id throws(SwitchboardError) in try await self.compiledValidator(id: id) })
    }

    public func compiledPipeline(id: String) async throws -> CompiledPipeline {
        let doc = try await get(.pipeline, id: id)
        do { return try await compilePipeline(doc.body) } catch {
            throw SwitchboardError(
                code: "PIPELINE_NOT_RUNNABLE", message: "the pipeline cannot run: \(error.message)", details: error.details, status: 409)
        }
    }

    static func storeError(_ error: any Error) -> SwitchboardError {
        if let e = error as? SwitchboardError { return e }
        return SwitchboardError.unavailable("the database failed", code: "DATABASE_ERROR")
    }

    // MARK: - Operations

    /// `POST /v1/mappings/{id}/apply`: one document gives `{output, errors}`, an array gives `{results: [...]}`.
    public func apply(mappingId: String, to input: JSON) async throws -> JSON {
        guard let mapping = try await compiledMapping(id: mappingId) else { throw notFound(.mapping, mappingId) }
        func one(_ doc: JSON) -> JSON {
            let (output, errors) = mapping.apply(doc, evaluator: evaluator, schemas: schemas)
            return ["output": output, "errors": .array(errors.map(\.json))]
        }
        if case .array(let docs) = input { return ["results": .array(docs.map(one))] }
        return one(input)
    }

    /// `transformData(type, entity, data)`: the template's mapping applied to `data`.
    public func transformData(integrationType: String, entityType: String, data: JSON) async throws -> JSON {
        guard let template = try await repositories.templates.get(lookupKey: Self.templateKey(integrationType, entityType)) else {
            throw SwitchboardError.notFound(
                "no mapping template for integration type '\(integrationType)' and entity type '\(entityType)'", code: "TEMPLATE_NOT_FOUND")
        }
        guard let mappingId = template.body["mappingId"]?.stringValue else { throw notFound(.mapping, "") }
        var out = try await apply(mappingId: mappingId, to: data)
        if case .object(var o) = out {
            o["templateId"] = .string(template.id)
            o["mappingId"] = .string(mappingId)
            out = .object(o)
        }
        return out
    }

    /// `POST /v1/validators/{id}/validate`.
    public func validate(validatorId: String, document: JSON) async throws -> CompiledValidator.Report {
        guard let validator = try await compiledValidator(id: validatorId) else { throw notFound(.validator, validatorId) }
        return validator.validate(document, evaluator: evaluator, schemas: schemas)
    }
}
