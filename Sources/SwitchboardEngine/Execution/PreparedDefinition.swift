import JSONSchema
import JSONValue
import JSONata
import SwitchboardAdapters
import SwitchboardCore

/// A definition version made ready to execute: templates parsed, schemas compiled, transforms compiled, once.
public struct PreparedDefinition: Sendable {
    public let definition: IntegrationDefinition
    public let methods: [String: PreparedMethod]
    /// The version as text, for every execution record (formatting it per call was a measurable cost).
    public let versionText: String

    public struct PreparedMethod: Sendable {
        public let compiled: CompiledMethod
        public let paramSchema: JSONSchema?
        public let resultSchema: JSONSchema?
        public let requestTransform: JSONataExpression?
        public let responseTransform: JSONataExpression?
    }

    /// Prepares every method; a method whose templates, schemas or transforms don't compile is reported by name.
    public init(_ definition: IntegrationDefinition, schemas: JSONSchemaChecker) throws(SwitchboardError) {
        self.definition = definition
        self.versionText = definition.version.description
        var methods: [String: PreparedMethod] = [:]
        for m in definition.methods {
            func fail(_ what: String) -> SwitchboardError {
                SwitchboardError(
                    code: "DEFINITION_ERROR", message: "method '\(m.name)' of '\(definition.key)' \(definition.version) cannot run: \(what)", status: 409)
            }
            let compiled: CompiledMethod
            do { compiled = try CompiledMethod(m, baseURL: definition.baseURL) } catch { throw fail(error.message) }
            let paramSchema: JSONSchema?
            let resultSchema: JSONSchema?
            do {
                paramSchema = try m.paramSchema.map { (s: JSON) throws(JSONSchemaError) in try schemas.compiled(s) }
                resultSchema = try m.resultSchema.map { (s: JSON) throws(JSONSchemaError) in try schemas.compiled(s) }
            } catch { throw fail("schema: \(error)") }
            let requestTransform: JSONataExpression?
            let responseTransform: JSONataExpression?
            do {
                requestTransform = try m.requestTransform.map { (e: String) throws(JSONataError) in try JSONataExpression(compiling: e) }
                responseTransform = try m.responseTransform.map { (e: String) throws(JSONataError) in try JSONataExpression(compiling: e) }
            } catch { throw fail("transform: \(error)") }
            methods[m.name] = PreparedMethod(
                compiled: compiled, paramSchema: paramSchema, resultSchema: resultSchema, requestTransform: requestTransform,
                responseTransform: responseTransform)
        }
        self.methods = methods
    }
}
