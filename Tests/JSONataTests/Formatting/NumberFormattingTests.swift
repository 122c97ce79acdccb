import JSONValue
import Testing

@testable import JSONata

/// `$formatNumber`, `$formatBase`, `$formatInteger` and `$parseInteger` beyond the conformance cases.
@Suite("Number formatting")
struct NumberFormattingTests {
    private func number(_ value: Double, _ picture: String, _ options: JSON? = nil) throws -> String {
        try JSONataFormatting.formatNumber(value, picture: picture, options: options)
    }

    @Test("documentation examples of $formatNumber")
    func formatNumberDocExamples() throws {
        #expect(try number(34.555, "#0.00;(#0.00)") == "34.56")
        #expect(try number(-34.555, "#0.00;(#0.00)") == "(34.56)")
        #expect(try number(1234.5678, "①①.①①①e①", ["zero-digit": "\u{245f}"]) == "①②.③④⑥e②")
    }

    @Test("rounding is half to even on the decimal digits")
    func formatNumberRoundsHalfEven() throws {
        #expect(try number(0.125, "0.00") == "0.12")
        #expect(try number(0.135, "0.00") == "0.14")
        #expect(try number(2.5, "0") == "2")
        #expect(try number(3.5, "0") == "4")
    }

    @Test("decimal-format options replace separators and signs")
    func formatNumberOptions() throws {
        let european: JSON = ["decimal-separator": ",", "grouping-separator": "."]
        #expect(try number(1234567.891, "#.##0,00", european) == "1.234.567,89")
        #expect(try number(-5, "0", ["minus-sign": "\u{2212}"]) == "\u{2212}5")
        #expect(try number(0.5, "0.0pc", ["percent": "pc"]) == "50.0pc")
        #expect(try number(12, "0E00", ["exponent-separator": "E"]) == "1E01")
    }

    @Test("irregular integer grouping keeps each separator's position")
    func formatNumberIrregularGrouping() throws {
        #expect(try number(1234567, "#,##,##0") == "12,34,567")
        #expect(try number(100, "#,##,##0") == "100")
        #expect(try JSONataFormatting.formatInteger(100, picture: "##,##,##0") == "100")
        #expect(try JSONataFormatting.formatInteger(123456, picture: "##,##,##0") == "1,23,456")
        #expect(try number(0, "#,##0.##") == "0")
        #expect(try number(1e21, "#") == "1e+21")
    }

    @Test("D3087 when a grouping separator touches the decimal separator")
    func formatNumberD3087() {
        #expect(throws: JSONataError.self) { try number(1, "#,.0") }
        #expect((try? number(1, "#,.0")) == nil)
        let code = outcome { () throws(JSONataError) in try JSONataFormatting.formatNumber(1, picture: "0,.0", options: nil) }
        #expect(code == .error("D3087"))
    }

    @Test("infinity and NaN use the decimal-format's strings")
    func formatNumberNonFinite() throws {
        #expect(try number(.infinity, "#,##0") == "Infinity")
        #expect(try number(-.infinity, "#,##0;(#)") == "(Infinity)")
        #expect(try number(.nan, "0.0", ["NaN": "n/a"]) == "n/a")
    }

    @Test("formatBase handles large values and rounding")
    func formatBase() throws {
        #expect(try JSONataFormatting.formatBase(2555, radix: 16) == "9fb")
        #expect(try JSONataFormatting.formatBase(-255.5, radix: 16) == "-100")
        #expect(try JSONataFormatting.formatBase(1e20, radix: 16) == "56bc75e2d63100000")
        #expect(try JSONataFormatting.formatBase(0, radix: 2) == "0")
    }

    @Test("formatInteger presentations")
    func formatInteger() throws {
        #expect(try JSONataFormatting.formatInteger(2789, picture: "w") == "two thousand, seven hundred and eighty-nine")
        #expect(try JSONataFormatting.formatInteger(1999, picture: "I") == "MCMXCIX")
        #expect(try JSONataFormatting.formatInteger(21, picture: "Ww;o") == "Twenty-First")
        #expect(try JSONataFormatting.formatInteger(-12.7, picture: "0") == "-13")
        #expect(try JSONataFormatting.formatInteger(11, picture: "0;o") == "11th")
        #expect(try JSONataFormatting.formatInteger(22, picture: "0;o") == "22nd")
        #expect(try JSONataFormatting.formatInteger(113, picture: "0;o") == "113th")
        #expect(try JSONataFormatting.formatInteger(1234, picture: "١٢٣٤") == "١٢٣٤")
        #expect(try JSONataFormatting.formatInteger(1234567, picture: "0'000'000") == "1'234'567")
        #expect(try JSONataFormatting.formatInteger(27, picture: "A") == "AA")
    }

    @Test("D3131 when a picture mixes digit families")
    func formatIntegerMixedFamilies() {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.formatInteger(1, picture: "0١") }
        #expect(result == .error("D3131"))
    }

    @Test("documentation examples of $parseInteger and $formatBase")
    func parseIntegerDocExamples() throws {
        #expect(try JSONataFormatting.parseInteger("twelve thousand, four hundred and seventy-six", picture: "w") == 12476)
        #expect(try JSONataFormatting.parseInteger("12,345,678", picture: "#,##0") == 12_345_678)
        #expect(try JSONataFormatting.formatBase(35, radix: 2) == "100011")
    }

    @Test("parseInteger reads a sign as JavaScript's parseInt does")
    func parseIntegerSign() throws {
        #expect(try JSONataFormatting.parseInteger("-1,234", picture: "#,##0") == -1234)
        #expect(try JSONataFormatting.parseInteger(" +12", picture: "0") == 12)
    }

    @Test("roman numerals give way to digits beyond a million")
    func romanLimit() throws {
        #expect(try JSONataFormatting.formatInteger(2_000_000, picture: "I") == "2000000")
    }

    @Test("parseInteger returns nil when the text holds no number")
    func parseIntegerNil() throws {
        #expect(try JSONataFormatting.parseInteger("abc", picture: "0") == nil)
        #expect(try JSONataFormatting.parseInteger("eleventy", picture: "w") == nil)
    }

    @Test("format then parse gives the number back", arguments: ["0", "#,##0", "0000;o", "w", "W;o", "Ww", "I", "i", "A", "a", "١"])
    func integerRoundTrip(picture: String) throws {
        for value in [1.0, 2, 9, 10, 11, 12, 13, 19, 20, 21, 99, 100, 101, 999, 1000, 1001, 1984, 3999, 12345, 1_000_000, 987_654_321] {
            if picture.lowercased() == "i" && value > 3999 { continue }
            let text = try JSONataFormatting.formatInteger(value, picture: picture)
            #expect(try JSONataFormatting.parseInteger(text, picture: picture) == value, "\(value) as \(text)")
        }
    }
}
