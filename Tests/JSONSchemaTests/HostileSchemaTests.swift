import JSONSchema
import JSONValue
import Testing

@Suite("Hostile schemas and instances")
struct HostileSchemaTests {
    @Test("a $ref to itself is a compile error, not an endless loop", arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##,
        ##"{"allOf": [{"$ref": "#"}]}"##,
    ])
    func referenceCycles(schema: String) throws {
        #expect {
            try compile(schema)
        } throws: { error in
            (error as? JSONSchemaError)?.code == .circularReference
        }
    }

    @Test("a conditional self-reference ends with an error once the depth limit is reached")
    func conditionalRecursion() throws {
        let s = try compile(##"{"anyOf": [{"type": "string"}, {"$ref": "#"}]}"##)
        #expect(s.isValid(json(##""x""##)))
        #expect(!s.isValid(json("1")))
        let result = s.validate(json("1"))
        #expect(!result.isValid)
        #expect(!result.errors.isEmpty)
    }

    @Test("exponential branching is cut off by the depth limit")
    func branching() throws {
        let s = try compile(##"{"anyOf": [{"$ref": "#"}, {"$ref": "#"}], "type": "string"}"##)
        #expect(!s.isValid(json("1")))
    }

    @Test("deeply nested instances against a recursive schema end with a result")
    func deepInstance() throws {
        let s = try compile(##"{"type": "array", "items": {"$ref": "#"}}"##, registry: SchemaRegistry())
        let depth = 500
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(s.isValid(json(text)))
        let deeper = try JSON(parsing: String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000), options: .init(maxDepth: 5_000))
        let result = s.validate(deeper)
        #expect(!result.isValid)
        #expect(result.errors.first?.keyword == "maxDepth")
    }

    @Test("deeply nested schemas compile without recursion trouble")
    func deepSchema() throws {
        var text = ##"{"type": "integer"}"##
        for _ in 0..<250 { text = ##"{"properties": {"a": "## + text + "}}" }
        let s = try compile(text)
        var instance = "1"
        for _ in 0..<250 { instance = ##"{"a": "## + instance + "}" }
        #expect(s.accepts(instance))
    }

    @Test("an invalid or huge pattern is a compile error or a bounded search")
    func patterns() throws {
        #expect {
            try compile(##"{"pattern": "(unclosed"}"##)
        } throws: { error in
            (error as? JSONSchemaError)?.code == .invalidRegex
        }
        let huge = String(repeating: "a?", count: 5_000) + String(repeating: "a", count: 5_000)
        if let s = try? compile(##"{"pattern": "^\##(huge)$"}"##) {
            _ = s.isValid(.string(String(repeating: "a", count: 5_000)))
        }
        let catastrophic = try compile(##"{"pattern": "^(a+)+$"}"##)
        let result = catastrophic.validate(.string(String(repeating: "a", count: 40) + "!"))
        #expect(!result.isValid)
    }
}
