import Foundation
import JSONValue
import JSONata

/// Runs the JSONata conformance suite (the reference's `test/test-suite` layout) against the engine.
///
/// Each group directory holds `.json` files with one case or an array of cases; `datasets/`
/// holds shared inputs. Prints one line per group, failures with their reason, and last
/// `N passed, M failed`.
public enum JSONataSuite {
    /// Runs every group under `directory/groups`.
    public static func run(directory: String, write: (String) -> Void) throws -> (passed: Int, failed: Int) {
        try run(directory: directory, groupFilter: nil, write: write)
    }

    /// Runs the groups whose name contains `groupFilter` (all when nil).
    public static func run(directory: String, groupFilter: String?, write: (String) -> Void) throws -> (passed: Int, failed: Int) {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory)
        var datasets: [String: JSON] = [:]
        let datasetDir = root.appendingPathComponent("datasets")
        for name in (try? fm.contentsOfDirectory(atPath: datasetDir.path)) ?? [] where name.hasSuffix(".json") {
            let data = try Data(contentsOf: datasetDir.appendingPathComponent(name))
            datasets[String(name.dropLast(5))] = try JSON(parsing: data)
        }
        let groupsDir = root.appendingPathComponent("groups")
        let groups = try fm.contentsOfDirectory(atPath: groupsDir.path).sorted()
        var passed = 0
        var failed = 0
        for group in groups {
            if let groupFilter, !group.contains(groupFilter) { continue }
            let dir = groupsDir.appendingPathComponent(group)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else { continue }
            var groupPassed = 0
            var failures: [String] = []
            for file in try fm.contentsOfDirectory(atPath: dir.path).sorted() where file.hasSuffix(".json") {
                let json = try JSON(parsing: try Data(contentsOf: dir.appendingPathComponent(file)))
                let cases: [JSON] = if case .array(let a) = json { a } else { [json] }
                for (i, testCase) in cases.enumerated() {
                    let name = cases.count > 1 ? "\(file)[\(i)]" : file
                    if let problem = runCase(testCase, directory: dir, datasets: datasets) {
                        failures.append("  FAIL \(group)/\(name): \(problem)")
                    } else {
                        groupPassed += 1
                    }
                }
            }
            passed += groupPassed
            failed += failures.count
            write("\(group): \(groupPassed)/\(groupPassed + failures.count) passed")
            for f in failures { write(f) }
        }
        write("\(passed) passed, \(failed) failed")
        return (passed, failed)
    }

    /// Runs one case; returns nil when it passes, or why it failed.
    static func runCase(_ testCase: JSON, directory: URL, datasets: [String: JSON]) -> String? {
        var expression = testCase["expr"]?.stringValue
        if expression == nil, let file = testCase["expr-file"]?.stringValue,
            let data = try? Data(contentsOf: directory.appendingPathComponent(file))
        {
            expression = String(decoding: data, as: UTF8.self)
        }
        guard let source = expression else { return "no expr" }
        var input: JSON? = nil
        if let data = testCase["data"] {
            input = data
        } else if let name = testCase["dataset"]?.stringValue {
            input = datasets[name]
        }
        var bindings: [String: JSON] = [:]
        if case .object(let b)? = testCase["bindings"] {
            for (k, v) in b { bindings[k] = v }
        }
        var limits = EvaluationLimits.default
        if let ms = testCase["timelimit"]?.numberValue { limits.timeLimit = .milliseconds(Int(ms)) }
        if let depth = testCase["depth"]?.numberValue { limits.maxDepth = Int(depth) }
        let expectedCode = testCase["code"]?.stringValue ?? testCase["error"]?["code"]?.stringValue
        let result: JSON?
        do {
            let expr = try JSONataExpression(compiling: source)
            result = try expr.evaluate(input: input, bindings: bindings, limits: limits)
        } catch {
            if let expectedCode {
                return error.code == expectedCode ? nil : "expected error \(expectedCode), got \(error.code): \(error.message)"
            }
            return "unexpected error \(error)"
        }
        if let expectedCode { return "expected error \(expectedCode), got \(result?.serialized() ?? "undefined")" }
        if testCase["undefinedResult"]?.boolValue == true {
            return result == nil ? nil : "expected undefined, got \(result!.serialized())"
        }
        if let expected = testCase["result"] {
            guard let result else { return "expected \(expected.serialized()), got undefined" }
            return result == expected ? nil : "expected \(expected.serialized()), got \(result.serialized())"
        }
        return result == nil ? nil : "expected undefined, got \(result!.serialized())"
    }
}
