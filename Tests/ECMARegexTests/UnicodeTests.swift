import Testing

@testable import ECMARegex

@Suite("Unicode")
struct UnicodeTests {
    @Test("an astral character is one character for ., classes and quantifiers")
    func astral() throws {
        #expect(try ECMARegex("^.$", flags: "u").matches("\u{1F600}"))
        #expect(try ECMARegex("^\u{1F432}*$", flags: "u").matches("\u{1F432}\u{1F432}"))
        #expect(try !ECMARegex("^\u{1F432}*$", flags: "u").matches("\u{1F432}\u{1F433}"))
        #expect(try matchTexts("[\u{1F600}-\u{1F64F}]+", in: "x\u{1F600}\u{1F601}y") == ["\u{1F600}\u{1F601}"])
        #expect(try matchTexts(#"\u{1F600}{2}"#, in: "\u{1F600}\u{1F600}\u{1F600}") == ["\u{1F600}\u{1F600}"])
        #expect(try matchTexts("[^a]", in: "\u{1F600}") == ["\u{1F600}"])
    }

    @Test("matching is by scalar, so a combining sequence is two characters")
    func combining() throws {
        #expect(try ECMARegex("^..$", flags: "u").matches("e\u{301}"))
        let s = "e\u{301}x"
        let match = try #require(try ECMARegex("e").firstMatch(in: s))
        #expect(match.text(in: s) == "e")
    }

    @Test("general category properties by short and long name")
    func generalCategories() throws {
        #expect(try matchTexts(#"\p{L}+"#, in: "héllo 123 Ελλάδα") == ["héllo", "Ελλάδα"])
        #expect(try matchTexts(#"\p{Letter}cole"#, in: "école") == ["école"])
        #expect(try matchTexts(#"\p{Lu}"#, in: "aBcÉ") == ["B", "É"])
        #expect(try matchTexts(#"\P{L}+"#, in: "ab12!c") == ["12!"])
        #expect(try matchTexts(#"\p{Nd}+"#, in: "x\u{661}\u{662}4\u{2163}") == ["\u{661}\u{662}4"])
        #expect(try matchTexts(#"\p{digit}+"#, in: "\u{9EA}\u{9E8}") == ["\u{9EA}\u{9E8}"])
        #expect(try matchTexts(#"\p{gc=Lu}+"#, in: "abCD") == ["CD"])
        #expect(try matchTexts(#"\p{General_Category=Decimal_Number}+"#, in: "ab12") == ["12"])
        #expect(try matchTexts(#"[\p{L}\d]+"#, in: "ab12 !") == ["ab12"])
        #expect(try matchTexts(#"[^\p{L}]+"#, in: "ab12 !") == ["12 !"])
    }

    @Test("scripts and binary properties")
    func scriptsAndBinary() throws {
        #expect(try matchTexts(#"\p{Script=Greek}+"#, in: "abc αβγ def") == ["αβγ"])
        #expect(try matchTexts(#"\p{sc=Cyrillic}+"#, in: "abc привет") == ["привет"])
        #expect(try matchTexts(#"\p{scx=Han}+"#, in: "abc 漢字") == ["漢字"])
        #expect(try matchTexts(#"\p{Emoji_Presentation}"#, in: "a\u{1F600}") == ["\u{1F600}"])
        #expect(try matchTexts(#"\p{White_Space}+"#, in: "a \u{2003}b") == [" \u{2003}"])
        #expect(try matchTexts(#"\p{ASCII}+"#, in: "abé") == ["ab"])
        #expect(try matchTexts(#"\p{Any}"#, in: "é") == ["é"])
    }

    @Test("case-insensitive matching uses simple case folding")
    func caseFolding() throws {
        #expect(try matchTexts("abc", "iu", in: "ABC aBc") == ["ABC", "aBc"])
        #expect(try matchTexts("[a-z]+", "iu", in: "HeLLo") == ["HeLLo"])
        #expect(try matchTexts("[^a-z]+", "iu", in: "HeLLo 12") == [" 12"])
        #expect(try matchTexts("s", "iu", in: "\u{17F}S") == ["\u{17F}", "S"])
        #expect(try matchTexts("k", "iu", in: "\u{212A}") == ["\u{212A}"])
        #expect(try matchTexts("\u{3C3}", "iu", in: "\u{3A3}\u{3C2}") == ["\u{3A3}", "\u{3C2}"])
        #expect(try matchTexts("ß", "iu", in: "ẞ SS") == ["ẞ"])
        #expect(try matchTexts("i", "iu", in: "I\u{130}\u{131}") == ["I"])
        #expect(try matchTexts(#"\p{Lu}"#, "iu", in: "a") == ["a"])
        #expect(try matchTexts(#"\w"#, "iu", in: "\u{17F}\u{212A}") == ["\u{17F}", "\u{212A}"])
        #expect(try matchTexts(#"[\W]"#, "iu", in: "sk!") == ["!"])
    }

    @Test("without u, ignore-case uses toUppercase and never maps non-ASCII onto ASCII")
    func legacyCaseInsensitive() throws {
        #expect(try matchTexts("s", "i", in: "\u{17F}S") == ["S"])
        #expect(try matchTexts("k", "i", in: "\u{212A}K") == ["K"])
        #expect(try matchTexts("\u{3C3}", "i", in: "\u{3A3}\u{3C2}") == ["\u{3A3}", "\u{3C2}"])
        #expect(try matchTexts("ß", "i", in: "ẞ") == [])
        #expect(try matchTexts("[a-z]+", "i", in: "HeLLo") == ["HeLLo"])
        #expect(try matchTexts(#"(s)\1"#, "i", in: "s\u{17F} sS") == ["sS"])
    }

    @Test("non-u mode still matches by scalar and accepts Annex B syntax")
    func nonUnicodeMode() throws {
        #expect(try ECMARegex("^.$").matches("\u{1F600}"))
        #expect(try matchTexts(#"\a\e"#, "", in: "ae") == ["ae"])
        #expect(try matchTexts("a{,5}", "", in: "a{,5}") == ["a{,5}"])
        #expect(try matchTexts(#"]{}"#, "", in: "]{}") == ["]{}"])
        #expect(try matchTexts(#"\12"#, "", in: "\n") == ["\n"])
        #expect(try matchTexts(#"\c1"#, "", in: #"\c1"#) == [#"\c1"#])
        #expect(try matchTexts(#"\p{L}"#, "", in: "p{L}") == ["p{L}"])
        #expect(try matchTexts(#"[\d-z]+"#, "", in: "1-z") == ["1-z"])
    }
}
