import Testing

@testable import JSONSchema

@Suite("RFC 3986 reference resolution")
struct URIReferenceTests {
    /// RFC 3986 section 5.4.1 and 5.4.2 examples, against the base http://a/b/c/d;p?q.
    @Test(
        "resolves the RFC's normal and abnormal examples",
        arguments: [
            ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
            ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"), (";x", "http://a/b/c/;x"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"),
            ("..", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"), ("/./g", "http://a/g"), ("/../g", "http://a/g"), ("g.", "http://a/b/c/g."),
            ("./../g", "http://a/b/g"), ("g/./h", "http://a/b/c/g/h"), ("g/../h", "http://a/b/c/h"),
        ])
    func resolution(reference: String, expected: String) {
        #expect(URIReference.resolve(reference, against: "http://a/b/c/d;p?q") == expected)
    }

    @Test("fragments resolve against URNs, and percent escapes decode")
    func urnsAndEscapes() {
        #expect(URIReference.resolve("#/$defs/a", against: "urn:uuid:deadbeef-1234") == "urn:uuid:deadbeef-1234#/$defs/a")
        #expect(URIReference.percentDecoded("/$defs/a%25b%22") == "/$defs/a%b\"")
    }
}
