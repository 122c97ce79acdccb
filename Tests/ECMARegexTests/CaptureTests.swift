import Testing

@testable import ECMARegex

@Suite("Captures and backreferences")
struct CaptureTests {
    @Test("capture ranges point into the searched string")
    func ranges() throws {
        let s = "on 2024-05-17!"
        let regex = try ECMARegex(#"(\d{4})-(\d\d)-(\d\d)"#)
        let match = try #require(try regex.firstMatch(in: s))
        #expect(scalarOffsets(match.range, in: s) == 3...12)
        #expect(match.captures.compactMap { $0.flatMap { scalarOffsets($0, in: s) } } == [3...6, 8...9, 11...12])
        #expect(match.text(ofGroup: 2, in: s) == "05")
    }

    @Test("groups that did not participate are nil")
    func unset() throws {
        #expect(try firstGroups("(a)|(b)", in: "b") == ["b", nil, "b"])
        #expect(try firstGroups(#"(\d+)-(\d+)?"#, in: "12-x") == ["12-", "12", nil])
    }

    @Test("captures inside a quantifier are reset on each iteration")
    func resetPerIteration() throws {
        #expect(try firstGroups("(z)((a+)?(b+)?(c))*", in: "zaacbbbcac") == ["zaacbbbcac", "z", "ac", "a", nil, "c"])
        #expect(try firstGroups("(?:(a)|b)*", in: "ab") == ["ab", nil])
        #expect(try firstGroups("(a)*", in: "aab") == ["aa", "a"])
    }

    @Test("non-capturing groups do not count")
    func nonCapturing() throws {
        #expect(try firstGroups("(?:a)(b)", in: "ab") == ["ab", "b"])
    }

    @Test("named groups and \\k<name>")
    func named() throws {
        let regex = try ECMARegex(#"(?<q>['"]).*?\k<q>"#)
        let s = #"say 'hi' or "yo""#
        #expect(try regex.allMatches(in: s).map { String($0.text(in: s)) } == ["'hi'", #""yo""#])
        #expect(regex.groupNames["q"] == 1)
    }

    @Test("numbered backreferences, including two-digit and forward references")
    func numbered() throws {
        #expect(try matchTexts(#"(a)\1"#, in: "aa ab") == ["aa"])
        #expect(try matchTexts(#"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10"#, in: "abcdefghijj") == ["abcdefghijj"])
        #expect(try firstGroups(#"\1(a)"#, in: "aa") == ["a", "a"])
        #expect(try firstGroups(#"(a)?b\1"#, in: "b") == ["b", nil])
    }

    @Test("backreferences compare case-insensitively with i")
    func caseInsensitive() throws {
        #expect(try matchTexts(#"(a)\1"#, "iu", in: "aA") == ["aA"])
        #expect(try matchTexts(#"(é)\1"#, "iu", in: "éÉ") == ["éÉ"])
        #expect(try matchTexts(#"(a)\1"#, "u", in: "aA").isEmpty)
    }
}
