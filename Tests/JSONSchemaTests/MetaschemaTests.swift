import JSONSchema
import JSONValue
import Testing

@Suite("Checking schemas against the metaschema")
struct MetaschemaTests {
    @Test("well-formed schemas pass")
    func valid() {
        #expect(JSONSchema.validateSchema(json(ErrorReportingTests.contact)).isEmpty)
        #expect(JSONSchema.validateSchema(json("true")).isEmpty)
        #expect(JSONSchema.validateSchema(json(##"{"$defs": {"a": {"type": ["string", "null"], "pattern": "^[a-z]+$"}}}"##)).isEmpty)
    }

    @Test(
        "malformed schemas report where they are wrong",
        arguments: [
            (##"{"type": "strnig"}"##, "/type"),
            (##"{"minLength": -1}"##, "/minLength"),
            (##"{"properties": {"a": {"required": "yes"}}}"##, "/properties/a/required"),
            (##"{"pattern": "(unclosed"}"##, "/pattern"),
            (##"{"$defs": {"x": 12}}"##, "/$defs/x"),
            ("12", ""),
        ])
    func invalid(schema: String, location: String) {
        let errors = JSONSchema.validateSchema(json(schema))
        #expect(!errors.isEmpty)
        #expect(errors.contains { $0.instanceLocation.description == location })
    }
}
