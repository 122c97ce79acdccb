import Foundation
import JSONValue

@testable import JSONata

/// Runs `body` on a thread of its own and suspends until it is done. For the few tests that need a second or more of
/// CPU: on the concurrency pool (two threads in CI, shared by every test of the process) they held it, and the timed
/// tests of other suites failed behind them. `#expect` belongs in the test itself, outside `body`.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Compiles and evaluates `source` against `input`.
func eval(_ source: String, _ input: JSON? = nil, bindings: [String: JSON] = [:], limits: EvaluationLimits = .default) throws -> JSON? {
    try JSONataExpression(compiling: source).evaluate(input: input, bindings: bindings, limits: limits)
}

/// The error code thrown while compiling or evaluating `source`, or nil when nothing is thrown.
func errorCode(_ source: String, _ input: JSON? = nil, limits: EvaluationLimits = .default) -> String? {
    do {
        _ = try eval(source, input, limits: limits)
        return nil
    } catch let error as JSONataError {
        return error.code
    } catch {
        return "unexpected \(error)"
    }
}

let invoice: JSON = [
    "Account": [
        "Name": "Firefly",
        "Order": [
            [
                "OrderID": "order103",
                "Product": [
                    ["Name": "Bowler Hat", "Price": 34.45, "Quantity": 2],
                    ["Name": "Trilby hat", "Price": 21.67, "Quantity": 1],
                ],
            ],
            [
                "OrderID": "order104",
                "Product": [
                    ["Name": "Bowler Hat", "Price": 34.45, "Quantity": 4],
                    ["Name": "Cloak", "Price": 107.99, "Quantity": 1],
                ],
            ],
        ],
    ]
]
