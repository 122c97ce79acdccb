import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardTestSupport
import Testing

@Suite struct DefinitionsAPITests {
    @Test(arguments: TestBackend.available)
    func versionsAndTransitions(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let created = try await client.call(.post, "/v1/definitions", json: definition("crm"))
            #expect(created.status == 201)
            #expect(created.body["status"] == "DRAFT")
            #expect(created.headers[.location] == "/v1/definitions/crm/versions/1.0.0")
            // With no published version, the key answers with the latest draft.
            #expect(try await client.call(.get, "/v1/definitions/crm").body["version"] == "1.0.0")
            #expect(try await client.call(.post, "/v1/definitions", json: definition("crm")).status == 409)

            #expect(try await client.call(.post, "/v1/definitions/crm/versions/1.0.0/publish").body["status"] == "PUBLISHED")
            try await client.call(.post, "/v1/definitions", json: definition("crm", version: "1.1.0"))
            try await client.call(.post, "/v1/definitions", json: definition("crm", version: "1.0.1-beta.1"))
            // The latest published version wins over newer drafts.
            #expect(try await client.call(.get, "/v1/definitions/crm").body["version"] == "1.0.0")
            let versions = try await client.call(.get, "/v1/definitions/crm/versions").body
            #expect(versions["items"]?.arrayValue?.map { $0["version"] } == ["1.1.0", "1.0.1-beta.1", "1.0.0"])

            // Only a DRAFT is editable.
            var edited = definition("crm", version: "1.0.0")
            edited["name"] = "Renamed"
            let refused = try await client.call(.put, "/v1/definitions/crm/versions/1.0.0", json: edited)
            #expect(refused.status == 409)
            #expect(refused.body["error"]?["code"] == "DEFINITION_NOT_EDITABLE")
            var draftEdit = definition("crm", version: "1.1.0")
            draftEdit["name"] = "CRM v1.1"
            let ok = try await client.call(.put, "/v1/definitions/crm/versions/1.1.0", json: draftEdit)
            #expect(ok.status == 200)
            #expect(try await client.call(.get, "/v1/definitions/crm/versions/1.1.0").body["name"] == "CRM v1.1")
            // The URL and the document must agree.
            #expect(try await client.call(.put, "/v1/definitions/crm/versions/1.1.0", json: definition("crm", version: "9.9.9")).status == 422)

            // Illegal transitions are 409 and change nothing.
            for (version, action) in [("1.1.0", "deprecate"), ("1.0.0", "publish")] {
                let r = try await client.call(.post, "/v1/definitions/crm/versions/\(version)/\(action)")
                #expect(r.status == 409)
                #expect(r.body["error"]?["code"] == "INVALID_TRANSITION")
            }
            #expect(try await client.call(.post, "/v1/definitions/crm/versions/1.1.0/publish").status == 200)
            #expect(try await client.call(.get, "/v1/definitions/crm").body["version"] == "1.1.0")
            #expect(try await client.call(.post, "/v1/definitions/crm/versions/1.0.0/deprecate").body["status"] == "DEPRECATED")
            #expect(try await client.call(.post, "/v1/definitions/crm/versions/1.0.0/archive").body["status"] == "ARCHIVED")
            #expect(try await client.call(.post, "/v1/definitions/crm/versions/1.0.0/publish").status == 409)

            // Drafts can be deleted, other versions cannot.
            #expect(try await client.call(.delete, "/v1/definitions/crm/versions/1.0.1-beta.1").status == 204)
            #expect(try await client.call(.delete, "/v1/definitions/crm/versions/1.1.0").status == 409)
            #expect(try await client.call(.get, "/v1/definitions/crm/versions/1.0.1-beta.1").status == 404)
            #expect(try await client.call(.get, "/v1/definitions/nope").body["error"]?["code"] == "DEFINITION_NOT_FOUND")
        }
    }

    @Test(arguments: TestBackend.available)
    func publishingOnCreateAndStatusInBody(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let r = try await client.call(.post, "/v1/definitions?publish=true", json: definition("pub"))
            #expect(r.body["status"] == "PUBLISHED")
            #expect(r.body["publishedAt"]?.stringValue != nil)
            var doc = definition("pub2")
            doc["status"] = "PUBLISHED"
            let refused = try await client.call(.post, "/v1/definitions", json: doc)
            #expect(refused.status == 422)
            #expect(refused.body["error"]?["details"]?[0]?["path"] == "/status")
        }
    }

    @Test(arguments: TestBackend.available)
    func searchFilterAndPaginate(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            for (i, key) in ["alpha", "bravo", "charlie", "delta", "echo"].enumerated() {
                var extra: JSONObject = ["category": i % 2 == 0 ? "crm" : "payments", "popular": .bool(i == 1), "type": "rest_api"]
                if i == 4 {
                    extra["type"] = "graphql"
                    extra["methods"] = [["name": "ping", "graphql": ["query": "{ ping }"]]]
                }
                try await client.call(.post, "/v1/definitions" + (i < 3 ? "?publish=true" : ""), json: definition(key, extra: extra))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/definitions?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.call(.get, path).body
                seen += page["items"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
                cursor = page["nextCursor"]?.stringValue
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == ["alpha", "bravo", "charlie", "delta", "echo"])
            #expect(pages == 3)

            func keys(_ query: String) async throws -> [String] {
                try await client.call(.get, "/v1/definitions?" + query).body["items"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
            }
            #expect(try await keys("category=payments") == ["bravo", "delta"])
            #expect(try await keys("status=DRAFT") == ["delta", "echo"])
            #expect(try await keys("status=published&category=crm") == ["alpha", "charlie"])
            #expect(try await keys("popular=true") == ["bravo"])
            #expect(try await keys("type=graphql") == ["echo"])
            #expect(try await keys("search=CHAR") == ["charlie"])
            #expect(try await keys("search=the%20delta%20integration") == ["delta"])
            #expect(try await keys("search=%25") == [])
        }
    }

    @Test(arguments: TestBackend.available)
    func validationListsEachProblem(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let r = try await client.call(
                .post, "/v1/definitions",
                json: [
                    "key": "ok-key", "name": "X", "version": "v1", "auth": ["type": "telepathy"],
                    "methods": [["name": "get", "path": "/u/{id}", "paramSchema": ["type": "object"]], ["name": "get", "path": "/x"]],
                    "configSchema": ["type": 12],
                ])
            #expect(r.status == 422)
            #expect(r.body["error"]?["code"] == "VALIDATION_ERROR")
            let paths = Set(r.body["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? [])
            #expect(paths == ["/version", "/auth/type", "/methods/0/path", "/configSchema/type"])
        }
    }

    /// A method's adapter settings are checked when the definition is written, by the parsing its adapter runs at call
    /// time: before, these were accepted and published, and every call answered 409 DEFINITION_ERROR.
    @Test(arguments: TestBackend.available)
    func adapterSettingsAreValidatedWhenWritten(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            func doc(_ key: String, _ type: String, _ method: JSON) -> JSON {
                definition(key, extra: ["type": .string(type), "baseUrl": "http://127.0.0.1:9", "methods": [method]])
            }
            func refused(_ r: (status: Int, body: JSON, headers: HTTPFields), _ path: String, _ text: String) {
                #expect(r.status == 422, "\(r.body)")
                #expect(r.body["error"]?["code"] == "VALIDATION_ERROR")
                let details = r.body["error"]?["details"]?.arrayValue ?? []
                #expect(details.compactMap { $0["path"]?.stringValue } == [path], "\(r.body)")
                #expect(details.first?["message"]?.stringValue?.contains(text) == true, "\(r.body)")
            }
            let noQuery = try await client.call(.post, "/v1/definitions?publish=true", json: doc("gql", "graphql", ["name": "viewer"]))
            refused(noQuery, "/methods/0/graphql/query", "declares no graphql.query")
            refused(
                try await client.call(
                    .post, "/v1/definitions", json: doc("sqlq", "database", ["name": "find", "sql": ["query": "SELECT * FROM t WHERE id = ?"]])),
                "/methods/0/sql/query", ":name placeholders")
            refused(
                try await client.call(
                    .post, "/v1/definitions", json: doc("sqlq", "database", ["name": "find", "options": ["sql": ["query": "SELECT $1"]]])),
                "/methods/0/options/sql/query", ":name placeholders")
            refused(
                try await client.call(.post, "/v1/definitions", json: doc("sqlq", "database", ["name": "find"])), "/methods/0/sql/query",
                "declares no sql.query")
            let yaml = """
                key: soapy
                name: Soapy
                version: 1.0.0
                type: soap
                baseUrl: http://127.0.0.1:9/Service.asmx
                methods:
                  - name: GetUser
                    soap: {version: 1.3, namespace: "urn:users"}
                """
            refused(
                try await client.call(.post, "/v1/definitions?publish=true", raw: yaml, contentType: "application/yaml"), "/methods/0/soap/version",
                "soap.version must be \"1.1\" or \"1.2\"")
            for key in ["gql", "sqlq", "soapy"] { #expect(try await client.call(.get, "/v1/definitions/\(key)").status == 404) }

            // Valid settings are accepted; a draft's update is checked the same way and a refused one changes nothing.
            let good = doc("sqlq", "database", ["name": "find", "sql": ["query": "SELECT * FROM t WHERE id = :id AND note <> '?'"]])
            #expect(try await client.call(.post, "/v1/definitions", json: good).status == 201)
            refused(
                try await client.call(
                    .put, "/v1/definitions/sqlq/versions/1.0.0", json: doc("sqlq", "database", ["name": "find", "sql": ["query": "SELECT ?"]])),
                "/methods/0/sql/query", ":name placeholders")
            let stored = try await client.call(.get, "/v1/definitions/sqlq/versions/1.0.0").body
            #expect(stored["methods"]?[0]?["sql"]?["query"] == "SELECT * FROM t WHERE id = :id AND note <> '?'")
            let soap = doc("soapy", "soap", ["name": "GetUser", "soap": ["version": "1.2", "namespace": "urn:users"]])
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: soap).status == 201)
            let gql = doc("gql", "graphql", ["name": "viewer", "graphql": ["query": "{ viewer { id } }"]])
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: gql).status == 201)
            refused(
                try await client.call(.post, "/v1/definitions", json: doc("gql2", "graphql", ["name": "v", "graphql": ["query": "{ viewer { id "]])),
                "/methods/0/graphql/query", "that is not closed")
            refused(
                try await client.call(
                    .post, "/v1/definitions", json: doc("gql2", "graphql", ["name": "v", "graphql": ["query": "{ viewer { id } }", "variables": "abc"]])),
                "/methods/0/graphql/variables", "must be an object")
            // A health check a connection test calls with no parameters cannot require any.
            let status: JSON = [
                "name": "status", "path": "/anything", "query": ["code": "{{params.code}}"],
                "paramSchema": ["type": "object", "required": ["code"], "properties": ["code": ["type": "integer"]]],
            ]
            refused(
                try await client.call(.post, "/v1/definitions", json: definition("hc", extra: ["baseUrl": "http://127.0.0.1:9", "healthCheck": "status", "methods": [status]])),
                "/healthCheck", "refuses the empty parameters")
            // Nor can its path need one the schema leaves optional.
            let optional: JSON = ["name": "status", "path": "/status/{code}", "paramSchema": ["type": "object", "properties": ["code": ["type": "integer", "default": 200]]]]
            refused(
                try await client.call(.post, "/v1/definitions", json: definition("hc", extra: ["baseUrl": "http://127.0.0.1:9", "healthCheck": "status", "methods": [optional]])),
                "/healthCheck", "whose path needs parameter 'code'")
        }
    }

    /// Settings every call would fail on are refused when the definition is written (422, a problem per setting at its
    /// path, with the message a call gave), where before they were published and each call answered 409
    /// DEFINITION_ERROR (templates, transforms), 502 (`maxResponseBytes` -1) or hung on a `Content-Length` header.
    @Test(arguments: TestBackend.available)
    func methodSettingsAreValidatedWhenWritten(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            func doc(_ method: JSON, type: String = "rest_api", extra: JSONObject = [:]) -> JSON {
                var o: JSONObject = ["type": .string(type), "baseUrl": "http://127.0.0.1:9", "methods": [method]]
                for (k, v) in extra { o[k] = v }
                return definition("checked", extra: o)
            }
            func refused(
                _ document: JSON, _ expected: [(path: String, text: String)], sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let r = try await client.call(.post, "/v1/definitions?publish=true", json: document)
                #expect(r.status == 422, "\(r.body)", sourceLocation: sourceLocation)
                #expect(r.body["error"]?["code"] == "VALIDATION_ERROR", sourceLocation: sourceLocation)
                let details = r.body["error"]?["details"]?.arrayValue ?? []
                #expect(details.compactMap { $0["path"]?.stringValue } == expected.map(\.path), "\(r.body)", sourceLocation: sourceLocation)
                for (detail, want) in zip(details, expected) {
                    #expect(detail["message"]?.stringValue?.contains(want.text) == true, "\(detail)", sourceLocation: sourceLocation)
                }
            }
            // Framing and hop-by-hop headers, in any case, for every HTTP adapter, and as an API key's header name.
            let getcl: JSON = [
                "name": "getcl", "verb": "GET", "path": "/anything", "headers": ["Content-Length": "{{params.cl}}"],
                "paramSchema": ["type": "object"], "timeoutMs": 3000,
            ]
            try await refused(doc(getcl), [("/methods/0/headers/Content-Length", "'Content-Length' is set by the HTTP client")])
            let hopByHop: JSON = [
                "transfer-encoding": "chunked", "Connection": "close", "Keep-Alive": "x", "Upgrade": "h2c", "TE": "trailers", "Trailer": "x",
                "Proxy-Connection": "x", "Expect": "100-continue", "X-Fine": "1", "Host": "example.test",
            ]
            let refusedNames = ["Connection", "Expect", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "transfer-encoding"]
            try await refused(
                doc(["name": "q", "graphql": ["query": "{ a }"], "headers": hopByHop], type: "graphql"),
                refusedNames.map { ("/methods/0/headers/\($0)", "is set by the HTTP client") })
            try await refused(
                doc(["name": "op", "soap": ["version": "1.1", "namespace": "urn:x"], "headers": ["Content-Length": "0"]], type: "soap"),
                [("/methods/0/headers/Content-Length", "is set by the HTTP client")])
            try await refused(
                doc(["name": "get"], extra: ["auth": ["type": "api_key", "apiKey": ["in": "header", "name": "Content-Length"]]]),
                [("/auth/apiKey/name", "is set by the HTTP client")])
            // maxResponseBytes: a positive integer no larger than the client can hold.
            for bad: JSON in [-1, 0, 1.5, "big", 4_294_967_296] {
                try await refused(
                    doc(["name": "get", "options": ["maxResponseBytes": bad]]),
                    [("/methods/0/options/maxResponseBytes", "must be an integer from 1 to 4294967295")])
            }
            // Templates, at their own paths, with the message a call gave.
            let templated: JSON = [
                "name": "get", "verb": "POST", "path": "/{config.}/x", "query": ["q": "{{params.q"], "headers": ["X-Empty": "{{}}"],
                "body": ["a": ["b": "{{secrets.token}}"], "list": ["ok", "{{params"]],
            ]
            try await refused(
                doc(templated, extra: ["baseUrl": "http://{config.}"]),
                [
                    ("/baseUrl", "'config.' is not a valid reference"), ("/methods/0/path", "'config.' is not a valid reference"),
                    ("/methods/0/query/q", "'{{params.q' has '{{' without '}}'"), ("/methods/0/headers/X-Empty", "'' is not a valid reference"),
                    ("/methods/0/body/a/b", "'secrets.token' must start with params. or config."),
                    ("/methods/0/body/list/1", "has '{{' without '}}'"),
                ])
            // JSONata transforms that do not compile, with the JSONata error.
            try await refused(
                doc(["name": "get", "requestTransform": "$$$(", "responseTransform": "$$$("]),
                [("/methods/0/requestTransform", "S0207"), ("/methods/0/responseTransform", "S0207")])
            #expect(try await client.call(.get, "/v1/definitions/checked").status == 404)

            // What the checks allow: Host (virtual hosting), other headers, a limit in range, templates that parse.
            let good = doc([
                "name": "get", "path": "/{config.region}/x", "headers": ["Host": "api.example.test", "X-Trace": "t-{{params.q}}"],
                "query": ["v": "{{config.apiVersion}}"], "options": ["maxResponseBytes": 4_294_967_295], "responseTransform": "$.a",
            ])
            let created = try await client.call(.post, "/v1/definitions?publish=true", json: good)
            #expect(created.status == 201, "\(created.body)")
        }
    }
}
