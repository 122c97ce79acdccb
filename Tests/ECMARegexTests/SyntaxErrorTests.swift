import Testing

@testable import ECMARegex

@Suite("Syntax errors")
struct SyntaxErrorTests {
    @Test(
        "invalid patterns are rejected at compile time with the offset of the problem",
        arguments: [
            ("(abc", 0, "unterminated group"),
            ("abc)", 3, "unmatched ')'"),
            ("a**", 2, "nothing to repeat"),
            ("*a", 0, "nothing to repeat"),
            ("a|?", 2, "nothing to repeat"),
            ("^*", 1, "nothing to repeat"),
            ("a{2,1}", 1, "numbers out of order in {} quantifier"),
            ("[b-a]", 1, "range out of order in character class"),
            ("[abc", 0, "unterminated character class"),
            ("ab\\", 2, "\\ at end of pattern"),
            ("(?<a>x)(?<a>y)", 10, "duplicate capture group name 'a'"),
            ("\\k<b>(?<a>x)", 0, "invalid named capture referenced"),
            ("\\2(a)", 0, "invalid escape (no such group)"),
            ("\\p{Foo}", 0, "invalid property name"),
            ("\\q", 0, "invalid escape"),
            ("\\a", 0, "invalid escape"),
            ("[\\d-z]", 1, "invalid character class range"),
            ("(?<=a)*", 6, "nothing to repeat"),
            ("\\u{110000}", 0, "unicode escape out of range"),
            ("(?P<n>a)", 0, "invalid group"),
            ("(?i)abc", 0, "invalid group"),
            ("(?#comment)a", 0, "invalid group"),
            ("a{1,2", 1, "incomplete quantifier"),
            ("{1}", 0, "nothing to repeat"),
            ("x{", 1, "incomplete quantifier"),
            ("]", 0, "lone quantifier brackets or ']'"),
            ("\\-", 0, "invalid escape"),
            ("\\c", 0, "invalid unicode escape \\c"),
        ])
    func rejected(pattern: String, offset: Int, message: String) {
        #expect(syntaxError(pattern) == .syntax(message: message, offset: offset))
    }

    @Test("valid ECMA 262 syntax compiles", arguments: ["(?<name>x)", "(?<n>a)\\k<n>", "(?<=a+)b", "[]", "[^]", "\\cA", "([abc])+\\s+$", "\\/"])
    func accepted(pattern: String) {
        #expect(syntaxError(pattern) == nil)
    }

    @Test("errors describe themselves and carry a stable code")
    func description() {
        let error = ECMARegexError.syntax(message: "nothing to repeat", offset: 2)
        #expect(error.description == "invalid regular expression: nothing to repeat at offset 2")
        #expect(error.code == "REGEX_SYNTAX")
        #expect(ECMARegexError.tooComplex(pattern: "(a*)*b").code == "REGEX_TOO_COMPLEX")
    }
}
