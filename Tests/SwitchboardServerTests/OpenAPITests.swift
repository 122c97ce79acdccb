import Foundation
import HummingbirdTesting
import JSONSchema
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@Suite struct OpenAPITests {
    /// Every route the router serves is in the OpenAPI document, and the document names no route that doesn't exist.
    @Test func documentMatchesTheRoutes() async throws {
        try await TestBackend.sqlite.withDatabase { db, _ in
            let schemas = makeSchemaChecker()
            let services = AppServices(store: Store(database: db), schemas: schemas, logger: Logger(label: "test"))
            let (_, table) = buildRouter(services: services, configuration: ServerConfiguration())
            let served = Set(table.routes.map { "\($0.method) \($0.path)" })
            let documented = OpenAPIDocument().operations
            #expect(served.count > 10)
            #expect(served.subtracting(documented).sorted() == [], "routes missing from openapi")
            #expect(documented.subtracting(served).sorted() == [], "documented routes that are not served")
        }
    }

    @Test func documentIsValidOpenAPIShape() {
        let doc = OpenAPIDocument().json
        #expect(doc["openapi"] == "3.1.0")
        #expect(doc["info"]?["title"] == "Switchboard")
        #expect(doc["components"]?["schemas"]?["Error"] != nil)
    }

    /// The document passes a real OpenAPI 3.1 validator (openapi-spec-validator from the test virtualenv), which
    /// refuses, for example, a parameter with a key the specification does not define. The validator's process is
    /// awaited, not waited for: a blocking wait would hold one of the few threads every test of the process shares
    /// (its first run in a fresh virtualenv takes seconds).
    @Test func documentPassesOpenAPISpecValidator() async throws {
        let base = NSTemporaryDirectory() + "switchboard-openapi-" + UUID().uuidString.lowercased()
        let file = base + ".json"
        let outputFile = base + ".out"
        try Data(OpenAPIDocument().json.serializedBytes()).write(to: URL(fileURLWithPath: file))
        #expect(FileManager.default.createFile(atPath: outputFile, contents: nil))
        defer {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: outputFile)
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PeerProcess.python)
        process.arguments = ["-m", "openapi_spec_validator", "--subschema-errors", "all", file]
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try output.close()
        let text = try String(contentsOfFile: outputFile, encoding: .utf8)
        #expect(status == 0, "\(text.suffix(4000))")
        #expect(text.contains("OK"), "\(text.suffix(4000))")
    }

    /// No value of the document is null where the specification has no use for one: the document is written in YAML
    /// flow style, where an unquoted comma in a description silently splits it into a key with no value.
    @Test func documentHasNoStrayNullValues() {
        var strays: [String] = []
        func walk(_ value: JSON, _ path: String) {
            switch value {
            case .object(let object):
                for (key, member) in object {
                    if member == .null && !["default", "const", "example"].contains(key) { strays.append(path + "/" + key) }
                    walk(member, path + "/" + key)
                }
            case .array(let items):
                for (index, item) in items.enumerated() {
                    if item == .null && !path.hasSuffix("/enum") && !path.hasSuffix("/examples") { strays.append("\(path)/\(index)") }
                    walk(item, "\(path)/\(index)")
                }
            default: break
            }
        }
        walk(OpenAPIDocument().json, "")
        #expect(strays == [])
    }

    static let graphqlPeer = Task { try await PeerProcess.start(script: "graphql_server.py") }

    /// The document's `ExecutionResult` schema, its `$ref`s resolved in the document.
    static func executionResultSchema() throws -> JSONSchema {
        var registry = SchemaRegistry()
        registry.add(OpenAPIDocument().json, uri: "urn:switchboard:openapi")
        return try JSONSchema.compile(["$ref": "urn:switchboard:openapi#/components/schemas/ExecutionResult"], registry: registry)
    }

    /// Error answers match the schema the document declares for them: a GraphQL error's details carry the errors as the
    /// server sent them (a `path` of field names and list indexes), a validation error's a JSON pointer.
    @Test func errorAnswersMatchTheDeclaredSchema() async throws {
        let peer = try await Self.graphqlPeer.value
        let schema = try Self.executionResultSchema()
        try await withApp(.sqlite) { client in
            let definition: JSON = [
                "key": "gql-openapi", "name": "GraphQL", "version": "1.0.0", "type": "graphql", "baseUrl": .string(peer.baseURL),
                "methods": [
                    ["name": "secrets", "path": "/graphql", "graphql": ["query": "{ users(first: 3) { id secret } }"]],
                    [
                        "name": "user", "path": "/graphql", "graphql": ["query": "query($id: ID!) { user(id: $id) { id } }"],
                        "paramSchema": ["type": "object", "required": ["id"], "properties": ["id": ["type": "string"]]],
                    ],
                ],
            ]
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: definition).status == 201)
            let connection = try await client.call(.post, "/v1/connections", json: ["definitionKey": "gql-openapi", "name": "g"])
            let id = try #require(connection.body["id"]?.stringValue)

            let graphql = try await client.call(.post, "/v1/connections/\(id)/methods/secrets", json: [:])
            #expect(graphql.body["error"]?["code"] == "GRAPHQL_ERROR", "\(graphql.body)")
            #expect(graphql.body["error"]?["details"]?[0]?["path"] == ["users", 1, "secret"], "\(graphql.body)")
            let invalid = try await client.call(.post, "/v1/connections/\(id)/methods/user", json: ["id": 5])
            #expect(invalid.body["error"]?["code"] == "VALIDATION_ERROR", "\(invalid.body)")
            #expect(invalid.body["error"]?["details"]?[0]?["path"] == "/id", "\(invalid.body)")

            for answer in [graphql.body, invalid.body] {
                let result = schema.validate(answer)
                #expect(result.isValid, "\(result.errors.map(\.message)) \(answer)")
            }
            // The schema does tell them apart: a path of another shape is refused.
            var wrong = graphql.body
            wrong["error"] = ["code": "GRAPHQL_ERROR", "message": "m", "details": [["path": ["users", true]]]]
            #expect(!schema.isValid(wrong))
        }
    }
}
