import ArgumentParser
import JSONValue

/// `switchboard call CONNECTION METHOD --params JSON`: runs a method through a running server.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a connection's method and print the result envelope.",
        discussion: """
            Exits 0 on SUCCESS, 1 on an ERROR result (printed as the API returned it) or when the server cannot be \
            reached or is not a Switchboard server (a message on stderr).
            """)

    @Argument(help: "The connection id (conn_...).") var connection: String
    @Argument(help: "The method name.") var method: String
    @Option(help: "The parameters as a JSON object.") var params: String = "{}"
    @Flag(help: "Print compact JSON instead of indented.") var compact = false
    @OptionGroup var api: APIOptions

    func run() async throws {
        let parsed: JSON
        // As the server does: an integer beyond 2^53 would reach the provider changed.
        do { parsed = try JSON(parsing: params, options: .init(exactIntegersOnly: true)) } catch {
            throw ValidationError(error.isInexactInteger ? "--params holds \(error)" : "--params is not valid JSON: \(error)")
        }
        guard case .object = parsed else { throw ValidationError("--params must be a JSON object") }
        let (status, body) = try await api.withClient { client in
            try await client.send(
                "POST", "/v1/connections/\(percentEncode(connection))/methods/\(percentEncode(method))", body: parsed.serializedBytes())
        }
        guard body["status"] != nil || body["error"] != nil else {
            throw CLIError("\(api.baseURL) answered HTTP \(status) without a Switchboard envelope: is it a Switchboard server?")
        }
        print(body.serialized(compact ? .compact : .pretty))
        if status >= 300 || body["status"] != "SUCCESS" { throw ExitCode(1) }
    }
}
