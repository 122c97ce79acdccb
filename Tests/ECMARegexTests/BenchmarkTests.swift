import Foundation
import Testing

@testable import ECMARegex

/// Prints matching speed for typical validation patterns. Disabled by default (no timed assertions);
/// run with `swift test -c release --filter BenchmarkTests` after removing `.disabled`.
@Suite("Benchmark", .disabled("prints timings only; enable manually"))
struct BenchmarkTests {
    @Test("nanoseconds per matches() call on short strings")
    func printFigures() throws {
        let cases: [(String, String, String)] = [
            (#"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$"#, "u", "ada.lovelace@example.org"),
            (#"^\+?[1-9]\d{1,14}$"#, "u", "+14155552671"),
            (#"^[A-Z]{2}-\d{4}$"#, "u", "AB-1234"),
            (#"^\p{Letter}+$"#, "u", "éléphant"),
        ]
        for (pattern, flags, input) in cases {
            let regex = try ECMARegex(pattern, flags: flags)
            let iterations = 200_000
            var best = Double.infinity
            for _ in 0..<5 {
                let start = ContinuousClock.now
                for _ in 0..<iterations { _ = try regex.matches(input) }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                best = min(best, seconds * 1e9 / Double(iterations))
            }
            print("\(String(format: "%.0f", best)) ns  /\(pattern)/\(flags) on \(input)")
        }
    }
}
