import JSONValue
import Logging
import SwitchboardCore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardAdapters

/// The GraphQL adapter against a real strawberry-graphql server (Tests/peers/graphql_server.py).
@Suite("GraphQL adapter against strawberry")
struct GraphQLAdapterTests {
    /// One strawberry server for the whole run (it exits with the test process).
    static let peer = Task { try await PeerProcess.start(script: "graphql_server.py") }
    static let transport = HTTPTransport()

    static func method(_ name: String, _ graphql: JSON, logBodies: Bool = false) -> JSON {
        ["name": .string(name), "path": "/graphql", "graphql": graphql, "logBodies": .bool(logBodies)]
    }

    static let definition: JSON = [
        "key": "strawberry-test", "name": "strawberry test API", "version": "1.0.0", "type": "graphql", "baseUrl": "{config.baseUrl}",
        "methods": [
            method(
                "userByOperation",
                [
                    "query": "query Other { users { id } } query UserById($id: ID!) { user(id: $id) { id name email tags } }",
                    "operationName": "UserById",
                ], logBodies: true),
            method("firstUsers", ["query": "query ($first: Int) { users(first: $first) { id name } }"]),
            method("userTemplated", ["query": "query ($id: ID!) { user(id: $id) { name } }", "variables": ["id": "{{params.userId}}"]]),
            method("secrets", ["query": "{ users(first: 3) { id secret } }"]),
            method(
                "createUser",
                ["query": "mutation Create($name: String!, $email: String!) { createUser(name: $name, email: $email) { id name email tags } }"]),
            method("invalidQuery", ["query": "{ nope }"]),
            method("slow", ["query": "query ($s: Float!) { slow(seconds: $s) }"]),
            method("noQuery", ["operationName": "X"]),
            method("syntaxError", ["query": "{ users { id } } trailing"]),
        ],
    ]

    func call(_ method: String, _ params: JSON, timeout: Duration = .seconds(20)) async throws -> AdapterResponse {
        let peer = try await Self.peer.value
        let definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(Self.definition)
        let compiled = try CompiledMethod(try #require(definition.method(named: method)), baseURL: definition.baseURL)
        let request = AdapterRequest(
            definition: definition, method: compiled, connectionId: "conn-graphql", config: ["baseUrl": .string(peer.baseURL)], params: params,
            credentials: nil, timeout: timeout, logger: Logger(label: "test.graphql"))
        return try await GraphQLAdapter(transport: Self.transport).execute(request)
    }

    func adapterError(_ method: String, _ params: JSON, timeout: Duration = .seconds(20)) async throws -> AdapterError? {
        do {
            _ = try await call(method, params, timeout: timeout)
            return nil
        } catch let error as AdapterError {
            return error
        }
    }

    @Test("a query with variables and operationName: the named operation runs, data is the body")
    func queryWithOperationName() async throws {
        let r = try await call("userByOperation", ["id": "1"])
        #expect(r.status == 200)
        #expect(r.protocolError == nil)
        #expect(r.body == ["user": ["id": "1", "name": "Ada Lovelace", "email": "ada@example.com", "tags": ["admin", "math"]]])
        let sent = try JSON(parsing: try #require(r.requestBodyText))
        #expect(sent["operationName"] == "UserById")
        #expect(sent["variables"] == ["id": "1"])
        #expect(try await call("userByOperation", ["id": "99"]).body == ["user": nil])
    }

    @Test("without a variables template the parameters are the variables")
    func paramsAsVariables() async throws {
        let r = try await call("firstUsers", ["first": 2])
        #expect(r.body == ["users": [["id": "1", "name": "Ada Lovelace"], ["id": "2", "name": "Alan Turing"]]])
    }

    @Test("a variables template maps parameters to variables")
    func variablesTemplate() async throws {
        #expect(try await call("userTemplated", ["userId": "3"]).body == ["user": ["name": "Grace Hopper"]])
    }

    @Test("a response with errors is a GRAPHQL_ERROR with the errors as details, the partial data kept")
    func partialData() async throws {
        let r = try await call("secrets", [:])
        let error = try #require(r.protocolError)
        #expect(error.code == "GRAPHQL_ERROR")
        #expect(error.message == "secret of user 2 is classified")
        #expect(error.details.count == 1)
        #expect(error.details.first?["path"] == ["users", 1, "secret"])
        #expect(error.details.first?["locations"]?.arrayValue?.isEmpty == false)
        #expect(
            r.body == ["users": [["id": "1", "secret": "s3cret-1"], ["id": "2", "secret": nil], ["id": "3", "secret": "s3cret-3"]]])
    }

    @Test("a mutation runs; a failing mutation reports its error with null data")
    func mutation() async throws {
        let created = try await call("createUser", ["name": "Barbara Liskov", "email": "barbara@example.com"])
        #expect(created.protocolError == nil)
        #expect(created.body["createUser"]?["name"] == "Barbara Liskov")
        #expect(created.body["createUser"]?["tags"] == [])
        let refused = try await call("createUser", ["name": "X", "email": "not-an-email"])
        #expect(refused.protocolError?.message == "email 'not-an-email' is not valid")
        #expect(refused.protocolError?.details.first?["path"] == ["createUser"])
        #expect(refused.body.isNull)
    }

    @Test("a query the schema refuses reports the validation error")
    func invalidQuery() async throws {
        let r = try await call("invalidQuery", [:])
        #expect(r.protocolError?.code == "GRAPHQL_ERROR")
        #expect(r.protocolError?.message.contains("Cannot query field 'nope'") == true)
        #expect(r.body.isNull)
    }

    @Test("a tiny timeout on a slow field is AdapterError.timeout")
    func timeout() async throws {
        #expect(try await adapterError("slow", ["s": 5], timeout: .milliseconds(300))?.kind == .timeout)
    }

    @Test("an answer that is not a GraphQL response is an upstream error; with an error status it is returned as it is")
    func notGraphQL() async throws {
        // httpbin answers POSTs with anything but GraphQL: its echo (whose `data` is the request's body as a string),
        // JSON labelled text/html, an empty 200.
        let bin = try await SharedPeers.httpbin().baseURL
        func call(_ path: String, query: JSONObject = [:]) async throws -> AdapterResponse {
            let definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode([
                "key": "not-graphql", "name": "n", "version": "1.0.0", "type": "graphql", "baseUrl": .string(bin),
                "methods": [["name": "q", "path": .string(path), "query": .object(query), "graphql": ["query": "{ users { id } }"]]],
            ])
            let compiled = try CompiledMethod(try #require(definition.method(named: "q")), baseURL: definition.baseURL)
            let request = AdapterRequest(
                definition: definition, method: compiled, connectionId: "c", config: [:], params: [:], credentials: nil, timeout: .seconds(20),
                logger: Logger(label: "test.graphql"))
            return try await GraphQLAdapter(transport: Self.transport).execute(request)
        }
        for (path, query) in [("/anything", [:]), ("/response-headers", ["Content-Type": "text/html"]), ("/status/200", [:])] as [(String, JSONObject)] {
            do {
                _ = try await call(path, query: query)
                Issue.record("\(path) was taken for a GraphQL response")
            } catch let error as AdapterError {
                #expect(error.kind == .other, "\(path): \(error)")
                #expect(error.message.contains("is not a GraphQL response"), "\(path): \(error)")
            }
        }
        let unavailable = try await call("/status/503")
        #expect(unavailable.status == 503)
        #expect(unavailable.protocolError == nil)
    }

    @Test("a document the server cannot parse: its errors, and no data (the errors are not taken for data)")
    func syntaxError() async throws {
        let r = try await call("syntaxError", [:])
        #expect(r.protocolError?.code == "GRAPHQL_ERROR", "\(r)")
        #expect(r.body.isNull, "\(r.body)")
    }

    @Test("graphql settings a server could not run are refused before anything is sent")
    func settingsChecked() throws {
        let definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(["key": "k", "name": "K", "version": "1.0.0", "type": "graphql"])
        func problem(_ graphql: JSON) -> AdapterError? {
            var method = DefinitionMethod(name: "m", verb: .POST, path: "/graphql")
            method.options = ["graphql": graphql]
            return GraphQLAdapter(transport: Self.transport).validate(method, of: definition)
        }
        #expect(problem(["query": "{ users { id } }"]) == nil)
        #expect(problem(["query": "query($id: ID!) { user(id: $id) { name } } # {"]) == nil)
        #expect(problem(["query": "{ echo(text: \"}\") }"]) == nil)
        #expect(problem(["query": "  # nothing\n"])?.message.contains("graphql.query is empty") == true)
        #expect(problem(["query": ""])?.message.contains("graphql.query is empty") == true)
        #expect(problem(["query": "query { users { id "])?.message.contains("that is not closed") == true)
        #expect(problem(["query": "{ echo(text: \"open) }"])?.message.contains("string that is not closed") == true)
        #expect(problem(["query": 5])?.message.contains("graphql.query must be a string") == true)
        #expect(problem(["query": "{ a }", "variables": "abc"])?.message.contains("graphql.variables must be an object") == true)
        #expect(problem(["query": "{ a }", "variables": [1, 2]])?.message.contains("graphql.variables must be an object") == true)
        #expect(problem(["query": "{ a }", "variables": "{{params.filter}}"]) == nil)
        #expect(problem(["query": "{ a }", "bogus": 1])?.field == "graphql.bogus")
    }

    @Test("a method without graphql.query is a configuration error")
    func missingQuery() async throws {
        #expect(try await adapterError("noQuery", [:])?.kind == .configuration)
    }
}
