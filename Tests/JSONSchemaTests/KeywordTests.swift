import JSONSchema
import JSONValue
import Testing

@Suite("Validation keywords")
struct KeywordTests {
    @Test("type accepts integral numbers as integer and rejects other types")
    func type() throws {
        let s = try compile(##"{"type": ["integer", "null"]}"##)
        #expect(s.accepts("1"))
        #expect(s.accepts("1.0"))
        #expect(s.accepts("null"))
        #expect(!s.accepts("1.5"))
        #expect(!s.accepts(##""1""##))
    }

    @Test("minimum, maximum and the exclusive bounds")
    func numberBounds() throws {
        let s = try compile(##"{"minimum": 1, "exclusiveMaximum": 10}"##)
        #expect(s.accepts("1"))
        #expect(s.accepts("9.99"))
        #expect(!s.accepts("0.5"))
        #expect(!s.accepts("10"))
        #expect(s.accepts(##""not a number""##))
    }

    @Test("multipleOf is exact on decimals: 19.99 is a multiple of 0.01")
    func multipleOfDecimal() throws {
        let cents = try compile(##"{"multipleOf": 0.01}"##)
        #expect(cents.accepts("19.99"))
        #expect(cents.accepts("0.07"))
        #expect(!cents.accepts("19.995"))
        let tenth = try compile(##"{"multipleOf": 0.1}"##)
        #expect(tenth.accepts("0.3"))
        #expect(!tenth.accepts("0.35"))
        let half = try compile(##"{"type": "integer", "multipleOf": 0.5}"##)
        #expect(half.accepts("1e308"))
        let seven = try compile(##"{"multipleOf": 7}"##)
        #expect(seven.accepts("49"))
        #expect(!seven.accepts("50"))
        #expect(!seven.accepts("7.5"))
    }

    @Test("string lengths count Unicode code points, not UTF-8 bytes or grapheme clusters")
    func stringLength() throws {
        let s = try compile(##"{"minLength": 2, "maxLength": 3}"##)
        #expect(s.accepts(##""ab""##))
        #expect(!s.accepts(##""a""##))
        #expect(!s.accepts(##""💩""##))  // one code point, four bytes
        #expect(s.accepts(##""💩💩""##))
        #expect(s.accepts("\"e\\u0301x\""))  // three code points, two graphemes
        #expect(!s.accepts(##""abcd""##))
    }

    @Test("pattern is an unanchored ECMA-262 search")
    func pattern() throws {
        let s = try compile(##"{"pattern": "^\\+[0-9]{1,3}-[0-9]{3}$"}"##)
        #expect(s.accepts(##""+41-123""##))
        #expect(!s.accepts(##""41-123""##))
        let unanchored = try compile(##"{"pattern": "b+"}"##)
        #expect(unanchored.accepts(##""abbbc""##))
        let literal = try compile(##"{"pattern": "needle"}"##)
        #expect(literal.accepts(##""hay needle hay""##))
        #expect(!literal.accepts(##""hay""##))
    }

    @Test("const and enum use JSON equality: 1.0 equals 1, key order is irrelevant, true is not 1")
    func constAndEnum() throws {
        let c = try compile(##"{"const": {"a": 1, "b": [1, 2]}}"##)
        #expect(c.accepts(##"{"b": [1.0, 2], "a": 1.0}"##))
        #expect(!c.accepts(##"{"a": 1, "b": [2, 1]}"##))
        let e = try compile(##"{"enum": [1, "x", null]}"##)
        #expect(e.accepts("1.0"))
        #expect(e.accepts("null"))
        #expect(!e.accepts("true"))
        #expect(!e.accepts(##""X""##))
    }

    @Test("array keywords: prefixItems, items, contains with min/max, uniqueItems, size")
    func arrays() throws {
        let tuple = try compile(##"{"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}"##)
        #expect(tuple.accepts(##"["a", 1]"##))
        #expect(tuple.accepts(##"["a"]"##))
        #expect(!tuple.accepts(##"["a", 1, 2]"##))
        #expect(!tuple.accepts(##"[1, "a"]"##))
        let contains = try compile(##"{"contains": {"const": 1}, "minContains": 2, "maxContains": 3}"##)
        #expect(contains.accepts("[1, 1, 2]"))
        #expect(!contains.accepts("[1, 2]"))
        #expect(!contains.accepts("[1, 1, 1, 1]"))
        let unique = try compile(##"{"uniqueItems": true, "minItems": 1, "maxItems": 3}"##)
        #expect(unique.accepts(##"[1, "1", {"a": 1}]"##))
        #expect(!unique.accepts(##"[{"a": 1, "b": 2}, {"b": 2, "a": 1}]"##))
        #expect(!unique.accepts("[1, 1.0]"))
        #expect(!unique.accepts("[]"))
        #expect(!unique.accepts("[1, 2, 3, 4]"))
        let many = try compile(##"{"uniqueItems": true}"##)
        let items = (0..<100).map(String.init).joined(separator: ",")
        #expect(many.accepts("[\(items)]"))
        #expect(!many.accepts("[\(items), 50]"))
    }

    @Test("object keywords: properties, patternProperties, additionalProperties, required, propertyNames, dependencies")
    func objects() throws {
        let s = try compile(
            ##"""
            {"properties": {"name": {"type": "string"}}, "patternProperties": {"^x-": {"type": "integer"}},
             "additionalProperties": false, "required": ["name"], "propertyNames": {"maxLength": 8},
             "minProperties": 1, "maxProperties": 3,
             "dependentRequired": {"x-a": ["x-b"]}, "dependentSchemas": {"x-b": {"required": ["x-a"]}}}
            """##)
        #expect(s.accepts(##"{"name": "Ada"}"##))
        #expect(s.accepts(##"{"name": "Ada", "x-a": 1, "x-b": 2}"##))
        #expect(!s.accepts(##"{"name": "Ada", "x-a": 1}"##))
        #expect(!s.accepts(##"{"name": "Ada", "x-b": 1}"##))
        #expect(!s.accepts(##"{"name": "Ada", "other": 1}"##))
        #expect(!s.accepts(##"{"name": "Ada", "x-a": "1", "x-b": 2}"##))
        #expect(!s.accepts(##"{"x-a": 1}"##))
        #expect(!s.accepts(##"{"name": "Ada", "x-toolongname": 1}"##))
    }

    @Test("required members beyond the properties list are still required")
    func requiredOutsideProperties() throws {
        let s = try compile(##"{"properties": {"a": {}}, "required": ["a", "b"]}"##)
        #expect(s.accepts(##"{"b": 1, "a": 2}"##))
        #expect(!s.accepts(##"{"a": 1}"##))
        #expect(!s.accepts(##"{"b": 1}"##))
    }

    @Test("allOf, anyOf, oneOf, not and if/then/else")
    func applicators() throws {
        let s = try compile(
            ##"""
            {"allOf": [{"type": "integer"}], "anyOf": [{"minimum": 10}, {"maximum": 0}], "oneOf": [{"multipleOf": 2}, {"multipleOf": 3}],
             "not": {"const": 12}}
            """##)
        #expect(s.accepts("10"))
        #expect(s.accepts("-3"))
        #expect(!s.accepts("12"))  // not
        #expect(!s.accepts("6"))  // anyOf fails (and oneOf matches both)
        #expect(!s.accepts("18"))  // oneOf matches both
        #expect(!s.accepts("11"))  // oneOf matches none
        let conditional = try compile(##"{"if": {"minimum": 0}, "then": {"multipleOf": 2}, "else": {"multipleOf": 3}}"##)
        #expect(conditional.accepts("4"))
        #expect(!conditional.accepts("5"))
        #expect(conditional.accepts("-3"))
        #expect(!conditional.accepts("-4"))
    }

    @Test("boolean schemas")
    func booleanSchemas() throws {
        #expect(try compile("true").accepts(##"{"anything": [1]}"##))
        #expect(!(try compile("false").accepts("null")))
    }

    @Test("unevaluatedProperties sees annotations of in-place applicators, but not of failed branches")
    func unevaluatedProperties() throws {
        let s = try compile(
            ##"""
            {"properties": {"a": true}, "anyOf": [{"properties": {"b": true}}, {"properties": {"c": true}, "required": ["x"]}],
             "unevaluatedProperties": false}
            """##)
        #expect(s.accepts(##"{"a": 1, "b": 2}"##))
        #expect(!s.accepts(##"{"a": 1, "c": 2}"##))  // the branch evaluating "c" failed (no "x")
        #expect(!s.accepts(##"{"a": 1, "c": 2, "x": 3}"##))  // "x" itself is never evaluated
        let nested = try compile(
            ##"{"allOf": [{"properties": {"a": true}}], "$ref": "#/$defs/b", "$defs": {"b": {"properties": {"b": true}}}, "unevaluatedProperties": false}"##
        )
        #expect(nested.accepts(##"{"a": 1, "b": 2}"##))
        #expect(!nested.accepts(##"{"a": 1, "z": 2}"##))
    }

    @Test("unevaluatedItems counts prefixItems, items and contains across applicators")
    func unevaluatedItems() throws {
        let s = try compile(##"{"prefixItems": [true], "allOf": [{"contains": {"const": "x"}}], "unevaluatedItems": {"type": "integer"}}"##)
        #expect(s.accepts(##"["a", "x", 3]"##))
        #expect(!s.accepts(##"["a", "x", "y"]"##))
        let closed = try compile(##"{"if": {"prefixItems": [true, true]}, "then": true, "unevaluatedItems": false}"##)
        #expect(closed.accepts("[1, 2]"))
        #expect(!closed.accepts("[1, 2, 3]"))
    }

    @Test("a custom metaschema without the validation vocabulary turns validation keywords off")
    func vocabularies() throws {
        var registry = SchemaRegistry()
        registry.add(
            json(
                ##"""
                {"$id": "https://example.com/meta", "$schema": "https://json-schema.org/draft/2020-12/schema",
                 "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/core": true,
                                 "https://json-schema.org/draft/2020-12/vocab/applicator": true}}
                """##), uri: "https://example.com/meta")
        let s = try compile(##"{"$schema": "https://example.com/meta", "properties": {"a": {"minimum": 5}}, "minimum": 5}"##, registry: registry)
        #expect(s.accepts(##"{"a": 1}"##))
        #expect(s.accepts("1"))
        registry.add(
            json(##"{"$id": "https://example.com/strict", "$vocabulary": {"https://example.com/vocab/unknown": true}}"##),
            uri: "https://example.com/strict")
        #expect(throws: JSONSchemaError.self) { try compile(##"{"$schema": "https://example.com/strict"}"##, registry: registry) }
    }
}
