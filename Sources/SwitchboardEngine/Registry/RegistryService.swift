import JSONValue
import JSONata
import SwitchboardAdapters
import SwitchboardCore

/// The registry's use cases: validating and storing definitions, and their explicit transitions.
public struct RegistryService: Sendable {
    public let definitions: any DefinitionRepository
    public let codec: DefinitionCodec
    let cache: ExecutionCache?
    /// Extra checks run on every new document (e.g. the sync engine's); their problems make it invalid.
    let validators: [@Sendable (IntegrationDefinition) -> [Problem]]
    /// The adapters calls will run on: each checks its methods' settings (`Adapter.validate(_:of:)`) on every write and
    /// before a version is published.
    let adapters: AdapterRegistry

    public init(
        definitions: any DefinitionRepository, codec: DefinitionCodec, cache: ExecutionCache? = nil,
        validators: [@Sendable (IntegrationDefinition) -> [Problem]] = [], adapters: AdapterRegistry = AdapterRegistry()
    ) {
        self.definitions = definitions
        self.codec = codec
        self.cache = cache
        self.validators = validators
        self.adapters = adapters
    }

    /// Applies a status transition and forgets cached copies of the definition. A version is published only if its
    /// method settings pass the write-time checks (a draft stored before they were checked on write may not).
    public func transition(key: String, version: SemanticVersion, _ transition: DefinitionStatus.Transition) async throws -> IntegrationDefinition {
        if transition == .publish, let stored = try await definitions.version(key: key, version: version) {
            try checkMethodSettings(stored)
        }
        defer { cache?.invalidate(definitionKey: key) }
        return try await definitions.transition(key: key, version: version, transition)
    }

    /// Deletes a draft version and forgets cached copies of the definition.
    public func deleteDraft(key: String, version: SemanticVersion) async throws {
        defer { cache?.invalidate(definitionKey: key) }
        try await definitions.deleteDraft(key: key, version: version)
    }

    /// Validates and stores a new version. A document may ask for DRAFT only; `publish` publishes it at once.
    public func create(document: JSON, publish: Bool = false) async throws -> IntegrationDefinition {
        var definition = try decodeNew(document)
        if publish { definition.status = .published }
        return try await definitions.create(definition)
    }

    /// Replaces a DRAFT version with a new document for the same key and version.
    public func replaceDraft(key: String, version: SemanticVersion, document: JSON) async throws -> IntegrationDefinition {
        let definition = try decodeNew(document)
        guard definition.key == key, definition.version == version else {
            throw SwitchboardError.validation(
                "the document's key and version must match the URL",
                problems: [Problem(path: "/key", message: "expected '\(key)' version \(version), got '\(definition.key)' version \(definition.version)")])
        }
        defer { cache?.invalidate(definitionKey: key) }
        return try await definitions.replaceDraft(definition)
    }

    func decodeNew(_ document: JSON) throws(SwitchboardError) -> IntegrationDefinition {
        let definition = try codec.decode(document)
        let resilienceProblems = ResilienceRuntime.problems(in: definition)
        if !resilienceProblems.isEmpty {
            throw .validation("the definition's resilience settings have \(resilienceProblems.count) problem(s)", problems: resilienceProblems)
        }
        let otherProblems = validators.flatMap { $0(definition) }
        if !otherProblems.isEmpty { throw .validation("the definition has \(otherProblems.count) problem(s)", problems: otherProblems) }
        try checkMethodSettings(definition)
        if definition.status != .draft {
            throw .validation(
                "a new version starts as DRAFT; use the publish, deprecate and archive transitions",
                problems: [Problem(path: "/status", message: "must be DRAFT or absent, not \(definition.status.rawValue)")])
        }
        return definition
    }

    /// Refuses (422) a definition whose methods' settings every call would fail on (409 `DEFINITION_ERROR`): templates
    /// that do not parse and `options.maxResponseBytes` out of range (`CompiledMethod.problems(in:)`), transforms that
    /// do not compile (`transformProblems(in:)`), and adapter settings its adapter refuses (`Adapter.validate(_:of:)`).
    func checkMethodSettings(_ definition: IntegrationDefinition) throws(SwitchboardError) {
        let problems =
            CompiledMethod.problems(in: definition) + Self.transformProblems(in: definition) + adapters.problems(in: definition)
            + healthCheckProblems(in: definition)
        if !problems.isEmpty { throw .validation("the definition's method settings have \(problems.count) problem(s)", problems: problems) }
    }

    /// A `healthCheck` method whose `paramSchema` refuses the empty parameters a connection test calls it with: every
    /// test would answer `VALIDATION_ERROR`.
    func healthCheckProblems(in definition: IntegrationDefinition) -> [Problem] {
        guard let name = definition.healthCheck, let method = definition.methods.first(where: { $0.name == name }) else { return [] }
        // A path parameter is required by the path itself: with no parameters, it is missing (422) on every test.
        if let compiled = try? CompiledMethod(method, baseURL: definition.baseURL) {
            for case .placeholder(let ref) in compiled.path.parts where ref.root == .params {
                return [
                    Problem(
                        path: "/healthCheck",
                        message: "names method '\(name)', whose path needs parameter '\(ref.path.joined(separator: "."))': a connection test sends none")
                ]
            }
        }
        guard let schema = method.paramSchema else { return [] }
        let refused = codec.schemas.validate([:], against: schema)
        guard let first = refused.first else { return [] }
        return [
            Problem(
                path: "/healthCheck",
                message: "names method '\(name)', whose paramSchema refuses the empty parameters a connection test sends: \(first.message)")
        ]
    }

    /// Each method's `requestTransform` and `responseTransform` that does not compile as JSONata, with the JSONata
    /// error (code and position) the call would report (`PreparedDefinition` compiles them the same way).
    static func transformProblems(in definition: IntegrationDefinition) -> [Problem] {
        var out: [Problem] = []
        for (i, method) in definition.methods.enumerated() {
            for (field, source) in [("requestTransform", method.requestTransform), ("responseTransform", method.responseTransform)] {
                guard let source else { continue }
                do { _ = try JSONataExpression(compiling: source) } catch {
                    out.append(Problem(path: "/methods/\(i)/\(field)", message: "\(error)"))
                }
            }
        }
        return out
    }

    /// The version a client means by `key` alone: latest published, else latest draft.
    public func current(key: String) async throws -> IntegrationDefinition {
        guard let d = try await definitions.current(key: key) else { throw Self.notFound(key) }
        return d
    }

    public func version(key: String, version: SemanticVersion) async throws -> IntegrationDefinition {
        guard let d = try await definitions.version(key: key, version: version) else {
            if try await definitions.current(key: key) == nil { throw Self.notFound(key) }
            throw SwitchboardError.notFound("definition '\(key)' has no version \(version)", code: "DEFINITION_NOT_FOUND")
        }
        return d
    }

    public func versions(key: String) async throws -> [IntegrationDefinition] {
        let all = try await definitions.versions(key: key)
        guard !all.isEmpty else { throw Self.notFound(key) }
        return all
    }

    static func notFound(_ key: String) -> SwitchboardError {
        .notFound("no definition with key '\(key)'", code: "DEFINITION_NOT_FOUND")
    }
}
