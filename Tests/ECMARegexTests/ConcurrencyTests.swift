import Testing

@testable import ECMARegex

@Suite("Sharing between tasks")
struct ConcurrencyTests {
    @Test("one compiled regex gives the same answers when used from many tasks at once")
    func sharedAcrossTasks() async throws {
        let regex = try ECMARegex(#"^(?<user>[a-z0-9._%+-]+)@[a-z0-9.-]+\.[a-z]{2,}$"#, flags: "iu")
        let inputs = (0..<200).map { $0 % 3 == 0 ? "user\($0)@example.org" : "user\($0)-at-example.org" }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try inputs.filter { try regex.matches($0) }.count }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 67, count: 8))
    }
}
