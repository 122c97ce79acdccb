import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardEngine
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Synchronization
import Testing

/// Method execution end to end through the API against a real httpbin on loopback.
@Suite struct ExecutionTests {
    /// A definition written for httpbin, exercising templates, transforms, schemas and error classes.
    static func httpbinDefinition(baseURL: String) -> JSON {
        [
            "key": "httpbin-exec", "name": "httpbin for execution tests", "version": "1.0.0", "type": "rest_api",
            "baseUrl": "{config.baseUrl}",
            "configSchema": ["type": "object", "required": ["baseUrl"], "properties": ["baseUrl": ["type": "string"], "region": ["type": "string"]]],
            "defaultConfig": ["baseUrl": .string(baseURL), "region": "eu"],
            "healthCheck": "get",
            "methods": [
                [
                    "name": "get", "verb": "GET", "path": "/get",
                    "query": ["q": "{{params.q}}", "tag": "{{params.tags}}", "region": "{{config.region}}", "absent": "{{params.nothing}}"],
                    "headers": ["X-Trace": "trace-{{params.q}}"],
                    "paramSchema": ["type": "object", "properties": ["q": ["type": "string", "maxLength": 20], "tags": ["type": "array", "items": ["type": "string"]]]],
                    "resultSchema": ["type": "object", "required": ["url", "args"]],
                ],
                [
                    "name": "anything", "verb": "GET", "path": "/anything/{id}",
                    "paramSchema": ["type": "object", "required": ["id"], "properties": ["id": ["type": "string"]]],
                    "responseTransform": "{\"path\": $substringAfter(url, \"/anything/\"), \"method\": method}",
                ],
                [
                    "name": "post", "verb": "POST", "path": "/post",
                    "body": ["customer": ["name": "{{params.name}}", "age": "{{params.age}}"], "note": "for {{params.name}}", "missing": "{{params.none}}"],
                    "requestTransform": "$merge([$, {\"name\": $uppercase(name)}])",
                    "responseTransform": "json",
                    "paramSchema": ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"], "age": ["type": "integer"]]],
                    "logBodies": true,
                ],
                [
                    "name": "form", "verb": "POST", "path": "/post", "bodyEncoding": "form",
                    "body": ["email": "{{params.email}}", "metadata": ["plan": "pro"]], "responseTransform": "form",
                ],
                [
                    "name": "status", "verb": "GET", "path": "/status/{code}",
                    "paramSchema": ["type": "object", "required": ["code"], "properties": ["code": ["type": "integer"]]],
                ],
                [
                    "name": "delay", "verb": "GET", "path": "/delay/{seconds}", "timeoutMs": 300,
                    "paramSchema": ["type": "object", "required": ["seconds"], "properties": ["seconds": ["type": "integer"]]],
                ],
                ["name": "gzip", "verb": "GET", "path": "/gzip"],
                ["name": "randomBytes", "verb": "GET", "path": "/bytes/20000", "query": ["seed": "7"], "logBodies": true],
                ["name": "redirect", "verb": "GET", "path": "/redirect/2"],
                ["name": "bytes", "verb": "GET", "path": "/bytes/4096", "options": ["maxResponseBytes": 1000]],
                ["name": "wrongShape", "verb": "GET", "path": "/uuid", "resultSchema": ["type": "object", "required": ["id"]]],
                ["name": "html", "verb": "GET", "path": "/html"],
                [
                    "name": "decoded", "verb": "GET", "path": "/base64/{value}", "logBodies": true,
                    "paramSchema": ["type": "object", "required": ["value"], "properties": ["value": ["type": "string"]]],
                ],
            ],
        ]
    }

    func setUp(_ client: some TestClientProtocol) async throws -> String {
        let peer = try await SharedPeers.httpbin()
        let created = try await client.call(.post, "/v1/definitions?publish=true", json: Self.httpbinDefinition(baseURL: peer.baseURL))
        #expect(created.status == 201, "\(created.body)")
        let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin-exec", "name": "bin"])
        return c.body["id"]!.stringValue!
    }

    @Test(arguments: TestBackend.available)
    func successBuildsTheRequestFromTemplates(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: ["q": "a b&c", "tags": ["x", "y"]])
            #expect(r.status == 200, "\(r.body)")
            #expect(r.body["status"] == "SUCCESS")
            let args = r.body["data"]?["args"]
            #expect(args?["q"] == "a b&c")
            #expect(args?["tag"] == ["x", "y"])
            #expect(args?["region"] == "eu")
            #expect(args?["absent"] == nil)
            #expect(r.body["data"]?["headers"]?["X-Trace"] == "trace-a b&c")
            #expect(r.body["meta"]?["attempts"] == 1)
            #expect(r.body["meta"]?["executionId"]?.stringValue?.hasPrefix("exec_") == true)

            // (httpbin reports the decoded path; the encoding itself is checked in HTTPRequestBuilderTests.)
            let path = try await client.call(.post, "/v1/connections/\(id)/methods/anything", json: ["id": "a/b c"])
            #expect(path.body["data"]?["method"] == "GET")
            #expect(path.body["data"]?["path"]?.stringValue?.hasPrefix("a/b") == true)

            let post = try await client.call(.post, "/v1/connections/\(id)/methods/post", json: ["name": "ada", "age": 36])
            #expect(post.body["data"] == ["customer": ["name": "ADA", "age": 36], "note": "for ADA"])
            let form = try await client.call(.post, "/v1/connections/\(id)/methods/form", json: ["email": "a+b@example.com"])
            #expect(form.body["data"] == ["email": "a+b@example.com", "metadata[plan]": "pro"])

            #expect(try await client.call(.post, "/v1/connections/\(id)/methods/gzip").body["data"]?["gzipped"] == true)
            #expect(try await client.call(.post, "/v1/connections/\(id)/methods/redirect").body["data"]?["url"]?.stringValue?.hasSuffix("/get") == true)
            #expect(try await client.call(.post, "/v1/connections/\(id)/methods/html").body["data"]?.stringValue?.contains("Herman Melville") == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func everyErrorClassHasItsCodeAndStatus(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            func expectError(_ method: String, _ params: JSON, status: Int, code: String) async throws {
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/\(method)", json: params)
                #expect(r.status == status, "\(method): \(r.body)")
                #expect(r.body["status"] == "ERROR")
                #expect(r.body["error"]?["code"] == .string(code), "\(method): \(r.body)")
            }
            try await expectError("get", ["q": 5], status: 422, code: "VALIDATION_ERROR")
            try await expectError("status", ["code": 500], status: 502, code: "UPSTREAM_ERROR")
            try await expectError("status", ["code": 404], status: 502, code: "UPSTREAM_NOT_FOUND")
            try await expectError("status", ["code": 400], status: 502, code: "UPSTREAM_CLIENT_ERROR")
            try await expectError("status", ["code": 401], status: 502, code: "UPSTREAM_AUTH_ERROR")
            try await expectError("status", ["code": 429], status: 429, code: "RATE_LIMIT_EXCEEDED")
            try await expectError("delay", ["seconds": 3], status: 504, code: "ATTEMPT_TIMEOUT")
            try await expectError("bytes", [:], status: 502, code: "RESPONSE_TOO_LARGE")
            try await expectError("wrongShape", [:], status: 502, code: "RESULT_VALIDATION_ERROR")
            try await expectError("nope", [:], status: 404, code: "METHOD_NOT_FOUND")
            let missing = try await client.call(.post, "/v1/connections/conn_00000000-0000-7000-8000-000000000000/methods/get", json: [:])
            #expect(missing.status == 404)
            #expect(missing.body["error"]?["code"] == "CONNECTION_NOT_FOUND")
            let notObject = try await client.call(.post, "/v1/connections/\(id)/methods/get", raw: "[1]", contentType: "application/json")
            #expect(notObject.status == 422)
        }
    }

    /// A NUL character is logged as U+FFFD: a method name from the path (`ge%00t`) and a provider's body. PostgreSQL's
    /// text holds no NUL, and the batch that held one was refused and retried forever, every later call unlogged.
    @Test(arguments: TestBackend.available)
    func aNULCharacterDoesNotStopTheExecutionsLog(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let misnamed = try await client.call(.post, "/v1/connections/\(id)/methods/ge%00t", json: [:])
            #expect(misnamed.status == 404)
            #expect(misnamed.body["error"]?["code"] == "METHOD_NOT_FOUND")
            // httpbin decodes "AEEA" to the three bytes NUL, "A", NUL (text/html): the data and the logged body.
            let decoded = try await client.call(.post, "/v1/connections/\(id)/methods/decoded", json: ["value": "AEEA"])
            #expect(decoded.body["data"] == "\u{0}A\u{0}", "\(decoded.body)")
            #expect(try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:]).status == 200)

            let items = try await client.call(.get, "/v1/executions?connectionId=\(id)").body["items"]?.arrayValue ?? []
            #expect(items.map { $0["method"] } == ["get", "decoded", "ge\u{FFFD}t"])
            #expect(items.last?["errorMessage"]?.stringValue?.contains("'ge\u{FFFD}t'") == true, "\(items)")
            #expect(items.dropFirst().first?["responseBody"] == "\u{FFFD}A\u{FFFD}")
            let events = try await client.call(.get, "/v1/events?type=integration.method.*&connectionId=\(id)").body["items"]?.arrayValue ?? []
            #expect(events.count == 3)
            #expect(events.last?["payload"]?["method"] == "ge\u{FFFD}t", "\(events)")
            // A NUL in a filter or an id reads as U+FFFD on both engines (PostgreSQL answered 400 INVALID_VALUE, SQLite 200).
            let filtered = try await client.call(.get, "/v1/executions?connectionId=\(id)&method=ge%00t")
            #expect(filtered.status == 200, "\(filtered.body)")
            #expect(filtered.body["items"]?.arrayValue?.map { $0["method"] } == ["ge\u{FFFD}t"], "\(filtered.body)")
            #expect(try await client.call(.get, "/v1/events?type=%00").body["items"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/v1/executions/%00").status == 404)
            #expect(try await client.call(.get, "/v1/connections/x%00").status == 404)
        }
    }

    /// The log's batch writer: a batch the store refuses for good is written in halves, and only the item it refuses is
    /// dropped (counted in the log); a failure that is not permanent keeps every item for the next flush; what is still
    /// unwritten at shutdown is dropped and counted. Before, one refused item was retried with its batch for ever.
    @Test func aRefusedItemIsDroppedAloneAndAnOutageKeepsTheBatch() async throws {
        struct Refused: Error {}
        struct Unavailable: Error {}
        let written = Mutex<[Int]>([])
        let isDown = Atomic<Bool>(false)
        let logs = CapturedLogs()
        let writer = BatchWriter<Int>(name: "test", configuration: .init(isPermanent: { $0 is Refused }), logger: logs.logger) { items in
            if isDown.load(ordering: .relaxed) { throw Unavailable() }
            if items.contains(13) { throw Refused() }
            written.withLock { $0 += items }
        }
        for i in 1...20 { writer.append(i) }
        await writer.flush()
        #expect(written.withLock { $0 } == Array(1...20).filter { $0 != 13 })
        #expect(writer.pendingCount == 0)
        let logged = { (message: String, count: Int) in
            logs.all.split(separator: "\n").contains { $0.contains(message) && $0.contains("\"count\": \(count)") }
        }
        #expect(logged("dropped items the store refused", 1), "\(logs.all)")

        isDown.store(true, ordering: .relaxed)
        for i in 21...25 { writer.append(i) }
        await writer.flush()
        #expect(writer.pendingCount == 5)
        isDown.store(false, ordering: .relaxed)
        await writer.flush()
        #expect(written.withLock { $0 }.suffix(5) == [21, 22, 23, 24, 25])

        isDown.store(true, ordering: .relaxed)
        for i in 26...28 { writer.append(i) }
        await writer.close()
        #expect(writer.pendingCount == 0)
        #expect(logged("dropped unwritten items at shutdown", 3), "\(logs.all)")
    }

    /// An outage is logged when it starts, again only once per `outageLogInterval`, and when writes resume: the writer
    /// used to log an error on every failed tick (twenty a second per writer for as long as the database was down).
    @Test func anOutageIsLoggedOnceAndItsEndToo() async {
        struct Unavailable: Error {}
        let isDown = Atomic<Bool>(true)
        let logs = CapturedLogs()
        let writer = BatchWriter<Int>(name: "test", logger: logs.logger) { _ in
            if isDown.load(ordering: .relaxed) { throw Unavailable() }
        }
        writer.append(1)
        for _ in 0..<20 { await writer.flush() }
        func lines(_ message: String) -> [Substring] { logs.all.split(separator: "\n").filter { $0.contains(message) } }
        #expect(lines("batch write failed; will retry").count == 1, "\(logs.all)")
        #expect(lines("still failing").isEmpty, "\(logs.all)")
        isDown.store(false, ordering: .relaxed)
        await writer.flush()
        #expect(writer.pendingCount == 0)
        #expect(lines("batch writes resumed").count == 1, "\(logs.all)")
        #expect(lines("batch writes resumed").first?.contains("\"failures\": 20") == true, "\(logs.all)")

        // A continuing outage is logged again once the interval has passed (here at once), with its count so far.
        let again = CapturedLogs()
        let loud = BatchWriter<Int>(name: "test", configuration: .init(outageLogInterval: .zero), logger: again.logger) { _ in throw Unavailable() }
        loud.append(1)
        for _ in 0..<3 { await loud.flush() }
        let still = again.all.split(separator: "\n").filter { $0.contains("batch writes still failing") }
        #expect(still.count == 2, "\(again.all)")
        #expect(still.last?.contains("\"failures\": 3") == true, "\(again.all)")
    }

    /// The wait between writes during an outage doubles per failure from the interval, up to the cap.
    @Test func theRetryDelayBacksOffToItsCap() {
        let delay = { OutageLog.retryDelay(failures: $0, interval: .milliseconds(50), cap: .seconds(5)) }
        #expect([0, 1, 2, 3, 6, 7, 100, Int.max].map(delay) == [
            .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(3200), .seconds(5), .seconds(5),
            .seconds(5),
        ])
        #expect(OutageLog.retryDelay(failures: 5, interval: .seconds(10), cap: .seconds(5)) == .seconds(10))
    }

    /// At shutdown a database that does not answer holds the log's last write back for `close(within:)`'s limit only:
    /// the write is cancelled, and what it held dropped and counted. Shutdown used to wait as long as the database did
    /// (PostgreSQL's pool keeps a request for a server that is down waiting about a minute).
    @Test func closingGivesUpOnADatabaseThatDoesNotAnswer() async {
        let logs = CapturedLogs()
        let writer = BatchWriter<Int>(name: "test", logger: logs.logger) { _ in try await Task.sleep(for: .seconds(30)) }
        for i in 1...4 { writer.append(i) }
        let started = ContinuousClock.now
        await writer.close(within: .milliseconds(100))
        #expect(ContinuousClock.now - started < .seconds(15))  // far from the write's 30 s, on a busy machine too
        #expect(writer.pendingCount == 0)
        let lines = logs.all.split(separator: "\n")
        #expect(lines.contains { $0.contains("dropped unwritten items at shutdown") && $0.contains("\"count\": 4") }, "\(logs.all)")
    }

    /// With the database unavailable (here closed) and the connection not cached, a call answers 503
    /// `DATABASE_UNAVAILABLE` in its envelope, as a connection test does, instead of a 500 `INTERNAL_ERROR`.
    @Test func aCallWhileTheDatabaseIsUnavailableAnswers503() async throws {
        try await TestBackend.sqlite.withDatabase { db, _ in
            let services = AppServices(store: Store(database: db), schemas: makeSchemaChecker(), cacheTTL: .zero, logger: Logger(label: "test"))
            let (router, _) = buildRouter(services: services, configuration: ServerConfiguration())
            try await Application(router: router).test(.router) { client in
                let id = try await setUp(client)
                #expect(try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:]).status == 200)
                try await db.close()
                let call = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
                #expect(call.status == 503, "\(call.body)")
                #expect(call.body["status"] == "ERROR")
                #expect(call.body["error"]?["code"] == "DATABASE_UNAVAILABLE")
                let test = try await client.call(.post, "/v1/connections/\(id)/test")
                #expect(test.status == 503, "\(test.body)")
                #expect(test.body["error"]?["code"] == "DATABASE_UNAVAILABLE")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func executionsEventsAndLastUsedAreRecorded(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let ok = try await client.call(.post, "/v1/connections/\(id)/methods/post", json: ["name": "ada"])
            let failed = try await client.call(.post, "/v1/connections/\(id)/methods/status", json: ["code": 503])
            let okId = ok.body["meta"]!["executionId"]!.stringValue!
            let record = try await client.call(.get, "/v1/executions/\(okId)").body
            #expect(record["status"] == "SUCCESS")
            #expect(record["method"] == "post")
            #expect(record["httpStatus"] == 200)
            #expect((record["requestBytes"]?.numberValue ?? 0) > 0)
            #expect((record["responseBytes"]?.numberValue ?? 0) > 0)
            #expect(record["requestBody"]?.stringValue?.contains("ADA") == true)  // the method opts in to bodies

            let errors = try await client.call(.get, "/v1/executions?connectionId=\(id)&status=ERROR").body
            #expect(errors["items"]?.arrayValue?.map { $0["id"] } == [failed.body["meta"]!["executionId"]!])
            #expect(errors["items"]?[0]?["errorCode"] == "UPSTREAM_ERROR")
            #expect(errors["items"]?[0]?["requestBody"] == .null)

            let all = try await client.call(.get, "/v1/executions?method=post").body
            #expect(all["items"]?.arrayValue?.count == 1)

            let events = try await client.call(.get, "/v1/events?type=integration.method.*&connectionId=\(id)").body
            #expect(Set(events["items"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []) == ["integration.method.executed", "integration.method.failed"])
            // The prefix is literal and case-sensitive on both engines (it was a LIKE pattern: `_` matched any character,
            // and SQLite ignored case).
            // until (exclusive), as on the executions log: it was ignored, and everything listed.
            #expect(try await client.call(.get, "/v1/events?connectionId=\(id)&until=2020-01-01T00:00:00Z").body["items"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/v1/events?connectionId=\(id)&until=2999-01-01T00:00:00Z").body["items"]?.arrayValue?.count == events["items"]?.arrayValue?.count)
            #expect(try await client.call(.get, "/v1/events?until=soon").body["error"]?["code"] == "INVALID_PARAMETER")
            for pattern in ["integration_method*", "INTEGRATION.METHOD.*", "____________________*", "integration%25*"] {
                let none = try await client.call(.get, "/v1/events?type=\(pattern)&connectionId=\(id)")
                #expect(none.status == 200)
                #expect(none.body["items"]?.arrayValue?.isEmpty == true, "\(pattern): \(none.body)")
            }
            let failedEvent = try await client.call(.get, "/v1/events?type=integration.method.failed").body["items"]?[0]
            #expect(failedEvent?["payload"]?["errorCode"] == "UPSTREAM_ERROR")
            #expect(failedEvent?["payload"]?["executionId"] == failed.body["meta"]!["executionId"]!)
            // One duration, to the microsecond, in the answer, the log and the event.
            let failedRecord = try await client.call(.get, "/v1/executions/\(failed.body["meta"]!["executionId"]!.stringValue!)").body
            #expect(failedEvent?["payload"]?["durationMs"] == failed.body["meta"]?["durationMs"], "\(failedEvent ?? .null)")
            #expect(failedRecord["durationMs"] == failed.body["meta"]?["durationMs"], "\(failedRecord)")

            let connection = try await client.call(.get, "/v1/connections/\(id)").body
            #expect(connection["lastUsedAt"]?.stringValue != nil)
        }
    }

    /// A connection test runs its own call as if the connection were CONNECTED, and only its call: the other calls on an
    /// AUTH_ERROR connection meanwhile are refused (409), as before and after it. The test used to put a CONNECTED copy
    /// of the connection in the shared cache, so every call during it ran.
    @Test(arguments: TestBackend.available)
    func aConnectionTestDoesNotLetOtherCallsRun(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let peer = try await SharedPeers.httpbin()
            let definition: JSON = [
                "key": "httpbin-tested", "name": "tested", "version": "1.0.0", "type": "rest_api", "baseUrl": .string(peer.baseURL),
                "auth": ["type": "api_key", "apiKey": ["in": "header", "name": "X-Key"]],
                "configSchema": ["type": "object", "properties": ["check": ["type": "string"], "arg": ["type": "string"]]],
                "healthCheck": "check",
                "methods": [["name": "check", "verb": "GET", "path": "/{config.check}/{config.arg}"], ["name": "get", "verb": "GET", "path": "/get"]],
            ]
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: definition).status == 201)
            let created = try await client.call(
                .post, "/v1/connections", json: ["definitionKey": "httpbin-tested", "name": "t", "config": ["check": "status", "arg": "401"]])
            let id = try #require(created.body["id"]?.stringValue)
            #expect(try await client.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "api_key", "key": "key-1"]).status == 200)
            let refusedTest = try await client.call(.post, "/v1/connections/\(id)/test")
            #expect(refusedTest.body["connection"]?["status"] == "AUTH_ERROR", "\(refusedTest.body)")
            #expect(try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["check": "delay", "arg": "1"]]).status == 200)

            // The health check now takes a second; calls made meanwhile are refused, every one.
            final class Flag: Sendable { let isSet = Mutex(false) }
            let done = Flag()
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask {
                    let tested = try await client.call(.post, "/v1/connections/\(id)/test")
                    #expect(tested.body["connection"]?["status"] == "CONNECTED", "\(tested.body)")
                    done.isSet.withLock { $0 = true }
                    return []
                }
                group.addTask {
                    var statuses: [Int] = []
                    while !done.isSet.withLock({ $0 }) {
                        statuses.append(try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:]).status)
                    }
                    return statuses
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.filter { $0 == 409 }.count > 1)
            #expect(statuses.allSatisfy { $0 == 409 || $0 == 200 }, "\(statuses)")
            // A call ran only once the health check had answered (the test then saved CONNECTED): none started before.
            let check = try #require(try await client.call(.get, "/v1/executions?connectionId=\(id)&method=check&limit=1").body["items"]?[0])
            let checkStart = try #require(check["createdAt"]?.stringValue.flatMap(Timestamp.init(iso8601:)))
            let checkEnd = Double(checkStart.millisecondsSinceEpoch) + (check["durationMs"]?.numberValue ?? 0)
            let ran =
                try await client.call(.get, "/v1/executions?connectionId=\(id)&method=get&status=SUCCESS&limit=200").body["items"]?.arrayValue ?? []
            for r in ran {
                let started = try #require(r["createdAt"]?.stringValue.flatMap(Timestamp.init(iso8601:)))
                #expect(Double(started.millisecondsSinceEpoch) >= checkEnd - 1, "a call ran during the test: \(r)")
            }
            #expect(try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:]).status == 200)
        }
    }

    @Test(arguments: TestBackend.available)
    func connectionTestAndUsability(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let tested = try await client.call(.post, "/v1/connections/\(id)/test")
            #expect(tested.status == 200)
            #expect(tested.body["success"] == true)
            #expect(tested.body["connection"]?["status"] == "CONNECTED")

            // A definition that needs credentials: its new connection is PENDING_AUTHENTICATION and cannot run methods.
            var d = Self.httpbinDefinition(baseURL: try await SharedPeers.httpbin().baseURL)
            d["key"] = "httpbin-bearer"
            d["auth"] = ["type": "bearer"]
            try await client.call(.post, "/v1/definitions?publish=true", json: d)
            let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin-bearer", "name": "needs auth"]).body
            let refused = try await client.call(.post, "/v1/connections/\(c["id"]!.stringValue!)/methods/get", json: [:])
            #expect(refused.status == 409)
            #expect(refused.body["error"]?["code"] == "CONNECTION_NOT_USABLE")

            // Credentials make it CONNECTED through the vault, and the very next call runs: the engine's cached copy
            // of the connection (still PENDING_AUTHENTICATION) is dropped by that change, not after the cache's TTL.
            let put = try await client.call(.put, "/v1/connections/\(c["id"]!.stringValue!)/credentials", json: ["type": "bearer", "token": "tok-1-SECRET"])
            #expect(put.body["connectionStatus"] == "CONNECTED")
            let ran = try await client.call(.post, "/v1/connections/\(c["id"]!.stringValue!)/methods/get", json: [:])
            #expect(ran.status == 200, "\(ran.body)")
            #expect(ran.body["status"] == "SUCCESS")
            // httpbin echoes the request's headers: the caller gets the answer without the connection's secret.
            #expect(ran.body["data"]?["headers"]?["Authorization"] == "Bearer [REDACTED]")
            #expect(!ran.body.serialized().contains("tok-1-SECRET"))
        }
    }

    /// Tests of one connection at the same time all answer their outcome: the one that saves the status second reads
    /// the connection again (it answered 409 VERSION_CONFLICT although its health check had passed).
    @Test(arguments: TestBackend.available)
    func concurrentTestsOfAConnectionAllAnswer(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let definition: JSON = [
                "key": "httpbin-tested", "name": "tested", "version": "1.0.0", "type": "rest_api", "baseUrl": "{config.baseUrl}",
                "auth": ["type": "bearer"], "healthCheck": "check",
                "configSchema": ["type": "object", "properties": ["baseUrl": ["type": "string"], "endpoint": ["type": "string"], "arg": ["type": "string"]]],
                "defaultConfig": ["baseUrl": .string(try await SharedPeers.httpbin().baseURL), "endpoint": "status", "arg": "401"],
                "methods": [["name": "check", "verb": "GET", "path": "/{config.endpoint}/{config.arg}"]],
            ]
            #expect(try await client.call(.post, "/v1/definitions?publish=true", json: definition).status == 201)
            let id = try #require(try await client.call(.post, "/v1/connections", json: ["definitionKey": "httpbin-tested", "name": "t"]).body["id"]?.stringValue)
            #expect(try await client.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "bearer", "token": "tok-tested-1"]).status == 200)
            for round in 0..<3 {
                // A 401 makes the connection AUTH_ERROR; then the check passes, slowly enough for the tests to overlap.
                #expect(try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["endpoint": "status", "arg": "401"]]).status == 200)
                #expect(try await client.call(.post, "/v1/connections/\(id)/test").body["connection"]?["status"] == "AUTH_ERROR")
                #expect(try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["endpoint": "delay", "arg": "1"]]).status == 200)
                let answers = try await withThrowingTaskGroup(of: (Int, JSON).self) { group in
                    for _ in 0..<4 { group.addTask { let r = try await client.call(.post, "/v1/connections/\(id)/test"); return (r.status, r.body) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for (status, body) in answers {
                    #expect(status == 200, "round \(round): \(body)")
                    #expect(body["success"] == true, "round \(round): \(body)")
                    #expect(body["connection"]?["status"] == "CONNECTED", "round \(round): \(body)")
                }
            }
            // Each move is announced once, by the test that made it.
            func count(_ type: String) async throws -> Int {
                try await client.call(.get, "/v1/events?type=\(type)&connectionId=\(id)").body["items"]?.arrayValue?.filter { $0["payload"]?["via"] == "test" || $0["payload"]?["stage"] == "test" }.count ?? -1
            }
            #expect(
                try await waitUntil {
                    let (failed, connected) = (try await count("integration.auth.failed"), try await count("integration.connected"))
                    return failed == 3 && connected == 3
                })
        }
    }

    /// A cursor is good only for the listing that issued it: one from another listing, or one made up, is a 400
    /// `INVALID_CURSOR`. An events cursor passed to the executions log used to answer an empty last page (200), and a
    /// made-up position was taken as it came.
    @Test(arguments: TestBackend.available)
    func aCursorFromAnotherListingOrMadeUpIsRefused(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            for _ in 0..<2 { try await client.call(.post, "/v1/connections/\(id)/methods/status", json: ["code": 200]) }
            func cursor(_ path: String) async throws -> String {
                try #require(try await client.call(.get, path).body["nextCursor"]?.stringValue, "\(path)")
            }
            let executions = try await cursor("/v1/executions?connectionId=\(id)&limit=1")
            let events = try await cursor("/v1/events?connectionId=\(id)&limit=1")
            let issued = try #require(Cursor(decoding: executions).position.first)
            let refused: [(path: String, cursor: String)] = [
                ("/v1/executions", events), ("/v1/events", executions), ("/v1/connections", executions),
                ("/v1/executions", Cursor(position: ["zzz"]).encoded), ("/v1/executions", Cursor(position: [issued, "more"]).encoded),
            ]
            for (path, cursor) in refused {
                let r = try await client.call(.get, "\(path)?cursor=\(cursor)")
                #expect(r.status == 400, "\(path) \(cursor): \(r.body)")
                #expect(r.body["error"]?["code"] == "INVALID_CURSOR", "\(path) \(cursor): \(r.body)")
            }
            // The cursor each listing issued goes on to its next page.
            let next = try await client.call(.get, "/v1/executions?connectionId=\(id)&limit=1&cursor=\(executions)")
            #expect(next.status == 200, "\(next.body)")
            #expect(next.body["items"]?.arrayValue?.count == 1)
            #expect(next.body["items"]?[0]?["id"] != issued)
            #expect(try await client.call(.get, "/v1/events?connectionId=\(id)&limit=1&cursor=\(events)").status == 200)
        }
    }

    @Test(arguments: TestBackend.available)
    func bodiesThatAreNotParametersGetTheExecutionEnvelope(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let cases: [(raw: String, type: String, status: Int, code: String)] = [
                ("{bad", "application/json", 400, "MALFORMED_BODY"),
                ("[1, 2]", "application/json", 422, "VALIDATION_ERROR"),
                ("q=1", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"),
                // Bodies are read as UTF-8: another charset is refused, not misread.
                ("{}", "application/json; charset=utf-16", 415, "UNSUPPORTED_MEDIA_TYPE"),
                ("{}", "application/json;charset=\"ISO-8859-1\"", 415, "UNSUPPORTED_MEDIA_TYPE"),
                ("{}", "application/json; charset=\"UTF-8\"", 200, ""),
                // An integer a double would change reaches no provider.
                ("{\"id\": 1234567890123456789}", "application/json", 422, "VALIDATION_ERROR"),
            ]
            for c in cases {
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/get", raw: c.raw, contentType: c.type)
                #expect(r.status == c.status, "\(c.raw)")
                if c.status == 200 { continue }
                #expect(r.body["status"] == "ERROR", "\(c.raw)")
                #expect(r.body["error"]?["code"] == .string(c.code), "\(c.raw)")
                if c.type.contains("charset") { #expect(r.body["error"]?["message"]?.stringValue?.contains("read as UTF-8") == true, "\(r.body)") }
            }
        }
    }

    /// A connection with an API key, in the query or in a header of its own name, against httpbin.
    func apiKeyConnection(_ client: some TestClientProtocol, in placement: String, key: String) async throws -> String {
        let definitionKey = "httpbin-key-\(placement)"
        let definition: JSON = [
            "key": .string(definitionKey), "name": "httpbin with an API key", "version": "1.0.0", "type": "rest_api", "baseUrl": "{config.baseUrl}",
            "auth": ["type": "api_key", "apiKey": ["in": .string(placement), "name": "X-My-Key"]],
            "configSchema": ["type": "object", "required": ["baseUrl"], "properties": ["baseUrl": ["type": "string"]]],
            "defaultConfig": ["baseUrl": .string(try await SharedPeers.httpbin().baseURL)],
            "methods": [
                ["name": "anything", "verb": "GET", "path": "/anything", "logBodies": true],
                ["name": "redirect", "verb": "GET", "path": "/redirect-to", "query": ["url": "{{params.url}}"]],
                // The echoed URL (holding a query key) and the echoed key itself as members' names.
                [
                    "name": "keyed", "verb": "GET", "path": "/anything",
                    "responseTransform": "{url: 1, $join([headers.`X-My-Key`, args.`X-My-Key`]): 2}",
                ],
                // Transforms that would hand the echoed key back in forms its redaction does not recognise.
                [
                    "name": "encoded", "verb": "GET", "path": "/anything",
                    "responseTransform": "{'b64': $base64encode(headers.`X-My-Key`), 'up': $uppercase(headers.`X-My-Key`), 'cut': $substring(headers.`X-My-Key`, 2)}",
                ],
                ["name": "thrown", "verb": "GET", "path": "/anything", "responseTransform": "$error($base64encode(headers.`X-My-Key`))"],
            ],
        ]
        #expect(try await client.call(.post, "/v1/definitions?publish=true", json: definition).status == 201)
        let id = try await client.call(.post, "/v1/connections", json: ["definitionKey": .string(definitionKey), "name": "keyed"]).body["id"]!.stringValue!
        let put = try await client.call(.put, "/v1/connections/\(id)/credentials", json: ["type": "api_key", "key": .string(key)])
        #expect(put.status == 200, "\(put.body)")
        return id
    }

    @Test(arguments: TestBackend.available)
    func aSecretEchoedEncodedIsRedactedInTheAnswerAndTheLog(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            // httpbin answers with the URL re-encoded ("/" kept, "+" and "=" encoded), the arguments decoded, and
            // non-ASCII, quotes and backslashes JSON-escaped in its raw body (which the executions log keeps).
            let key = #"AbC/dEf+GhI=Zq92é"\ x"#
            let id = try await apiKeyConnection(client, in: "query", key: key)
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/anything", json: [:])
            #expect(r.status == 200, "\(r.body)")
            #expect(r.body["data"]?["args"]?["X-My-Key"] == "[REDACTED]")
            #expect(r.body["data"]?["url"]?.stringValue?.hasSuffix("?X-My-Key=[REDACTED]") == true, "\(r.body)")
            let executionId = try #require(r.body["meta"]?["executionId"]?.stringValue)
            #expect(try await waitUntil { try await client.call(.get, "/v1/executions/\(executionId)").status == 200 })
            let logged = try await client.call(.get, "/v1/executions/\(executionId)").body
            let body = try #require(logged["responseBody"]?.stringValue)
            #expect(body.contains("[REDACTED]"))
            // "Zq92" is inside the secret: no form of it, encoded or escaped, is left anywhere.
            for text in [r.body.serialized(), logged.serialized()] { #expect(!text.contains("Zq92"), "\(text)") }
        }
    }

    /// Member names are redacted like values: a response transform that makes a name of an echoed secret does not
    /// hand it to the caller.
    @Test(arguments: TestBackend.available)
    func aSecretInAMembersNameIsRedacted(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            for placement in ["query", "header"] {
                let key = "key-in-a-name-Zq71-\(placement)"
                let id = try await apiKeyConnection(client, in: placement, key: key)
                let r = try await client.call(.post, "/v1/connections/\(id)/methods/keyed", json: [:])
                #expect(r.status == 200, "\(r.body)")
                let names = r.body["data"]?.objectValue?.keys ?? []
                #expect(names.contains { $0.contains("[REDACTED]") }, "\(r.body)")
                #expect(!r.body.serialized().contains("Zq71"), "\(r.body)")
            }
        }
    }

    /// A response transform reads the answer redacted (as it does when the answer comes from the cache): base64,
    /// upper case or a substring of an echoed secret would not be recognised in its result. The key was handed back
    /// base64-encoded in `data`, in the error message of `$error`, and from there in the log and the event.
    @Test(arguments: TestBackend.available)
    func aResponseTransformCannotHandTheSecretBack(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let key = "transform-key-Zq81"
            let id = try await apiKeyConnection(client, in: "header", key: key)
            let forms = [key, String(key.dropFirst(2)), key.uppercased(), Data(key.utf8).base64EncodedString()]
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/encoded", json: [:])
            #expect(r.status == 200, "\(r.body)")
            #expect(r.body["data"]?["b64"] == .string(Data("[REDACTED]".utf8).base64EncodedString()), "\(r.body)")
            #expect(r.body["data"]?["up"] == "[REDACTED]")
            let thrown = try await client.call(.post, "/v1/connections/\(id)/methods/thrown", json: [:])
            #expect(thrown.body["error"]?["code"] == "TRANSFORM_ERROR", "\(thrown.body)")
            let executionId = try #require(thrown.body["meta"]?["executionId"]?.stringValue)
            #expect(try await waitUntil { try await client.call(.get, "/v1/executions/\(executionId)").status == 200 })
            let logged = try await client.call(.get, "/v1/executions/\(executionId)").body
            let events = try await client.call(.get, "/v1/events?connectionId=\(id)").body
            for text in [r.body.serialized(), thrown.body.serialized(), logged.serialized(), events.serialized()] {
                for form in forms { #expect(!text.contains(form), "\(form) in \(text)") }
            }
        }
    }

    /// The header values of custom credentials (`values.headers`) are secrets like the others: echoed back, they are
    /// redacted in the answer and the log (they were not: only top-level values were looked for).
    @Test(arguments: TestBackend.available)
    func aCustomCredentialsHeaderValueIsRedacted(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await apiKeyConnection(client, in: "header", key: "unused-key-1")
            let put = try await client.call(
                .put, "/v1/connections/\(id)/credentials", json: ["type": "custom", "values": ["headers": ["X-Custom": "custom-hdr-Zq64"], "top": "custom-top-Zq66"]])
            #expect(put.status == 200, "\(put.body)")
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/anything", json: [:])
            #expect(r.status == 200, "\(r.body)")
            #expect(r.body["data"]?["headers"]?["X-Custom"] == "[REDACTED]", "\(r.body)")
            let executionId = try #require(r.body["meta"]?["executionId"]?.stringValue)
            #expect(try await waitUntil { try await client.call(.get, "/v1/executions/\(executionId)").status == 200 })
            let logged = try await client.call(.get, "/v1/executions/\(executionId)").body
            #expect(logged["responseBody"]?.stringValue?.contains("[REDACTED]") == true, "\(logged)")
            for text in [r.body.serialized(), logged.serialized()] { #expect(!text.contains("Zq64"), "\(text)") }
        }
    }

    /// A logged body holding NUL characters stays within 8 KiB: NUL becomes U+FFFD (3 bytes) before the cut (it was
    /// replaced after it, 8,192 + 2 per NUL bytes).
    @Test(arguments: TestBackend.available)
    func aLoggedBodyWithNULsStaysWithinTheLimit(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/randomBytes", json: [:])
            #expect(r.status == 200, "\(r.body)")
            let executionId = try #require(r.body["meta"]?["executionId"]?.stringValue)
            #expect(try await waitUntil { try await client.call(.get, "/v1/executions/\(executionId)").status == 200 })
            let body = try #require(try await client.call(.get, "/v1/executions/\(executionId)").body["responseBody"]?.stringValue)
            #expect(body.utf8.count <= 8192 && body.utf8.count > 8000, "\(body.utf8.count)")
            #expect(body.contains("\u{FFFD}"))
        }
    }

    /// A call whose request cannot be built (a path parameter `..`) sent nothing: no attempt is counted.
    @Test(arguments: TestBackend.available)
    func aRequestThatCannotBeBuiltIsNoAttempt(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/anything", json: ["id": ".."])
            #expect(r.status == 422, "\(r.body)")
            #expect(r.body["meta"]?["attempts"] == 0, "\(r.body)")
            let sent = try await client.call(.post, "/v1/connections/\(id)/methods/anything", json: ["id": "x"])
            #expect(sent.body["meta"]?["attempts"] == 1, "\(sent.body)")
        }
    }

    @Test(arguments: TestBackend.available)
    func anAPIKeyHeaderIsNotSentToAnotherOriginOnARedirect(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await apiKeyConnection(client, in: "header", key: "hdr-key-Zq55")
            let port = try #require(URL(string: try await SharedPeers.httpbin().baseURL)?.port)
            let same = try await client.call(.post, "/v1/connections/\(id)/methods/redirect", json: ["url": "/headers"])
            #expect(same.body["data"]?["headers"]?["X-My-Key"] == "[REDACTED]", "\(same.body)")  // sent, and hidden in the answer
            let other = try await client.call(.post, "/v1/connections/\(id)/methods/redirect", json: ["url": .string("http://localhost:\(port)/headers")])
            #expect(other.status == 200, "\(other.body)")
            #expect(other.body["data"]?["headers"]?["X-My-Key"] == nil, "\(other.body)")
        }
    }

    @Test(arguments: TestBackend.available)
    func theLogIsNewestFirstByCreatedAtWhenCallsOverlap(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            // A slow call (times out after 300 ms) starts first; a fast one starts and ends while it runs.
            async let slow = client.call(.post, "/v1/connections/\(id)/methods/delay", json: ["seconds": 2])
            try await Task.sleep(for: .milliseconds(100))
            let fast = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
            #expect(fast.status == 200)
            #expect(try await slow.status == 504)
            var items: [JSON] = []
            #expect(
                try await waitUntil {
                    items = try await client.call(.get, "/v1/executions?connectionId=\(id)").body["items"]?.arrayValue ?? []
                    return items.count == 2
                })
            #expect(items.map { $0["method"] } == ["get", "delay"])  // newest start first
            let created = items.compactMap { $0["createdAt"]?.stringValue }
            #expect(created.count == 2 && created[0] > created[1], "\(created)")
        }
    }

    @Test(arguments: TestBackend.available)
    func pathParametersArePercentDecoded(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let encoded = id.replacingOccurrences(of: "_", with: "%5F")
            let r = try await client.call(.post, "/v1/connections/\(encoded)/methods/g%65t", json: [:])
            #expect(r.status == 200, "\(r.body)")
            let unknown = try await client.call(.post, "/v1/connections/\(id)/methods/get%3Fx%3D1", json: [:])
            #expect(unknown.body["error"]?["message"]?.stringValue?.contains("'get?x=1'") == true, "\(unknown.body)")
        }
    }

    /// An answer names an execution only if the executions log has it: a call on a connection that does not exist is
    /// not logged, so its answer has no `meta`; a call on a method that does not exist is, and can be read back.
    @Test(arguments: TestBackend.available)
    func anAnswerNamesOnlyAnExecutionThatIsLogged(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let unknown = try await client.call(.post, "/v1/connections/conn_nope/methods/get", json: [:])
            #expect(unknown.status == 404)
            #expect(unknown.body["error"]?["code"] == "CONNECTION_NOT_FOUND")
            #expect(unknown.body["meta"] == nil, "\(unknown.body)")
            let noMethod = try await client.call(.post, "/v1/connections/\(id)/methods/nope", json: [:])
            #expect(noMethod.body["error"]?["code"] == "METHOD_NOT_FOUND")
            let executionId = try #require(noMethod.body["meta"]?["executionId"]?.stringValue, "\(noMethod.body)")
            #expect(try await waitUntil { try await client.call(.get, "/v1/executions/\(executionId)").status == 200 })
        }
    }

    /// `retryAfter` is set only when the wait is known: httpbin's 429 sends no `Retry-After`, so the answer has none.
    @Test(arguments: TestBackend.available)
    func aProviders429WithoutRetryAfterHasNoRetryAfter(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let r = try await client.call(.post, "/v1/connections/\(id)/methods/status", json: ["code": 429])
            #expect(r.status == 429, "\(r.body)")
            #expect(r.body["error"]?["code"] == "RATE_LIMIT_EXCEEDED")
            #expect(r.body["error"]?["details"]?[0]?["status"] == 429, "\(r.body)")
            #expect(r.body["error"]?.objectValue?.keys.contains("retryAfter") == false, "\(r.body)")
            #expect(r.headers[.retryAfter] == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func changesAreSeenAtOnce(_ backend: TestBackend) async throws {
        try await withApp(backend) { client in
            let id = try await setUp(client)
            let first = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
            #expect(first.body["data"]?["args"]?["region"] == "eu")
            try await client.call(.patch, "/v1/connections/\(id)", json: ["config": ["region": "us"]])
            let second = try await client.call(.post, "/v1/connections/\(id)/methods/get", json: [:])
            #expect(second.body["data"]?["args"]?["region"] == "us")
        }
    }
}
