import JSONSchema
import JSONValue
import Testing

@Suite("Error reports")
struct ErrorReportingTests {
    static let contact = ##"""
        {"$id": "https://example.com/contact.json", "type": "object", "required": ["email", "name"],
         "properties": {"email": {"type": "string", "format": "email"}, "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}},
         "$defs": {"tag": {"type": "string", "maxLength": 3}}}
        """##

    @Test("a format failure names the instance location, keyword location and format")
    func formatMessage() throws {
        let s = try compile(Self.contact)
        let result = s.validate(json(##"{"email": "x", "name": "Ada"}"##))
        #expect(!result.isValid)
        let error = try #require(result.errors.first)
        #expect(error.description == ##"/email: "x" does not match format "email""##)
        #expect(error.instanceLocation.description == "/email")
        #expect(error.keywordLocation.description == "/properties/email/format")
        #expect(error.absoluteKeywordLocation == "https://example.com/contact.json#/properties/email/format")
        #expect(error.keyword == "format")
    }

    @Test("keyword locations follow $ref hops; absolute locations name the target")
    func referenceLocations() throws {
        let s = try compile(Self.contact)
        let error = try #require(s.validate(json(##"{"email": "a@b.c", "name": "Ada", "tags": ["ok", "toolong"]}"##)).errors.first)
        #expect(error.instanceLocation.description == "/tags/1")
        #expect(error.keywordLocation.description == "/properties/tags/items/$ref/maxLength")
        #expect(error.absoluteKeywordLocation == "https://example.com/contact.json#/$defs/tag/maxLength")
        #expect(error.message == ##""toolong" is longer than 3 characters"##)
    }

    @Test("allErrors reports every failure; firstError stops at one")
    func modes() throws {
        let s = try compile(Self.contact)
        let instance = json(##"{"email": 1, "tags": [1, "abcd"]}"##)
        let all = s.validate(instance, mode: .allErrors)
        #expect(all.errors.count == 4)
        #expect(Set(all.errors.map(\.keyword)) == ["required", "type", "maxLength"])
        #expect(all.errors.contains { $0.description == ##"(root): missing required property "name""## })
        let first = s.validate(instance, mode: .firstError)
        #expect(first.errors.count == 1)
        #expect(!first.isValid)
    }

    @Test("additional and unevaluated properties name the offending member")
    func closedObjects() throws {
        let s = try compile(##"{"properties": {"a": true}, "additionalProperties": false}"##)
        let error = try #require(s.validate(json(##"{"a": 1, "b": 2}"##)).errors.first)
        #expect(error.message == ##"property "b" is not allowed (additional)"##)
        #expect(error.keywordLocation.description == "/additionalProperties")
    }

    @Test("a valid instance reports no errors")
    func validInstance() throws {
        let result = try compile(Self.contact).validate(json(##"{"email": "ada@example.com", "name": "Ada"}"##))
        #expect(result.isValid)
        #expect(result.errors.isEmpty)
    }

    @Test("format assertion can be switched off")
    func formatAnnotation() throws {
        let s = try compile(##"{"format": "email"}"##, formatAssertion: false)
        #expect(s.accepts(##""not an email""##))
    }

    @Test("a false subschema is located at the subschema, not at a keyword")
    func falseSchema() throws {
        let s = try compile(##"{"prefixItems": [true, false]}"##)
        let error = try #require(s.validate(json("[1, 2]")).errors.first)
        #expect(error.instanceLocation.description == "/1")
        #expect(error.keywordLocation.description == "/prefixItems/1")
        #expect(error.absoluteKeywordLocation == "json-schema:///#/prefixItems/1")
        #expect(error.keyword == "false")
    }
}
