import Testing

@testable import ECMARegex

@Suite("Cases verified against V8")
struct NodeVerifiedTests {
    /// Formats all matches like ``NodeVerifiedCases``.
    static func describe(_ pattern: String, _ flags: String, _ input: String) -> String {
        let regex: ECMARegex
        do {
            regex = try ECMARegex(pattern, flags: flags)
        } catch {
            return "syntax"
        }
        let scalars = input.unicodeScalars
        func offset(_ index: String.Index) -> Int { scalars.distance(from: scalars.startIndex, to: index) }
        func span(_ range: Range<String.Index>?) -> String {
            range.map { "\(offset($0.lowerBound))-\(offset($0.upperBound))" } ?? "_"
        }
        do {
            return try regex.allMatches(in: input).map { match in
                ([span(match.range)] + match.captures.map(span)).joined(separator: ",")
            }.joined(separator: " | ")
        } catch {
            return "\(error)"
        }
    }

    @Test("matchAll results and syntax errors agree with V8 on hand-written and fuzzed cases")
    func agreeWithV8() {
        #expect(NodeVerifiedCases.cases.count > 500)
        for (pattern, flags, input, expected) in NodeVerifiedCases.cases {
            let actual = Self.describe(pattern, flags, input)
            #expect(actual == expected, "/\(pattern)/\(flags) on \(input.debugDescription)")
        }
    }
}
