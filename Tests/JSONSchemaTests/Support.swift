import JSONSchema
import JSONValue
import Testing

/// Compiles a schema written as JSON text.
func compile(
    _ text: String, formatAssertion: Bool = true, stackBudget: Int = 256 * 1024, registry: SchemaRegistry = SchemaRegistry()
) throws -> JSONSchema {
    try JSONSchema.compile(
        JSON(parsing: text), options: JSONSchema.Options(formatAssertion: formatAssertion, stackBudget: stackBudget), registry: registry)
}

/// Parses JSON text (test data is always well-formed).
func json(_ text: String) -> JSON {
    (try? JSON(parsing: text)) ?? .null
}

extension JSONSchema {
    /// Whether the instance is valid; also expects `isValid` and the reporting `validate` to agree.
    func accepts(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let instance = json(text)
        let fast = isValid(instance)
        let reported = validate(instance)
        #expect(fast == reported.isValid, "isValid and validate disagree on \(text)", sourceLocation: sourceLocation)
        #expect(reported.isValid == reported.errors.isEmpty, sourceLocation: sourceLocation)
        return fast
    }
}
