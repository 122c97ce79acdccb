import Testing

@testable import ECMARegex

@Suite("Basic matching")
struct BasicMatchingTests {
    @Test("literal, classes, anchors and quantifiers match as in JavaScript")
    func common() throws {
        #expect(try ECMARegex("abc").matches("xxabcxx"))
        #expect(try !ECMARegex("^abc$").matches("abc\n"))
        #expect(try ECMARegex(#"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$"#).matches("ada.lovelace@example.org"))
        #expect(try !ECMARegex(#"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$"#).matches("ada.lovelace@example"))
        #expect(try ECMARegex(#"^\+?[1-9]\d{1,14}$"#).matches("+14155552671"))
        #expect(try ECMARegex(#"^[A-Z]{2}-\d{4}$"#).matches("AB-1234"))
        #expect(try !ECMARegex(#"^[A-Z]{2}-\d{4}$"#).matches("AB-12345"))
        #expect(try ECMARegex("a|b|c").matches("zzc"))
        #expect(try ECMARegex("(ab)+c").matches("ababc"))
    }

    @Test("captures report their ranges")
    func captures() throws {
        let regex = try ECMARegex(#"(\d+)-(\d+)?"#)
        let s = "ab 12- x"
        let m = try #require(try regex.firstMatch(in: s))
        #expect(m.text(in: s) == "12-")
        #expect(m.text(ofGroup: 1, in: s) == "12")
        #expect(m.captures[1] == nil)
    }
}
