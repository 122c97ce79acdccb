import Testing

@testable import JSONSchema

@Suite("The one-pass matcher for simple patterns")
struct SimplePatternTests {
    static let patterns = [
        "^[A-Z]{2}$", "^[0-9]{4,10}$", #"^\+[0-9]{1,3}-[0-9]{3}-[0-9]{3}-[0-9]{4}$"#, "^[a-z]+$", "^[a-z_][a-z0-9_]*$", #"^\d{3}\w?$"#,
        "^abc", "^a?b*c+$", #"^[\-\.a]{2,}x$"#, "^[a-fA-F0-9]{8}-[a-f0-9]{4}$", #"^v[0-9]+\.[0-9]+$"#, "^x{0}y$", "^[-a]b$", "^[a-]b$",
        "^[0-9]{1,3}-[0-9]{3}$", "^a*b?a$", "^a*b?c$", "^[a-z]{1,2}[0-9]?[a-z]$",
        // Not accepted: overlap, groups, alternation, dot, negation, lazy quantifiers, no anchor.
        "^[a-z]*[a-c]$", "^(ab)+$", "^a|b$", "^a.c$", "^[^a]+$", "^a+?$", "abc$", #"^\s+$"#, "^a{2,1}$",
    ]
    static let inputs = [
        "", "a", "A", "AB", "ABC", "ab", "12", "1234", "12345678901", "+41-123-456-7890", "+1234-123-456-7890", "abc", "abcd", "ab_c9",
        "9abc", "123", "123x", "123_", "aabbcc", "bc", "c", "--.x", "-x", "ab12CD34-ab12", "v1.2", "v1.", "y", "ab", "-b", "b", "Zürich",
        "AB\n", "ÄB", "abc\u{0301}", "a\u{0}b", "1-123", "123-123", "1234-123", "aaba", "aaa", "aac", "abc1d", "ab1", "a1b",
    ]

    @Test("agrees with ECMARegex on every accepted pattern", arguments: patterns)
    func agreesWithRegex(pattern: String) throws {
        guard let simple = SimplePattern(pattern) else { return }
        let compiled = try #require(Patterns.compile(pattern))
        for input in Self.inputs {
            #expect(simple.matches(input) == Patterns.matchesWithEngine(compiled, input), "pattern \(pattern), input \(input.debugDescription)")
        }
    }

    @Test("declines patterns that need backtracking or the full syntax")
    func declines() {
        for pattern in [
            "^a*b?a$", "^[a-z]{1,2}[0-9]?[a-z]$", "^[a-z]*[a-c]$", "^(ab)+$", "^a|b$", "^a.c$", "^[^a]+$", "^a+?$", "abc$", #"^\s+$"#, "^é$",
        ] {
            #expect(SimplePattern(pattern) == nil, "\(pattern)")
        }
        #expect(SimplePattern("^[A-Z]{2}$") != nil)
        #expect(SimplePattern(#"^\+[0-9]{1,3}-[0-9]{3}$"#) != nil)
    }
}
