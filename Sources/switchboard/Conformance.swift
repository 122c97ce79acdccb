import ArgumentParser
import SwitchboardConformance

/// `switchboard conformance ...`: runs the reference test suites against our engines.
struct Conformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a conformance test suite against Switchboard's engines.", subcommands: [JSONSchemaCommand.self, JSONataCommand.self])

    struct JSONSchemaCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "json-schema",
            abstract: "Run the JSON-Schema-Test-Suite (draft 2020-12); the last line counts the required tests.")

        @Argument(help: "The suite's folder (holding tests/ and remotes/).") var directory: String
        @Flag(name: .customLong("required-only"), help: "Skip optional/ and optional/format/.") var requiredOnly = false
        @Option(name: .customLong("min-pass-rate"), help: "Exit non-zero below this percentage of required tests passing.") var minPassRate: Double = 0

        func run() throws {
            let totals = try JSONSchemaSuite.run(directory: directory, includeOptional: !requiredOnly) { print($0) }
            try enforce(totals, minPassRate)
        }
    }

    struct JSONataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "jsonata", abstract: "Run the JSONata reference test suite.")

        @Argument(help: "The suite's folder (holding groups/ and datasets/).") var directory: String
        @Option(help: "Only groups whose name contains this.") var group: String?
        @Option(name: .customLong("min-pass-rate"), help: "Exit non-zero below this percentage passing.") var minPassRate: Double = 0

        func run() throws {
            let totals = try JSONataSuite.run(directory: directory, groupFilter: group) { print($0) }
            try enforce(totals, minPassRate)
        }
    }
}

private func enforce(_ totals: (passed: Int, failed: Int), _ minimum: Double) throws {
    let all = totals.passed + totals.failed
    let rate = all == 0 ? 0 : Double(totals.passed) * 100 / Double(all)
    if rate < minimum {
        print("pass rate \(String(format: "%.2f", rate))% is below the required \(minimum)%")
        throw ExitCode(1)
    }
}
