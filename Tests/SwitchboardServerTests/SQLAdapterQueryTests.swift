import Foundation
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// How a method's query is read: its `:name` placeholders (not in comments, strings, dollar quotes or array slices),
/// PostgreSQL's `?` operators, on both engines.
@Suite struct SQLAdapterQueryTests {
    @Test(arguments: TestBackend.available)
    func placeholdersAreOnlyThoseTheEngineWouldRead(_ backend: TestBackend) async throws {
        let sqlite: KeyValuePairs<String, (String, Bool)> = [
            "lineComment": ("SELECT :a AS a -- not :b\n", true),
            "blockComment": ("/* :b */ SELECT :a AS a /* nor :c */", true),
            "quoted": ("SELECT ':b' AS s, :a AS a", true),
            "twice": ("SELECT :a AS a, :a AS again", true),
            // Refused on SQLite at call time (PostgreSQL's operator where the definition cannot say its engine).
            "jsonbKey": ("SELECT :a AS a WHERE '{\"k\": 1}'::jsonb ? 'k'", true),
        ]
        let postgres: KeyValuePairs<String, (String, Bool)> = [
            "lineComment": ("SELECT :a AS a -- not :b\n", true),
            "blockComment": ("/* :b /* nested :c */ */ SELECT :a AS a", true),
            "quoted": ("SELECT ':b' AS s, :a AS a", true),
            "twice": ("SELECT :a AS a, :a AS again", true),
            "jsonbKey": (
                "SELECT :a AS a WHERE '{\"k\": 1}'::jsonb ? 'k' AND '{\"k\": 1}'::jsonb ?| array['k'] AND '{\"k\": 1}'::jsonb ?& array['k']", true
            ),
            "escaped": ("SELECT E'it\\'s :b' AS e, :a AS a", true),
            "dollarQuoted": ("SELECT $$ :b $$ AS d, $t$ it's :c $t$ AS t, :a AS a", true),
            "slice": ("WITH t(arr, hi) AS (SELECT ARRAY[1, 2, 3], 2) SELECT array_length(arr[1:hi], 1) AS n, :a AS a FROM t", true),
            "cast": ("SELECT :a::text AS a", true),
        ]
        let methods = backend == .postgres ? postgres : sqlite
        try await SQLAdapterSessionTests.withMethods(backend, methods) { call, _, _ in
            for (method, _) in methods where method != "jsonbKey" || backend == .postgres {
                let r = try await call(method, ["a": 7])
                #expect(r.status == 200, "\(method): \(r.body)")
                let expected: JSON = method == "cast" ? "7" : 7
                #expect(r.body["data"]?["rows"]?[0]?["a"] == expected, "\(method): \(r.body)")
            }
            if backend == .postgres {
                let r = try await call("escaped", ["a": 7])
                #expect(r.body["data"]?["rows"]?[0]?["e"] == "it's :b", "\(r.body)")
                let d = try await call("dollarQuoted", ["a": 7])
                #expect(d.body["data"]?["rows"]?[0]?["t"] == " it's :c ", "\(d.body)")
                #expect(try await call("slice", ["a": 7]).body["data"]?["rows"]?[0]?["n"] == 2)
            } else {
                let r = try await call("jsonbKey", ["a": 7])
                #expect(r.status == 409, "\(r.body)")
                #expect(r.body["error"]?["code"] == "DEFINITION_ERROR")
                #expect(r.body["error"]?["message"]?.stringValue?.contains("use :name placeholders in sql.query, not ?") == true, "\(r.body)")
            }
        }
    }

    /// Transaction control, a second statement and a key `sql` does not take are refused when the definition is written
    /// (422, the path of the setting), whatever the engine: a pooled PostgreSQL connection was left idle in a
    /// transaction by `BEGIN`, and a misspelt `readonly: false` left a method read-only.
    @Test(arguments: TestBackend.available)
    func definitionsRefuseTransactionControlASecondStatementAndUnknownSettings(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let methods: [(JSON, String, String)] = [
                (["name": "begin", "sql": ["query": "BEGIN", "readOnly": false]], "/methods/0/sql/query", "transaction control"),
                (["name": "start", "sql": ["query": "start transaction read write"]], "/methods/0/sql/query", "transaction control"),
                (["name": "commit", "options": ["sql": ["query": "COMMIT"]]], "/methods/0/options/sql/query", "transaction control"),
                (["name": "two", "sql": ["query": "SELECT 1; SELECT 2"]], "/methods/0/sql/query", "more than one statement"),
                (["name": "typo", "sql": ["query": "UPDATE t SET a = 1", "readonly": false]], "/methods/0/sql/readonly", "not a setting"),
            ]
            for (method, path, reason) in methods {
                let document: JSON = ["key": "refused-db", "name": "Refused", "version": "1.0.0", "type": "database", "methods": [method]]
                let r = try await client.call(.post, "/v1/definitions", json: document)
                #expect(r.status == 422, "\(method): \(r.body)")
                #expect(r.body["error"]?["details"]?[0]?["path"] == .string(path), "\(method): \(r.body)")
                #expect(r.body["error"]?["details"]?[0]?["message"]?.stringValue?.contains(reason) == true, "\(method): \(r.body)")
            }
        }
    }

    /// `:name` reads the caller's parameters only, `:config.name` the connection's config only: a caller cannot stand in
    /// for a config value. A parameter the query names and the call lacks is refused (422) instead of bound as NULL; an
    /// explicit null binds NULL.
    @Test(arguments: TestBackend.available)
    func parametersAndConfigValuesAreApart(_ backend: TestBackend) async throws {
        let methods: KeyValuePairs<String, (String, Bool)> = [
            "tenant": ("SELECT :config.tenant AS tenant, :tenant AS asked", true),
            "mine": ("SELECT count(*) AS n FROM items WHERE name = :config.tenant", true),
            "region": ("SELECT :config.region AS region", true),
        ]
        try await SQLAdapterSessionTests.withMethods(backend, methods, extraConfig: ["tenant": "bolt"]) { call, _, _ in
            let both = try await call("tenant", ["tenant": "nut"])
            #expect(both.status == 200, "\(both.body)")
            #expect(both.body["data"]?["rows"] == [["tenant": "bolt", "asked": "nut"]])
            // A parameter of the config value's name changes nothing.
            #expect(try await call("mine", ["tenant": "nut", "config.tenant": "nut"]).body["data"]?["rows"] == [["n": 1]])
            let missing = try await call("tenant", [:])
            #expect(missing.status == 422, "\(missing.body)")
            #expect(missing.body["error"]?["code"] == "VALIDATION_ERROR")
            #expect(missing.body["error"]?["message"]?.stringValue?.contains("parameter 'tenant' is missing") == true, "\(missing.body)")
            let null = try await call("tenant", ["tenant": nil])
            #expect(null.body["data"]?["rows"] == [["tenant": "bolt", "asked": nil]], "\(null.body)")
            // A config value the connection lacks is the connection's to mend.
            let region = try await call("region", [:])
            #expect(region.status == 409, "\(region.body)")
            #expect(region.body["error"]?["code"] == "CONNECTION_NOT_USABLE")
            #expect(region.body["error"]?["message"]?.stringValue?.contains("no 'region'") == true, "\(region.body)")
        }
    }

    /// The executions log of a SQL call: the bound parameters (as a JSON object) as the request and the result as the
    /// response, sized, and their text kept when the method sets `logBodies`.
    @Test(arguments: TestBackend.available)
    func theExecutionsLogSizesAndKeepsWhatWasBoundAndReturned(_ backend: TestBackend) async throws {
        let methods: KeyValuePairs<String, (String, Bool)> = ["quiet": ("SELECT id, name FROM items WHERE id = :id", true)]
        let logged: [JSON] = [
            ["name": "logged", "logBodies": true, "sql": ["query": "SELECT id, name FROM items WHERE id = :id AND name <> :config.tenant"]]
        ]
        try await SQLAdapterSessionTests.withMethods(backend, methods, extraConfig: ["tenant": "nobody"], extraMethods: logged) { call, _, client in
            for method in ["quiet", "logged"] {
                let r = try await call(method, ["id": 2])
                #expect(r.status == 200, "\(r.body)")
                let executionId = try #require(r.body["meta"]?["executionId"]?.stringValue)
                let record = try await client.call(.get, "/v1/executions/\(executionId)").body
                let request = method == "logged" ? "{\"id\":2,\"config.tenant\":\"nobody\"}" : "{\"id\":2}"
                let response = "{\"rows\":[{\"id\":2,\"name\":\"nut\"}],\"rowCount\":1}"
                #expect(record["requestBytes"] == .number(Double(request.utf8.count)), "\(method): \(record)")
                #expect(record["responseBytes"] == .number(Double(response.utf8.count)), "\(method): \(record)")
                if method == "logged" {
                    #expect(record["requestBody"] == .string(request), "\(record)")
                    #expect(record["responseBody"] == .string(response), "\(record)")
                } else {
                    #expect(record["requestBody"] == nil || record["requestBody"] == .null, "\(record)")
                    #expect(record["responseBody"] == nil || record["responseBody"] == .null, "\(record)")
                }
            }
        }
    }
}
