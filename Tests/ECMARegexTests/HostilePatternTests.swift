import Foundation
import Testing

@testable import ECMARegex

@Suite("Hostile patterns and inputs")
struct HostilePatternTests {
    @Test(
        "catastrophic backtracking ends with tooComplex instead of hanging",
        arguments: [#"(a*)*b"#, #"(a+)+b"#, #"(a|aa)+b"#, #"(?:a|a{1,2})*b"#, #"^(\w+\s?)*$"#])
    func catastrophic(pattern: String) throws {
        let regex = try ECMARegex(pattern, flags: "u")
        let input = String(repeating: "a", count: 40) + "!"
        #expect(throws: ECMARegexError.tooComplex(pattern: pattern)) { try regex.matches(input) }
    }

    @Test("the step budget is configurable")
    func budget() throws {
        var regex = try ECMARegex("(a+)+b")
        regex.maxSteps = 100
        #expect(throws: ECMARegexError.tooComplex(pattern: "(a+)+b")) { try regex.matches("aaaaaaaaaaaaaaaa") }
        regex.maxSteps = 10_000_000
        #expect(try regex.matches("aaaaaab"))
    }

    @Test("large counts on a single character compile to one instruction")
    func largeSingleCharacterCounts() throws {
        let regex = try ECMARegex("^a{1000000}$")
        #expect(try !regex.matches("aaa"))
        #expect(try regex.matches(String(repeating: "a", count: 1_000_000)))
    }

    @Test("expanding a large count of a group is a syntax error, not a hang")
    func largeGroupCounts() {
        #expect(syntaxError("(ab){1000000}") == .syntax(message: "pattern too large after expanding repetitions", offset: 4))
        #expect(syntaxError("((ab){1000}){1000}") == .syntax(message: "pattern too large after expanding repetitions", offset: 5))
    }

    @Test("deep nesting is a syntax error, not a stack overflow")
    func deepNesting() {
        let pattern = String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000)
        #expect(syntaxError(pattern) == .syntax(message: "pattern nested too deeply (more than 48 levels)", offset: 48))
    }

    @Test("the deepest accepted nesting compiles and matches on a thread with a 512 KB stack")
    func deepNestingOnSmallStack() async {
        let depth = Parser.maxNesting - 1
        let patterns = [
            String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth),
            String(repeating: "(?<=a", count: depth) + String(repeating: ")", count: depth),
            String(repeating: "(?:a", count: depth) + String(repeating: ")*", count: depth),
            String(repeating: "(?:(?:a|b){2}|", count: depth / 2) + "c" + String(repeating: ")*", count: depth / 2),
        ]
        let results: [Bool] = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: patterns.map { pattern in (try? ECMARegex(pattern, flags: "iu").matches("aabbc")) ?? false })
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(results == [true, true, true, true])
    }

    @Test("a class repeated many times is compiled once")
    func repeatedClasses() throws {
        let regex = try ECMARegex(String(repeating: #"\p{L}"#, count: 10_000), flags: "iu")
        #expect(try regex.matches(String(repeating: "é", count: 10_000)))
        #expect(try !regex.matches("éé1éé"))
    }

    @Test("overlong patterns are rejected")
    func overlong() {
        #expect(syntaxError(String(repeating: "a", count: 200_000)) == .syntax(message: "pattern too long (more than 100000 characters)", offset: 0))
    }

    @Test("a failed attempt skips the run of a leading greedy repetition, so trailing-space checks stay linear")
    func leadingRunSkip() throws {
        let input = String(repeating: " ", count: 100_000) + "x"
        #expect(try !ECMARegex(#"\s+$"#).matches(input))
        #expect(try !ECMARegex(#"a*b"#).matches(String(repeating: "a", count: 100_000)))
        #expect(try matchTexts(#"[ab]*c"#, in: "ababxabc") == ["abc"])
    }

    @Test("long inputs are matched without recursion on input length")
    func longInput() throws {
        let input = String(repeating: "ab", count: 200_000)
        #expect(try ECMARegex("^(?:ab)*$").matches(input))
        #expect(try ECMARegex("^(?:a|b)*$").matches(input))
        #expect(try ECMARegex(#"^[ab]+$"#).matches(input))
    }
}
