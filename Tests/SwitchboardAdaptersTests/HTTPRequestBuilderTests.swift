import JSONValue
import Logging
import SwitchboardAdapters
import SwitchboardCore
import Testing

/// Request building from templates: encoding, omission, arrays, bodies and auth injection, without a network.
@Suite struct HTTPRequestBuilderTests {
    func request(
        _ method: DefinitionMethod, params: JSON, config: JSONObject = ["baseUrl": "https://api.example.com/"], auth: AuthSettings = AuthSettings(type: .none),
        credentials: Credentials? = nil, baseUrl: String = "{config.baseUrl}"
    ) throws -> HTTPRequestSpec {
        var definition = try DefinitionCodec(schemas: StructuralSchemaChecker()).decode(["key": "k", "name": "K", "version": "1.0.0", "baseUrl": .string(baseUrl)])
        definition.auth = auth
        let compiled = try CompiledMethod(method, baseURL: definition.baseURL)
        return try HTTPRequestBuilder.build(
            AdapterRequest(definition: definition, method: compiled, connectionId: "c", config: config, params: params, credentials: credentials, timeout: .seconds(1), logger: Logger(label: "t")))
    }

    @Test func encodesPathSegmentsAndQueryValues() throws {
        var m = DefinitionMethod(name: "m", verb: .GET, path: "/users/{id}/items")
        m.query = ["q": "{{params.q}}", "tag": "{{params.tags}}", "none": "{{params.missing}}", "fixed": "v 1"]
        let spec = try request(m, params: ["id": "a/b c?d", "q": "x&y=z", "tags": ["a", "b"]])
        #expect(spec.url == "https://api.example.com/users/a%2Fb%20c%3Fd/items?fixed=v%201&q=x%26y%3Dz&tag=a&tag=b")
        #expect(spec.body == nil)
    }

    /// A baseUrl's own query goes after the method's path (it was glued before it: `/base?x=1/items`), before the
    /// method's query and an API key sent in the query; a fragment is refused (it cut the method's path off).
    @Test func aBaseURLsQueryIsKeptAfterThePathAndAFragmentIsRefused() throws {
        var m = DefinitionMethod(name: "m", verb: .GET, path: "/items/{id}")
        m.query = ["q": "{{params.q}}"]
        let key = AuthSettings(type: .apiKey, apiKeyPlacement: .query, apiKeyName: "api_key")
        let spec = try request(
            m, params: ["id": "7", "q": "a b"], config: ["baseUrl": "https://api.example.com/v1/?api-version=2024-01-01"], auth: key,
            credentials: Credentials(type: .apiKey, fields: ["key": "key-1"]))
        #expect(spec.url == "https://api.example.com/v1/items/7?api-version=2024-01-01&q=a%20b&api_key=key-1")
        #expect(spec.credentialQuery == ["api_key=key-1"])
        #expect(try request(m, params: ["id": "7"], config: ["baseUrl": "https://api.example.com?x=1"]).url == "https://api.example.com/items/7?x=1")
        #expect(throws: AdapterError(.connectionConfiguration, "the baseUrl taken from the connection's config may not have a fragment ('#')")) {
            try request(m, params: ["id": "7"], config: ["baseUrl": "https://api.example.com/v1#top"])
        }
        #expect(throws: AdapterError(.configuration, "the baseUrl may not have a fragment ('#')")) {
            try request(m, params: ["id": "7"], baseUrl: "https://api.example.com/v1#top")
        }
    }

    @Test func aNullParameterIsOmittedLikeAMissingOne() throws {
        var m = DefinitionMethod(name: "m", verb: .GET, path: "/x")
        m.query = ["q": "{{params.q}}", "page": "{{params.page}}"]
        m.headers = ["X-Trace": "{{params.trace}}"]
        let spec = try request(m, params: ["q": nil, "page": 2, "trace": nil])
        #expect(spec.url == "https://api.example.com/x?page=2")
        #expect(spec.header("X-Trace") == nil)
    }

    /// The signature syncs compare page requests by (`SYNC_PAGE_REPEATED`): the same for two requests that ask the same
    /// thing, whatever their credentials, idempotency key or the parameters no template reads; different when the URL,
    /// a header or the body differs.
    @Test func aRequestsSignatureIsTheSameForRequestsThatAskTheSameThing() throws {
        var m = DefinitionMethod(name: "m", verb: .GET, path: "/items")
        m.query = ["after": "{{params.after}}"]
        m.headers = ["X-Cursor": "{{params.cursor}}"]
        let bearer = AuthSettings(type: .bearer)
        func signature(_ params: JSON, token: String = "one") throws -> String {
            try request(m, params: params, auth: bearer, credentials: Credentials(type: .bearer, fields: ["token": token])).signature(excludingHeader: nil)
        }
        let first = try signature(["after": 1, "unread": "a"])
        #expect(try signature(["after": 1, "unread": "b"], token: "two") == first)
        #expect(try signature(["after": 2]) != first)
        #expect(try signature(["after": 1, "cursor": "c"]) != first)
        var keyed = try request(m, params: ["after": 1], auth: bearer, credentials: Credentials(type: .bearer, fields: ["token": "one"]))
        keyed.headers.append(("Idempotency-Key", "k-1"))
        #expect(keyed.signature(excludingHeader: "idempotency-key") == first)
        #expect(keyed.signature(excludingHeader: nil) != first)
        let post = DefinitionMethod(name: "p", verb: .POST, path: "/search")
        #expect(try request(post, params: ["page": 1]).signature(excludingHeader: nil) != (try request(post, params: ["page": 2]).signature(excludingHeader: nil)))
        #expect(try request(post, params: ["page": 1]).signature(excludingHeader: nil) == (try request(post, params: ["page": 1]).signature(excludingHeader: nil)))
    }

    @Test func missingPathParameterIsAnError() throws {
        let m = DefinitionMethod(name: "m", verb: .GET, path: "/users/{id}")
        #expect(throws: AdapterError.self) { try request(m, params: [:]) }
    }

    /// A config value the path or baseUrl needs, missing or unusable, is the connection's problem (it was reported as
    /// an invalid request, "path parameter 'x' is missing", which the engine answers as the caller's 422).
    @Test func configValuesThePathNeedsAreTheConnectionsProblem() throws {
        let m = DefinitionMethod(name: "m", verb: .GET, path: "/{config.x}/get")
        let config: JSONObject = ["baseUrl": "https://api.example.com"]
        let missing = AdapterError(.connectionConfiguration, "the connection's config has no value for config.x, which the method's path uses")
        #expect(throws: missing) { try request(m, params: ["x": "from-params"], config: config) }
        var dots = config
        dots["x"] = ".."
        let dotted = AdapterError(.connectionConfiguration, "the connection's config value config.x, which the method's path uses, may not be '..'")
        #expect(throws: dotted) { try request(m, params: [:], config: dots) }
        let noBase = AdapterError(.connectionConfiguration, "the connection's config has no string value for config.baseUrl, which the baseUrl uses")
        #expect(throws: noBase) { try request(m, params: [:], config: ["x": "a"]) }
        // A baseUrl with text around its config values needs each of them (it rendered "https:///v1" without the host).
        let hosted = DefinitionMethod(name: "m", verb: .GET, path: "/get")
        let noHost = AdapterError(.connectionConfiguration, "the connection's config has no value for config.host, which the baseUrl uses")
        #expect(throws: noHost) { try request(hosted, params: [:], config: ["region": "eu"], baseUrl: "https://{config.host}/{config.region}") }
        #expect(throws: noHost) { try request(hosted, params: [:], config: ["host": "", "region": "eu"], baseUrl: "https://{config.host}/{config.region}") }
        let both = AdapterError(.connectionConfiguration, "the connection's config has no value for config.host, config.region, which the baseUrl uses")
        #expect(throws: both) { try request(hosted, params: [:], config: [:], baseUrl: "https://{config.host}/{config.region}") }
        let built = try request(hosted, params: [:], config: ["host": "api.example.com", "region": "eu"], baseUrl: "https://{config.host}/{config.region}")
        #expect(built.url == "https://api.example.com/eu/get")
        var h = DefinitionMethod(name: "h", verb: .GET, path: "/x")
        h.headers = ["X-Region": "{{config.region}}-{{params.p}}"]
        let broken = AdapterError(.connectionConfiguration, "the connection's config value config.region would put a line break in header 'X-Region'")
        #expect(throws: broken) { try request(h, params: ["p": "ok"], config: ["baseUrl": "https://api.example.com", "region": "eu\r\nX: 1"]) }
        #expect(throws: AdapterError(.invalidRequest, "header 'X-Region' would contain a line break")) {
            try request(h, params: ["p": "a\nb"], config: ["baseUrl": "https://api.example.com", "region": "eu"])
        }
    }

    @Test func dotSegmentsAndEmptyPathParametersAreRefused() throws {
        let m = DefinitionMethod(name: "m", verb: .GET, path: "/users/{id}/items")
        #expect(throws: AdapterError(.invalidRequest, "path parameter 'id' may not be '..'")) { try request(m, params: ["id": ".."]) }
        #expect(throws: AdapterError(.invalidRequest, "path parameter 'id' may not be '.'")) { try request(m, params: ["id": "."]) }
        #expect(throws: AdapterError(.invalidRequest, "path parameter 'id' is empty")) { try request(m, params: ["id": ""]) }
        // Dots inside a value are ordinary characters.
        #expect(try request(m, params: ["id": "..."]).url == "https://api.example.com/users/.../items")
        #expect(try request(m, params: ["id": "../x"]).url == "https://api.example.com/users/..%2Fx/items")
    }

    @Test func bodyTemplatesKeepTypesAndDropUndefined() throws {
        var m = DefinitionMethod(name: "m", verb: .POST, path: "/x")
        m.body = ["n": "{{params.n}}", "s": "id-{{params.n}}", "gone": "{{params.nothing}}", "list": ["{{params.n}}", "{{params.nothing}}"], "c": "{{config.region}}"]
        let spec = try request(m, params: ["n": 5], config: ["baseUrl": "https://api.example.com", "region": "eu"])
        #expect(try JSON(parsing: spec.body!) == ["n": 5, "s": "id-5", "list": [5, nil], "c": "eu"])
        #expect(spec.header("content-type") == "application/json")
    }

    @Test func postWithoutTemplateSendsTheParameters() throws {
        let spec = try request(DefinitionMethod(name: "m", verb: .POST, path: "/x"), params: ["a": 1])
        #expect(try JSON(parsing: spec.body!) == ["a": 1])
    }

    @Test func formBodiesUseBrackets() throws {
        var m = DefinitionMethod(name: "m", verb: .POST, path: "/x")
        m.bodyEncoding = .form
        let spec = try request(m, params: ["email": "a+b@x.io", "metadata": ["plan": "pro"], "items": [["price": 5]]])
        #expect(String(decoding: spec.body!, as: UTF8.self) == "email=a%2Bb%40x.io&metadata%5Bplan%5D=pro&items%5B0%5D%5Bprice%5D=5")
    }

    @Test func headerInjectionIsRefused() throws {
        var m = DefinitionMethod(name: "m", verb: .GET, path: "/x")
        m.headers = ["X-Name": "{{params.name}}"]
        #expect(throws: AdapterError.self) { try request(m, params: ["name": "a\r\nEvil: 1"]) }
        #expect(throws: AdapterError(.invalidRequest, "header 'X-Name' would contain a control character")) {
            try request(m, params: ["name": "a\u{0}b"])
        }
        // A parameter's non-ASCII characters are sent as they are (UTF-8): they are the caller's, not a secret.
        #expect(try request(m, params: ["name": "Zoë"]).header("X-Name") == "Zoë")
    }

    /// A credential that would put a non-ASCII character into a header is refused at call time, without its value: a
    /// provider reads the UTF-8 bytes as it likes (httpbin: Latin-1), and what it echoes back escapes redaction. The
    /// vault refuses such values when they are set; an api_key whose placement the definition decides, or an access
    /// token from a token endpoint, reaches this check instead. Basic is base64, and a key in the query is
    /// percent-encoded: both fit.
    @Test func credentialNonASCIIInAHeaderIsRefused() throws {
        let m = DefinitionMethod(name: "m", verb: .GET, path: "/x")
        #expect(throws: AdapterError(.invalidRequest, "a credential would put a non-ASCII character in header 'X-API-Key'")) {
            try request(m, params: [:], auth: AuthSettings(type: .apiKey), credentials: Credentials(type: .apiKey, fields: ["key": "clé-ü"]))
        }
        #expect(throws: AdapterError(.invalidRequest, "a credential would put a non-ASCII character in header 'Authorization'")) {
            try request(
                m, params: [:], auth: AuthSettings(type: .oauth2), credentials: Credentials(type: .oauth2, fields: ["accessToken": "tøken"]))
        }
        #expect(throws: AdapterError(.invalidRequest, "a credential would name a header with a non-ASCII character")) {
            try request(
                m, params: [:], auth: AuthSettings(type: .apiKey), credentials: Credentials(type: .apiKey, fields: ["key": "k", "name": "X-Clé"]))
        }
        let query = try request(
            m, params: [:], auth: AuthSettings(type: .apiKey, apiKeyPlacement: .query, apiKeyName: "key"),
            credentials: Credentials(type: .apiKey, fields: ["key": "clé"]))
        #expect(query.url.hasSuffix("/x?key=cl%C3%A9"))
        let basic = try request(
            m, params: [:], auth: AuthSettings(type: .basic), credentials: Credentials(type: .basic, fields: ["username": "José", "password": "pw"]))
        #expect(basic.header("Authorization") == "Basic " + Base64.encode(Array("José:pw".utf8)))
    }

    /// A credential that would break a header is refused at call time, and the message names what it would put there: a
    /// line break for CR or LF, a control character for NUL (it said "line break" for both).
    @Test func credentialHeaderInjectionIsRefusedByName() throws {
        let m = DefinitionMethod(name: "m", verb: .GET, path: "/x")
        let bearer = AuthSettings(type: .bearer)
        #expect(throws: AdapterError(.invalidRequest, "a credential would put a line break in header 'Authorization'")) {
            try request(m, params: [:], auth: bearer, credentials: Credentials(type: .bearer, fields: ["token": "TOK\r\nX-Injected: yes"]))
        }
        #expect(throws: AdapterError(.invalidRequest, "a credential would put a control character in header 'Authorization'")) {
            try request(m, params: [:], auth: bearer, credentials: Credentials(type: .bearer, fields: ["token": "TOK\u{0}"]))
        }
    }

    @Test func authInjection() throws {
        let m = DefinitionMethod(name: "m", verb: .GET, path: "/x")
        let basic = try request(m, params: [:], auth: AuthSettings(type: .basic), credentials: Credentials(type: .basic, fields: ["username": "ada", "password": "pw"]))
        #expect(basic.header("Authorization") == "Basic YWRhOnB3")
        let key = try request(m, params: [:], auth: AuthSettings(type: .apiKey, apiKeyPlacement: .query, apiKeyName: "api_key"), credentials: Credentials(type: .apiKey, fields: ["key": "k 1"]))
        #expect(key.url.hasSuffix("/x?api_key=k%201"))
        let header = try request(m, params: [:], auth: AuthSettings(type: .apiKey), credentials: Credentials(type: .apiKey, fields: ["key": "k1"]))
        #expect(header.header("X-API-Key") == "k1")
        #expect(header.credentialHeaders == ["X-API-Key"])
        #expect(key.credentialHeaders.isEmpty)
        let bearer = try request(m, params: [:], auth: AuthSettings(type: .oauth2), credentials: Credentials(type: .oauth2, fields: ["accessToken": "t0k", "tokenType": "bearer"]))
        #expect(bearer.header("Authorization") == "Bearer t0k")
        #expect("\(Credentials(type: .basic, fields: ["password": "hunter2"]))".contains("hunter2") == false)
    }

    @Test func responseBodiesAreJSONTextOrBase64() {
        #expect(ResponseBody.decode(Array(#"{"a":1}"#.utf8), contentType: "application/json") == ["a": 1])
        #expect(ResponseBody.decode(Array("héllo".utf8), contentType: "text/plain") == "héllo")
        #expect(ResponseBody.decode(Array("{not json".utf8), contentType: "application/json") == "{not json")
        // Bytes that are not UTF-8 come back intact as base64, not with replacement characters.
        #expect(ResponseBody.decode([0xFF, 0xD8, 0xFF, 0xE0, 0x00], contentType: "image/jpeg") == "/9j/4AA=")
        #expect(ResponseBody.decode([], contentType: "application/json") == .null)
    }
}
