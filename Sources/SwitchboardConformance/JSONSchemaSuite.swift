import Foundation
import JSONSchema
import JSONValue

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12) against the `JSONSchema` engine.
///
/// Layout read from `directory`: `tests/draft2020-12/*.json` (required), `tests/draft2020-12/optional/*.json`
/// and `tests/draft2020-12/optional/format/*.json` (optional), and `remotes/**.json`, registered as if
/// served at `http://localhost:1234/`. Each case counts once: it passes when `isValid` and
/// `validate(mode: .allErrors).isValid` both agree with the expected result.
public enum JSONSchemaSuite {
    /// One section of the suite: a folder of test files and how its schemas are compiled.
    struct Section {
        var title: String
        var path: String
        var formatAssertion: Bool
    }

    /// Runs the suite and prints a table per section (file, passed, failed) and the failing cases.
    ///
    /// The last line written is exactly `N passed, M failed`, counting the **required** tests only;
    /// optional sections, when included, print their own totals above it.
    ///
    /// - Parameters:
    ///   - directory: the suite's root (the folder holding `tests/` and `remotes/`).
    ///   - includeOptional: also run `optional/` and `optional/format/`.
    ///   - formatAssertion: assert formats in `optional/format/` (as those tests expect). The required
    ///     tests always run with the specification's default, format as an annotation.
    ///   - write: receives each output line.
    /// - Returns: the required tests' totals.
    public static func run(directory: String, includeOptional: Bool = true, formatAssertion: Bool = true, write: (String) -> Void) throws -> (
        passed: Int, failed: Int
    ) {
        let registry = try loadRemotes(directory + "/remotes")
        let base = directory + "/tests/draft2020-12"
        var sections = [Section(title: "required", path: base, formatAssertion: false)]
        if includeOptional {
            sections.append(Section(title: "optional", path: base + "/optional", formatAssertion: false))
            sections.append(Section(title: "optional/format", path: base + "/optional/format", formatAssertion: formatAssertion))
        }
        var required = (passed: 0, failed: 0)
        for (index, section) in sections.enumerated() {
            let totals = try runSection(section, registry: registry, write: write)
            write("\(section.title): \(totals.passed) passed, \(totals.failed) failed")
            write("")
            if index == 0 { required = totals }
        }
        write("\(required.passed) passed, \(required.failed) failed")
        return required
    }

    static func runSection(_ section: Section, registry: SchemaRegistry, write: (String) -> Void) throws -> (passed: Int, failed: Int) {
        write("== \(section.title) (\(section.path))")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: section.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            write("(no such directory)")
            return (0, 0)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: section.path).filter { $0.hasSuffix(".json") }.sorted()
        write(pad("file", 40) + pad("passed", 8, left: true) + pad("failed", 8, left: true))
        var totals = (passed: 0, failed: 0)
        let options = JSONSchema.Options(formatAssertion: section.formatAssertion)
        for file in files {
            let groups = try readJSON(section.path + "/" + file)
            var passed = 0
            var failures: [String] = []
            for group in groups.arrayValue ?? [] {
                let description = group["description"]?.stringValue ?? "?"
                let tests = group["tests"]?.arrayValue ?? []
                let schema: JSONSchema
                do {
                    schema = try JSONSchema.compile(group["schema"] ?? .null, options: options, registry: registry)
                } catch {
                    for test in tests {
                        failures.append("\(description) / \(test["description"]?.stringValue ?? "?"): schema does not compile: \(error)")
                    }
                    continue
                }
                for test in tests {
                    let data = test["data"] ?? .null
                    let expected = test["valid"]?.boolValue ?? false
                    let fast = schema.isValid(data)
                    let reported = schema.validate(data, mode: .allErrors)
                    if fast == expected && reported.isValid == expected {
                        passed += 1
                    } else {
                        var line = "\(description) / \(test["description"]?.stringValue ?? "?"): expected \(expected ? "valid" : "invalid")"
                        if fast != reported.isValid { line += " (isValid \(fast), validate \(reported.isValid))" }
                        failures.append(line)
                    }
                }
            }
            write(pad(file, 40) + pad(String(passed), 8, left: true) + pad(String(failures.count), 8, left: true))
            for failure in failures { write("    FAIL " + failure) }
            totals.passed += passed
            totals.failed += failures.count
        }
        return totals
    }

    /// Every `.json` file under `path`, registered at `http://localhost:1234/` plus its relative path.
    static func loadRemotes(_ path: String) throws -> SchemaRegistry {
        var registry = SchemaRegistry()
        let root = URL(fileURLWithPath: path).resolvingSymlinksInPath().path  // the enumerator does not follow a symlinked root
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return registry }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".json") else { continue }
            registry.add(try readJSON(root + "/" + relative), uri: "http://localhost:1234/" + relative)
        }
        return registry
    }

    static func readJSON(_ path: String) throws -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return try JSON(parsing: [UInt8](data))
    }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(1, width - text.count))
        return left ? padding + text : text + padding
    }
}
