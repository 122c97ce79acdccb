import Testing

@testable import ECMARegex

@Suite("Lookarounds")
struct LookaroundTests {
    @Test("positive and negative lookahead do not consume")
    func lookahead() throws {
        #expect(try matchTexts("a(?=b)", in: "ab ac") == ["a"])
        #expect(try matchTexts("a(?!b)", in: "ab ac") == ["a"])
        #expect(try matchTexts(#"(?!a)\w"#, in: "abc") == ["b", "c"])
    }

    @Test("captures set inside a positive lookahead are kept; it is atomic")
    func lookaheadCaptures() throws {
        #expect(try firstGroups("(?=(a+))", in: "baaabac") == ["", "aaa"])
        #expect(try firstGroups(#"(?=(a+))a*b\1"#, in: "baaabac") == ["aba", "a"])
        #expect(try firstGroups(#"(.*?)a(?!(a+)b\2c)\2(.*)"#, in: "baaabaac") == ["baaabaac", "ba", nil, "abaac"])
    }

    @Test("negative lookahead leaves its groups unset")
    func negativeCaptures() throws {
        #expect(try firstGroups("(?!(a)b)", in: "ab") == ["", nil])
    }

    @Test("lookbehind, including variable width, matches right to left")
    func lookbehind() throws {
        #expect(try matchTexts(#"(?<=\$)\d+(\.\d*)?"#, in: "cost $10.53 and 3") == ["10.53"])
        #expect(try matchTexts(#"(?<!\$)\d+"#, in: "$10 20") == ["0", "20"])
        #expect(try matchTexts("(?<=a+)b", in: "aaab b") == ["b"])
        #expect(try matchTexts("(?<=a|bc)d", in: "ad bcd cd") == ["d", "d"])
        #expect(try matchTexts(#"(?<=^|,)\w*"#, in: "a,,b") == ["a", "", "b"])
    }

    @Test("captures in lookbehind take the rightmost-first (backward) greedy split")
    func lookbehindCaptures() throws {
        #expect(try firstGroups(#"(?<=(\d+)(\d+))$"#, in: "1053") == ["", "1", "053"])
        #expect(try firstGroups(#"(?<=\1(a))b"#, in: "aab") == ["b", "a"])
    }

    @Test("lookarounds nest")
    func nested() throws {
        #expect(try matchTexts("(?<=a(?=b)b)c", in: "abc") == ["c"])
        #expect(try matchTexts("(?=a(?<=ba))a", in: "ba a") == ["a"])
    }
}
