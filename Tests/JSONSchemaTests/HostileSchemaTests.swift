import JSONSchema
import JSONValue
import Testing

@Suite("Hostile schemas and instances")
struct HostileSchemaTests {
    @Test(
        "a $ref to itself is a compile error, not an endless loop",
        arguments: [
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

    @Test("deeply nested instances against a recursive schema end with a result, within the stack budget")
    func deepInstance() throws {
        // Debug builds use several times the stack of release builds per level; the budget here suits both.
        let s = try compile(##"{"type": "array", "items": {"$ref": "#"}}"##, stackBudget: 4 << 20)
        let depth = 50
        #expect(s.isValid(json(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))))
        let deeper = try JSON(parsing: String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000), options: .init(maxDepth: 5_000))
        let result = s.validate(deeper)
        #expect(!result.isValid)
        #expect(result.errors.first?.keyword == "maxDepth")
        let small = try compile(##"{"type": "array", "items": {"$ref": "#"}}"##, stackBudget: 16 * 1024)
        #expect(!small.isValid(deeper))
    }

    @Test("deeply nested schemas compile without recursion trouble; absurd nesting is a compile error")
    func deepSchema() throws {
        var text = ##"{"type": "integer"}"##
        for _ in 0..<100 { text = ##"{"properties": {"a": "## + text + "}}" }
        let s = try compile(text, stackBudget: 4 << 20)
        var instance = "1"
        for _ in 0..<100 { instance = ##"{"a": "## + instance + "}" }
        #expect(s.accepts(instance))
        var absurd: JSON = ["type": "integer"]
        for _ in 0..<1_000 { absurd = ["not": absurd] }
        #expect(throws: JSONSchemaError.self) { try JSONSchema.compile(absurd) }
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
