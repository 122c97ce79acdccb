import Testing

@testable import ECMARegex

@Suite("allMatches")
struct AllMatchesTests {
    @Test("matches do not overlap")
    func nonOverlapping() throws {
        #expect(try matchTexts("aa", in: "aaaaa") == ["aa", "aa"])
    }

    @Test("an empty match advances by one scalar, astral characters included")
    func emptyMatches() throws {
        let s = "a\u{1F600}b"
        let matches = try ECMARegex("x*", flags: "u").allMatches(in: s)
        #expect(matches.map { s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: $0.range.lowerBound) } == [0, 1, 2, 3])
        #expect(try matchTexts("a*", in: "baaab") == ["", "aaa", "", ""])
        #expect(try matchTexts("", in: "ab").count == 3)
    }

    @Test("sticky matching continues only where the previous match ended, stepping over multi-byte scalars")
    func sticky() throws {
        #expect(try matchTexts("a", "y", in: "aab") == ["a", "a"])
        #expect(try matchTexts("x*", "y", in: "é\u{1F600}").count == 3)
    }

    @Test("no match gives an empty list; an empty input can match once")
    func edges() throws {
        #expect(try matchTexts("z", in: "abc").isEmpty)
        #expect(try matchTexts("^$", in: "") == [""])
    }
}
