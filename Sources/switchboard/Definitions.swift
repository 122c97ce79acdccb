import ArgumentParser
import AsyncHTTPClient
import JSONValue
import NIOCore
import SwitchboardCore

/// `switchboard definitions ...`: manage the registry through a running server's API.
struct Definitions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage integration definitions.", subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import definition files (YAML or JSON) into a running server.")

        @Argument(help: "Definition files (.yaml, .yml or .json).") var files: [String]
        @Flag(help: "Publish each imported version at once.") var publish = false
        @OptionGroup var api: APIOptions

        func run() async throws {
            var failures = 0
            try await api.withClient { client in
                for file in files {
                    let bytes: [UInt8]
                    do { bytes = try readFile(file) } catch {
                        print("\(file): \(error)")
                        failures += 1
                        continue
                    }
                    let type = DocumentReader.format(forFileName: file) == .json ? "application/json" : "application/yaml"
                    let (status, body) = try await client.send("POST", "/v1/definitions" + (publish ? "?publish=true" : ""), body: bytes, contentType: type)
                    if status == 201 {
                        print("\(file): imported \(body["key"]?.stringValue ?? "?") \(body["version"]?.stringValue ?? "?") (\(body["status"]?.stringValue ?? "?"))")
                    } else {
                        failures += 1
                        print("\(file): \(describeError(status: status, body: body))")
                    }
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List definitions.")
        @Option(help: "Search key, name and description.") var search: String?
        @OptionGroup var api: APIOptions

        func run() async throws {
            try await api.withClient { client in
                var path = "/v1/definitions?limit=200"
                if let search { path += "&search=" + percentEncode(search) }
                let (status, body) = try await client.send("GET", path)
                guard status == 200 else {
                    print(describeError(status: status, body: body))
                    throw ExitCode(1)
                }
                for item in body["items"]?.arrayValue ?? [] {
                    let fields = ["key", "version", "status", "name"].map { item[$0]?.stringValue ?? "" }
                    print(fields.joined(separator: "\t"))
                }
            }
        }
    }
}
