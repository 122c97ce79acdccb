import JSONValue
import SwitchboardCore
import Testing

@Suite struct DefinitionCodecTests {
    let codec = DefinitionCodec(schemas: StructuralSchemaChecker())

    func problems(_ document: JSON) -> [Problem] {
        do {
            _ = try codec.decode(document)
            return []
        } catch {
            return error.details.compactMap { d in
                guard let p = d["path"]?.stringValue, let m = d["message"]?.stringValue else { return nil }
                return Problem(path: p, message: m)
            }
        }
    }

    @Test func decodesAFullDefinition() throws {
        let doc = try DocumentReader.read(Array(try RepositoryCatalog.stripe.utf8), format: .yaml)
        let d = try codec.decode(doc)
        #expect(d.key == "stripe")
        #expect(d.auth.type == .bearer)
        #expect(d.methods.map(\.name) == ["listCustomers", "getCustomer", "createCustomer"])
        #expect(d.method(named: "createCustomer")?.bodyEncoding == .form)
        #expect(d.method(named: "createCustomer")?.verb == .POST)
        #expect(d.status == .draft)
        #expect(d.defaultConfig["apiVersion"] == "2024-06-20")
    }

    @Test func listsEveryProblemWithItsPath() {
        let p = problems([
            "key": "Not A Slug", "version": "1.0", "auth": "magic", "type": "fax",
            "methods": [["name": "a", "path": "/x/{id}"], ["name": "b"], ["name": "b", "verb": "FETCH"]],
            "configSchema": ["type": "text"], "healthCheck": "nope", "extra": true,
        ])
        let paths = Set(p.map(\.path))
        #expect(paths.isSuperset(of: ["/key", "/name", "/version", "/auth", "/type", "/methods/0/path", "/methods/2/verb", "/configSchema/type", "/extra"]))
        #expect(p.contains { $0.path == "/methods/0/path" && $0.message.contains("'id'") })
    }

    @Test func reportsDuplicateMethodNames() {
        let p = problems(["key": "k", "name": "K", "version": "1.0.0", "methods": [["name": "a"], ["name": "a"]]])
        #expect(p == [Problem(path: "/methods/1/name", message: "duplicate method name 'a'")])
    }

    @Test func oauth2NeedsEndpoints() {
        let p = problems(["key": "k", "name": "K", "version": "1.0.0", "auth": ["type": "oauth2", "oauth2": ["scopes": ["a"]]]])
        #expect(Set(p.map(\.path)) == ["/auth/oauth2/tokenUrl", "/auth/oauth2/authorizationUrl"])
    }

    @Test func apiKeyPlacement() throws {
        let d = try codec.decode(["key": "k", "name": "K", "version": "1.0.0", "auth": ["type": "api_key", "apiKey": ["in": "query", "name": "api_key"]]])
        #expect(d.auth.apiKeyPlacement == .query)
        #expect(d.auth.apiKeyName == "api_key")
    }

    @Test func encodingKeepsMethodsAndMarksStatus() throws {
        var d = try codec.decode(["key": "k", "name": "K", "version": "1.2.3", "methods": [["name": "m", "path": "/m"]]])
        d.status = .published
        let json = codec.encode(d)
        #expect(json["status"] == "PUBLISHED")
        #expect(json["methods"]?[0]?["name"] == "m")
        #expect(codec.encode(d, includeMethods: false)["methodCount"] == 1)
    }
}

@Suite struct DocumentReaderTests {
    @Test func readsYAMLScalarsAsJSONTypes() throws {
        let v = try DocumentReader.read(Array("a: 1\nb: 2.5\nc: true\nd: null\ne: '1'\nf: [x, 'y']\ng: 0x10\n".utf8), format: .yaml)
        #expect(v == ["a": 1, "b": 2.5, "c": true, "d": nil, "e": "1", "f": ["x", "y"], "g": 16])
    }

    @Test func rejectsMalformedAndMultiDocumentYAML() {
        #expect(throws: SwitchboardError.self) { try DocumentReader.read(Array("a: [1, 2\n".utf8), format: .yaml) }
        #expect(throws: SwitchboardError.self) { try DocumentReader.read(Array("a: 1\n---\nb: 2\n".utf8), format: .yaml) }
        #expect(throws: SwitchboardError.self) { try DocumentReader.read(Array("{\"a\":".utf8), format: .json) }
    }

    @Test func refusesInvalidUTF8AndNumbersBeyondADouble() throws {
        let invalid: [[UInt8]] = [
            Array(#"{"q":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8),
            Array(#"{"q":"abcdefgh"#.utf8) + [0xC3] + Array(#""}"#.utf8),  // a cut two-byte sequence after the fast ASCII path
            Array("q: ".utf8) + [0xED, 0xA0, 0x80],  // an encoded surrogate
        ]
        for bytes in invalid {
            #expect(throws: SwitchboardError.malformedBody("the body is not valid UTF-8")) { try DocumentReader.read(bytes, format: nil) }
        }
        #expect(try DocumentReader.read(Array(#"{"q":"é😀 ok"}"#.utf8), format: .json) == ["q": "é😀 ok"])
        #expect(throws: SwitchboardError.self) { try DocumentReader.read(Array(#"{"code":1e400}"#.utf8), format: .json) }
        #expect(throws: SwitchboardError.self) { try DocumentReader.read(Array(#"[-1e400]"#.utf8), format: .json) }
        #expect(try DocumentReader.read(Array(#"[1e308]"#.utf8), format: .json) == [1e308])
    }

    @Test func refusesAliasBombs() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 { yaml += "a\(i): &a\(i) [*a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1)]\n" }
        #expect(throws: SwitchboardError.self) { try DocumentReader.read(Array(yaml.utf8), format: .yaml) }
    }

    @Test func choosesFormatByContentType() {
        #expect(DocumentReader.format(forContentType: "application/json; charset=utf-8") == .some(.json))
        #expect(DocumentReader.format(forContentType: "application/x-yaml") == .some(.yaml))
        #expect(DocumentReader.format(forContentType: nil) == .some(nil))
        #expect(DocumentReader.format(forContentType: "text/html") == nil)
        // Bodies are read as UTF-8: a Content-Type naming another charset is not a format the API reads.
        #expect(DocumentReader.format(forContentType: "application/json; charset=UTF-8") == .some(.json))
        #expect(DocumentReader.format(forContentType: "application/json; charset=\"utf-8\"") == .some(.json))
        #expect(DocumentReader.format(forContentType: "application/yaml; charset=us-ascii") == .some(.yaml))
        #expect(DocumentReader.format(forContentType: "application/json; charset=utf-16") == nil)
        #expect(DocumentReader.format(forContentType: "application/json;charset=\"ISO-8859-1\"") == nil)
        #expect(DocumentReader.format(forContentType: "application/yaml; q=1; charset=latin1") == nil)
    }
}

@Suite struct StatusTransitionTests {
    @Test func allowsOnlyTheDocumentedTransitions() {
        #expect(DefinitionStatus.draft.applying(.publish) == .published)
        #expect(DefinitionStatus.published.applying(.deprecate) == .deprecated)
        #expect(DefinitionStatus.deprecated.applying(.publish) == .published)
        #expect(DefinitionStatus.published.applying(.archive) == .archived)
        #expect(DefinitionStatus.draft.applying(.deprecate) == nil)
        #expect(DefinitionStatus.archived.applying(.publish) == nil)
        #expect(DefinitionStatus.published.applying(.publish) == nil)
    }
}
