import JSONValue
import Testing

@testable import JSONata

/// The conformance groups function-formatNumber, -formatBase, -formatInteger and -parseInteger, as direct calls.
@Suite("Number formatting conformance")
struct NumberConformanceTests {
    @Test("formatNumber", arguments: ConformanceCases.formatNumber)
    func formatNumber(_ c: FormatNumberCase) {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.formatNumber(c.value, picture: c.picture, options: c.options) }
        #expect(result == c.expected)
    }

    @Test("formatBase", arguments: ConformanceCases.formatBase)
    func formatBase(_ c: FormatBaseCase) {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.formatBase(c.value, radix: c.radix) }
        #expect(result == c.expected)
    }

    @Test("formatInteger", arguments: ConformanceCases.formatInteger)
    func formatInteger(_ c: FormatIntegerCase) {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.formatInteger(c.value, picture: c.picture) }
        #expect(result == c.expected)
    }

    @Test("parseInteger", arguments: ConformanceCases.parseInteger)
    func parseInteger(_ c: ParseIntegerCase) {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.parseInteger(c.text, picture: c.picture) }
        #expect(result == c.expected)
    }
}
