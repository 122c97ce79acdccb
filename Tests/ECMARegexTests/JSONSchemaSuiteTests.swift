import Foundation
import Testing

@testable import ECMARegex

/// Runs the regex-related cases of the JSON-Schema-Test-Suite directly against the engine.
///
/// `pattern` maps to `matches` (only string data is checked), `patternProperties` with
/// `additionalProperties: false` to "every key matches", and `format: regex` to "compiles".
/// Patterns are compiled with the `u` flag, as JSON Schema prescribes.
@Suite("JSON-Schema-Test-Suite regex cases")
struct JSONSchemaSuiteTests {
    static let root =
        ProcessInfo.processInfo.environment["JSON_SCHEMA_SUITE"]
        ?? "/work/shared/conformance/json-schema/tests/draft2020-12"
    static let available = FileManager.default.fileExists(atPath: root)

    struct Outcome {
        var passed = 0
        var failed: [String] = []
        var total: Int { passed + failed.count }
    }

    static func run(_ file: String) throws -> Outcome {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(file)"))
        let groups = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var outcome = Outcome()
        for group in groups {
            let schema = try #require(group["schema"] as? [String: Any])
            let tests = try #require(group["tests"] as? [[String: Any]])
            for test in tests {
                let valid = try #require(test["valid"] as? Bool)
                let description = "\(group["description"] ?? "") / \(test["description"] ?? "")"
                guard let actual = try evaluate(schema, test["data"] as Any) else { continue }
                if actual == valid {
                    outcome.passed += 1
                } else {
                    outcome.failed.append(description)
                }
            }
        }
        return outcome
    }

    /// The regex part of the validation result, or nil when the case does not exercise regexes alone.
    static func evaluate(_ schema: [String: Any], _ data: Any) throws -> Bool? {
        if let pattern = schema["pattern"] as? String {
            guard let string = data as? String else { return nil }
            return try ECMARegex(pattern, flags: "u").matches(string)
        }
        if let properties = schema["patternProperties"] as? [String: Any], schema["additionalProperties"] as? Bool == false,
            properties.values.allSatisfy({ $0 as? Bool == true })
        {
            guard let object = data as? [String: Any] else { return nil }
            let regexes = try properties.keys.map { try ECMARegex($0, flags: "u") }
            return try object.keys.allSatisfy { key in try regexes.contains { try $0.matches(key) } }
        }
        if schema["format"] as? String == "regex" {
            guard let string = data as? String else { return nil }
            return (try? ECMARegex(string, flags: "u")) != nil
        }
        return nil
    }

    @Test(
        "all regex cases pass",
        .enabled(if: available),
        arguments: [
            "optional/ecmascript-regex.json", "optional/format/ecmascript-regex.json", "optional/format/regex.json",
            "optional/non-bmp-regex.json", "pattern.json",
        ])
    func suite(file: String) throws {
        let outcome = try Self.run(file)
        print("\(file): \(outcome.passed)/\(outcome.total) regex cases pass")
        #expect(outcome.failed == [])
        #expect(outcome.total > 0)
    }
}
