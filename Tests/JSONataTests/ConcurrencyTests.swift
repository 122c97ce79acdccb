import JSONValue
import Testing

@testable import JSONata

@Suite struct ConcurrencyTests {
    @Test func oneCompiledExpressionIsSharedSafelyAcrossTasks() async throws {
        let expr = try JSONataExpression(compiling: "{'id': $string(id), 'tags': tags[active].$uppercase(name), 'n': $count(tags)}")
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    for j in 0..<200 {
                        let record: JSON = [
                            "id": .number(Double(i * 1000 + j)), "tags": [["name": "a", "active": true], ["name": "b", "active": false]],
                        ]
                        let out = try expr.evaluate(input: record)
                        if out != ["id": .string(String(i * 1000 + j)), "tags": "A", "n": 2] { return false }
                    }
                    return true
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 })
    }
}
