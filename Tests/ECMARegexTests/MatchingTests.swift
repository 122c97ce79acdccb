import Testing

@testable import ECMARegex

@Suite("Matching constructs")
struct MatchingTests {
    @Test("typical validation patterns accept and reject as JavaScript does")
    func validationPatterns() throws {
        let email = try ECMARegex(#"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$"#, flags: "u")
        #expect(try email.matches("ada.lovelace@example.org"))
        #expect(try !email.matches("ada.lovelace@example"))
        #expect(try !email.matches("Ada@example.org"))
        let phone = try ECMARegex(#"^\+?[1-9]\d{1,14}$"#, flags: "u")
        #expect(try phone.matches("+14155552671"))
        #expect(try !phone.matches("+04155552671"))
        #expect(try !phone.matches("+1234567890123456"))
        let code = try ECMARegex(#"^[A-Z]{2}-\d{4}$"#, flags: "u")
        #expect(try code.matches("AB-1234"))
        #expect(try !code.matches("AB-12345"))
        #expect(try !code.matches("ab-1234"))
    }

    @Test("the search is unanchored and finds the leftmost match")
    func unanchored() throws {
        #expect(try matchTexts("abc", in: "xxabcxxabc") == ["abc", "abc"])
        #expect(try ECMARegex("b+").firstMatch(in: "aabbbab").map { scalarOffsets($0.range, in: "aabbbab") } == 2...4)
    }

    @Test("alternation prefers the leftmost alternative, not the longest")
    func alternation() throws {
        #expect(try matchTexts("a|ab|abc", in: "abc") == ["a"])
        #expect(try firstGroups("(a|ab)(c|bcd)(d*)", in: "abcd") == ["abcd", "a", "bcd", ""])
        #expect(try matchTexts("a|", in: "ba") == ["", "a", ""])
        #expect(try matchTexts("(?:a|é|[0-9])+", in: "aé1x") == ["aé1"])
        #expect(try matchTexts("(?:a|é|[0-9])+", "i", in: "AÉ1x") == ["AÉ1"])
    }

    @Test("greedy quantifiers take as much as possible, lazy ones as little")
    func greedyAndLazy() throws {
        #expect(try matchTexts("a.*b", in: "axxbxxb") == ["axxbxxb"])
        #expect(try matchTexts("a.*?b", in: "axxbxxb") == ["axxb"])
        #expect(try matchTexts("a+?", in: "aaa") == ["a", "a", "a"])
        #expect(try matchTexts("a*?", in: "aa") == ["", "", ""])
        #expect(try matchTexts(#"\d{2,4}?\d"#, in: "123456") == ["123", "456"])
        #expect(try matchTexts("(?:ab){2,3}?", in: "abababababab") == ["abab", "abab", "abab"])
    }

    @Test("counted quantifiers {n} {n,} {n,m}")
    func counted() throws {
        #expect(try matchTexts("a{2}", in: "aaaaa") == ["aa", "aa"])
        #expect(try matchTexts("a{2,}", in: "a aaaaa") == ["aaaaa"])
        #expect(try matchTexts("a{2,3}", in: "aaaaaaa") == ["aaa", "aaa"])
        #expect(try matchTexts("(?:ab){2}", in: "ababab") == ["abab"])
        #expect(try matchTexts("a{0}b", in: "ab") == ["b"])
    }

    @Test("an iteration that matches empty ends a loop (no infinite loop)")
    func emptyIterations() throws {
        #expect(try firstGroups("(a*)*", in: "b") == ["", nil])
        #expect(try firstGroups("(a*)+", in: "b") == ["", ""])
        #expect(try firstGroups("(?:a|())*", in: "aab") == ["aa", nil])
        #expect(try matchTexts("(?:a?)*b", in: "aab") == ["aab"])
    }

    @Test("dot excludes line terminators unless dotAll")
    func dot() throws {
        #expect(try matchTexts(".", in: "a\nb\r\u{2028}\u{2029}c") == ["a", "b", "c"])
        #expect(try matchTexts(".", "su", in: "a\nb").count == 3)
        #expect(try matchTexts("[^]", in: "a\n").count == 2)
        #expect(try matchTexts("[]", in: "abc").isEmpty)
    }

    @Test("character classes with ranges, negation and escapes")
    func classes() throws {
        #expect(try matchTexts("[a-c]+", in: "xabcabd") == ["abcab"])
        #expect(try matchTexts("[^a-c]+", in: "xabcabd") == ["x", "d"])
        #expect(try matchTexts(#"[\d\s-]+"#, in: "12 3-4x") == ["12 3-4"])
        #expect(try matchTexts(#"[a\-z]+"#, in: "a-z m") == ["a-z"])
        #expect(try matchTexts(#"[\b]"#, in: "a\u{8}b") == ["\u{8}"])
        #expect(try matchTexts(#"[.*+?]+"#, in: "a.*+?b") == [".*+?"])
    }

    @Test("\\d and \\w are ASCII only; \\s includes Unicode spaces and line terminators")
    func classEscapes() throws {
        #expect(try matchTexts(#"\d+"#, in: "a12\u{660}3") == ["12", "3"])
        #expect(try matchTexts(#"\w+"#, in: "héllo_1") == ["h", "llo_1"])
        #expect(try matchTexts(#"\W"#, in: "aé!") == ["é", "!"])
        #expect(try matchTexts(#"\s+"#, in: "a \t\n\u{A0}\u{FEFF}\u{2003}\u{2028}b") == [" \t\n\u{A0}\u{FEFF}\u{2003}\u{2028}"])
        #expect(try matchTexts(#"\S+"#, in: " a\u{2013}b ") == ["a\u{2013}b"])
        #expect(try matchTexts(#"\D"#, in: "1\u{7C0}") == ["\u{7C0}"])
    }

    @Test("character escapes \\t \\n \\v \\f \\r \\0 \\cX \\xHH \\uHHHH \\u{H}")
    func characterEscapes() throws {
        #expect(try ECMARegex(#"^\t\n\v\f\r\0$"#, flags: "u").matches("\t\n\u{B}\u{C}\r\0"))
        #expect(try ECMARegex(#"^\cC\cc$"#, flags: "u").matches("\u{3}\u{3}"))
        #expect(try !ECMARegex(#"^\cC$"#, flags: "u").matches(#"\cC"#))
        #expect(try ECMARegex(#"^\x41\u0042\u{43}\u{1F600}$"#, flags: "u").matches("ABC\u{1F600}"))
        #expect(try ECMARegex(#"^\uD83D\uDE00$"#, flags: "u").matches("\u{1F600}"))
        #expect(try ECMARegex(#"^\/$"#, flags: "u").matches("/"))
    }

    @Test("^ and $ match at input ends, and at line terminators with multiline")
    func anchors() throws {
        #expect(try !ECMARegex("^abc$").matches("abc\n"))
        #expect(try matchTexts("^a", in: "a\na") == ["a"])
        #expect(try matchTexts("^a", "mu", in: "a\na\r\na\u{2028}a") == ["a", "a", "a", "a"])
        #expect(try matchTexts("a$", "mu", in: "a\na\r\na\u{2029}") == ["a", "a", "a"])
        #expect(try matchTexts("^$", "mu", in: "\n\n").count == 3)
        #expect(try ECMARegex("^b").firstMatch(in: "ab", from: "ab".index(after: "ab".startIndex)) == nil)
        #expect(try ECMARegex("^b", flags: "m").firstMatch(in: "a\nb") != nil)
    }

    @Test("\\b and \\B use ASCII word characters")
    func wordBoundaries() throws {
        #expect(try matchTexts(#"\bfoo\b"#, in: "foo afoo foo_ foo.") == ["foo", "foo"])
        #expect(try matchTexts(#"\Boo\B"#, in: "foo boot") == ["oo"])
        #expect(try matchTexts(#"\b"#, in: "ab cd").count == 4)
        #expect(try matchTexts(#"\bé"#, in: "é é").isEmpty)
        #expect(try matchTexts(#"\bé"#, in: "aé") == ["é"])
    }

    @Test("sticky matches only at the start position")
    func sticky() throws {
        let regex = try ECMARegex("a", flags: "y")
        #expect(try regex.matches("ab"))
        #expect(try !regex.matches("ba"))
        #expect(try matchTexts(#"\d"#, "gy", in: "12a3") == ["1", "2"])
    }

    @Test("firstMatch starts at the given index, as exec with lastIndex")
    func firstMatchFrom() throws {
        let s = "a1b22c333"
        let regex = try ECMARegex(#"\d+"#)
        let second = try #require(try regex.firstMatch(in: s, from: s.index(s.startIndex, offsetBy: 3)))
        #expect(second.text(in: s) == "22")
        #expect(try regex.firstMatch(in: s, from: s.endIndex) == nil)
    }

    @Test("flags string: known letters, unknown or repeated ones are errors")
    func flags() throws {
        #expect(try ECMARegex("a", flags: "gimsuy").options == [.ignoreCase, .multiline, .dotAll, .unicode, .sticky])
        #expect(try ECMARegex("a", flags: "dg").options == [])
        #expect(syntaxError("a", "x") == .syntax(message: "invalid flag 'x'", offset: 0))
        #expect(syntaxError("a", "v") == .syntax(message: "invalid flag 'v'", offset: 0))
        #expect(syntaxError("a", "ii") == .syntax(message: "duplicate flag 'i'", offset: 1))
    }

    @Test("pattern, captureCount and groupNames describe the compiled pattern")
    func metadata() throws {
        let regex = try ECMARegex(#"(?<year>\d{4})-(\d\d)(?:x)(?<day>\d\d)?"#)
        #expect(regex.pattern == #"(?<year>\d{4})-(\d\d)(?:x)(?<day>\d\d)?"#)
        #expect(regex.captureCount == 3)
        #expect(regex.groupNames == ["year": 1, "day": 3])
    }
}
