import JSONSchema
import JSONValue
import Testing

@Suite("References and identifiers")
struct ReferenceTests {
    @Test("$ref to $defs, to an $anchor and to a JSON Pointer with escapes")
    func localReferences() throws {
        let s = try compile(
            ##"""
            {"$defs": {"positive": {"minimum": 0}, "a/b": {"type": "string"}, "named": {"$anchor": "name", "maxLength": 3}},
             "properties": {"n": {"$ref": "#/$defs/positive"}, "s": {"$ref": "#/$defs/a~1b"}, "t": {"$ref": "#name"}}}
            """##)
        #expect(s.accepts(##"{"n": 1, "s": "x", "t": "abc"}"##))
        #expect(!s.accepts(##"{"n": -1}"##))
        #expect(!s.accepts(##"{"s": 1}"##))
        #expect(!s.accepts(##"{"t": "abcd"}"##))
    }

    @Test("recursive schemas validate trees of any depth")
    func recursion() throws {
        let s = try compile(
            ##"{"type": "object", "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#"}}}}"##)
        #expect(s.accepts(##"{"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]}"##))
        #expect(!s.accepts(##"{"value": 1, "children": [{"value": 2, "children": [{"value": "3"}]}]}"##))
    }

    @Test("$id changes the base URI for relative references in embedded resources")
    func embeddedResources() throws {
        let s = try compile(
            ##"""
            {"$id": "https://example.com/root.json",
             "$defs": {"inner": {"$id": "nested/inner.json", "$defs": {"x": {"type": "integer"}}, "$ref": "#/$defs/x"}},
             "properties": {"a": {"$ref": "nested/inner.json"}, "b": {"$ref": "https://example.com/nested/inner.json#/$defs/x"}}}
            """##)
        #expect(s.accepts(##"{"a": 1, "b": 2}"##))
        #expect(!s.accepts(##"{"a": "1"}"##))
        #expect(!s.accepts(##"{"b": "2"}"##))
    }

    @Test("remote references resolve from the registry and unknown ones are a compile error")
    func registry() throws {
        var registry = SchemaRegistry()
        registry.add(json(##"{"$defs": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}"##), uri: "https://example.com/common.json")
        let s = try compile(##"{"properties": {"zip": {"$ref": "https://example.com/common.json#/$defs/zip"}}}"##, registry: registry)
        #expect(s.accepts(##"{"zip": "12345"}"##))
        #expect(!s.accepts(##"{"zip": "1234"}"##))
        #expect {
            try compile(##"{"$ref": "https://example.com/missing.json"}"##, registry: registry)
        } throws: { error in
            (error as? JSONSchemaError)?.code == .unresolvedReference
        }
        #expect(throws: JSONSchemaError.self) { try compile(##"{"$ref": "#/$defs/nowhere"}"##) }
    }

    @Test("$ref to the draft 2020-12 metaschema works offline")
    func metaschemaReference() throws {
        let s = try compile(##"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"##)
        #expect(s.accepts(##"{"type": "string", "minLength": 1}"##))
        #expect(!s.accepts(##"{"type": "strin"}"##))
        #expect(!s.accepts(##"{"minLength": -1}"##))
    }

    @Test("$dynamicRef resolves to the outermost $dynamicAnchor in the dynamic scope")
    func dynamicReferences() throws {
        var registry = SchemaRegistry()
        registry.add(
            json(
                ##"""
                {"$id": "https://example.com/tree", "$dynamicAnchor": "node", "type": "object",
                 "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}}
                """##), uri: "https://example.com/tree")
        let strict = try compile(
            ##"""
            {"$id": "https://example.com/strict-tree", "$dynamicAnchor": "node", "$ref": "tree", "unevaluatedProperties": false}
            """##, registry: registry)
        #expect(strict.accepts(##"{"children": [{"data": 1}]}"##))
        #expect(!strict.accepts(##"{"children": [{"daat": 1}]}"##))
        let loose = try compile(##"{"$ref": "https://example.com/tree"}"##, registry: registry)
        #expect(loose.accepts(##"{"children": [{"daat": 1}]}"##))
    }

    @Test("a referenced schema written for draft 2019-09 keeps its array semantics (no prefixItems; items as a tuple)")
    func historicDrafts() throws {
        var registry = SchemaRegistry()
        registry.add(
            json(
                ##"""
                {"$schema": "https://json-schema.org/draft/2019-09/schema", "prefixItems": [{"type": "string"}],
                 "items": [{"type": "integer"}], "additionalItems": false}
                """##), uri: "https://example.com/old.json")
        let s = try compile(##"{"$ref": "https://example.com/old.json"}"##, registry: registry)
        #expect(s.accepts("[1]"))
        #expect(!s.accepts(##"["a"]"##))
        #expect(!s.accepts("[1, 2]"))
    }
}
