import Foundation
import JSONValue
import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchboardTestSupport
import Testing

@testable import SwitchboardAdapters

/// `HTTPTransport`'s lean client for plain http:// URLs (`PlainHTTPClient`), against real servers on loopback: httpbin
/// (werkzeug, which closes every connection after its answer) for the HTTP behaviours, and the strawberry GraphQL server
/// (uvicorn, HTTP/1.1 keep-alive) for connection reuse.
@Suite("Plain HTTP/1.1 client")
struct PlainHTTPClientTests {
    static let transport = HTTPTransport()

    func bin() async throws -> String { try await SharedPeers.httpbin().baseURL }

    func send(
        _ method: String, _ url: String, headers: [(name: String, value: String)] = [], body: String? = nil, timeout: Duration = .seconds(60),
        maxBytes: Int = 1 << 20, transport: HTTPTransport = Self.transport
    ) async throws -> (status: Int, json: JSON, response: HTTPTransport.Response) {
        let spec = HTTPRequestSpec(method: method, url: url, headers: headers, body: body.map { Array($0.utf8) })
        let r = try await transport.send(spec, timeout: timeout, maxBytes: maxBytes)
        return (r.status, (try? JSON(parsing: r.body)) ?? .null, r)
    }

    func send(
        _ url: String, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(60), maxBytes: Int = 1 << 20,
        transport: HTTPTransport = Self.transport
    ) async throws -> (status: Int, json: JSON, response: HTTPTransport.Response) {
        try await send("GET", url, headers: headers, timeout: timeout, maxBytes: maxBytes, transport: transport)
    }

    @Test func plainURLsAreSplitIntoOriginAndTarget() {
        let cases: [(String, String?, Int?, String?)] = [
            ("http://127.0.0.1:8080/a/b?x=1#frag", "127.0.0.1", 8080, "/a/b?x=1"),
            ("HTTP://Example.COM", "example.com", 80, "/"),
            ("http://example.com?q=1", "example.com", 80, "/?q=1"),
            ("http://[::1]:9000/x", "::1", 9000, "/x"),
            ("https://example.com/", nil, nil, nil),
            ("http://user:pw@example.com/", nil, nil, nil),
            ("http://example.com:99999/", nil, nil, nil),
            ("http://example.com:+80/", nil, nil, nil),
            ("http:///nohost", nil, nil, nil),
            ("http://example.com#frag", "example.com", 80, "/"),
            ("http://example.com:/p", "example.com", 80, "/p"),
            ("http://example.com:8a/", nil, nil, nil),
            ("http://[::1]x/", nil, nil, nil),
            ("http://[::1/", nil, nil, nil),
            ("ftp://example.com/", nil, nil, nil),
        ]
        #expect(PlainHTTPClient.Origin(host: "::1", port: 9000).hostHeader == "[::1]:9000")
        #expect(PlainHTTPClient.Origin(host: "example.com", port: 80).hostHeader == "example.com")
        #expect(PlainHTTPClient.Origin(host: "127.0.0.1", port: 8080).hostHeader == "127.0.0.1:8080")
        for (url, host, port, target) in cases {
            let split = HTTPTransport.plainTarget(url)
            #expect(split?.0.host == host, "\(url)")
            #expect(split?.0.port == port, "\(url)")
            #expect(split?.1 == target, "\(url)")
        }
    }

    @Test func sendsMethodTargetHeadersAndBody() async throws {
        let get = try await send("\(try await bin())/get?a=1&b=x%20y", headers: [("X-Custom", "v1")])
        #expect(get.status == 200)
        #expect(get.json["args"] == ["a": "1", "b": "x y"])
        #expect(get.json["headers"]?["X-Custom"] == "v1")
        #expect(get.json["headers"]?["Host"]?.stringValue?.hasPrefix("127.0.0.1:") == true)
        let post = try await send("POST", "\(try await bin())/post", headers: [("Content-Type", "application/json")], body: #"{"k":"v"}"#)
        #expect(post.json["json"] == ["k": "v"])
        #expect(post.json["headers"]?["Content-Length"] == "9")
        let empty = try await send("POST", "\(try await bin())/post")
        #expect(empty.json["headers"]?["Content-Length"] == "0")
        let status = try await send("\(try await bin())/status/418")
        #expect(status.status == 418)
        #expect(Self.transport.plain != nil)
    }

    @Test func followsRedirectsAndStopsAtTheLimit() async throws {
        let followed = try await send("\(try await bin())/redirect/5")
        #expect(followed.status == 200)
        #expect(followed.json["url"]?.stringValue?.hasSuffix("/get") == true)
        let relative = try await send("\(try await bin())/relative-redirect/2")
        #expect(relative.status == 200)
        await #expect(throws: AdapterError(.other, "too many redirects")) { try await send("\(try await bin())/redirect/6") }
    }

    @Test func aSeeOtherTurnsAPostIntoAGetAndATemporaryRedirectKeepsIt() async throws {
        let seeOther = try await send("POST", "\(try await bin())/redirect-to?url=/anything&status_code=303", body: "payload")
        #expect(seeOther.json["method"] == "GET")
        #expect(seeOther.json["data"] == "")
        let temporary = try await send("POST", "\(try await bin())/redirect-to?url=/anything&status_code=307", body: "payload")
        #expect(temporary.json["method"] == "POST")
        #expect(temporary.json["data"] == "payload")
    }

    static let asyncHTTPClientTransport = HTTPTransport(configuration: .init(plainHTTPClient: false))

    @Test(arguments: [false, true]) func credentialsAreNotHandedToAnotherOrigin(overAsyncHTTPClient: Bool) async throws {
        let transport = overAsyncHTTPClient ? Self.asyncHTTPClientTransport : Self.transport
        let base = try await bin()
        let port = try #require(HTTPTransport.plainTarget(base)?.0.port)
        // An API key header of any name is a credential when the authentication injection set it.
        func send(_ url: String) async throws -> JSON {
            var spec = HTTPRequestSpec(
                method: "GET", url: url, headers: [("Authorization", "Bearer s3cret"), ("X-My-Key", "k3y"), ("X-Trace", "t1"), ("Cookie", "c=1")])
            spec.credentialHeaders = ["X-My-Key"]
            let r = try await transport.send(spec, timeout: .seconds(60), maxBytes: 1 << 20)
            #expect(r.status == 200)
            return try JSON(parsing: r.body)
        }
        let sameOrigin = try await send("\(base)/redirect-to?url=/headers")
        #expect(sameOrigin["headers"]?["Authorization"] == "Bearer s3cret")
        #expect(sameOrigin["headers"]?["X-My-Key"] == "k3y")
        // localhost is the same server but another origin.
        let other = try await send("\(base)/redirect-to?url=http://localhost:\(port)/headers")
        #expect(other["headers"]?["Authorization"] == nil)
        #expect(other["headers"]?["X-My-Key"] == nil)
        #expect(other["headers"]?["Cookie"] == nil)
        #expect(other["headers"]?["X-Trace"] == "t1")
    }

    /// An API key sent in the query is sent again on a redirect within the origin (the Location names only a path),
    /// and not to another origin.
    @Test(arguments: [false, true]) func aQueryKeyGoesAgainOnARedirectWithinTheOrigin(overAsyncHTTPClient: Bool) async throws {
        let transport = overAsyncHTTPClient ? Self.asyncHTTPClientTransport : Self.transport
        let base = try await bin()
        let port = try #require(HTTPTransport.plainTarget(base)?.0.port)
        func send(_ url: String) async throws -> JSON {
            var spec = HTTPRequestSpec(method: "GET", url: url + "&api_key=k3y-1", headers: [])
            spec.credentialQuery = ["api_key=k3y-1"]
            let r = try await transport.send(spec, timeout: .seconds(60), maxBytes: 1 << 20)
            #expect(r.status == 200)
            return try JSON(parsing: r.body)
        }
        let same = try await send("\(base)/redirect-to?url=/anything/after%3Fpage%3D2")
        #expect(same["args"]?["page"] == "2", "\(same)")
        #expect(same["args"]?["api_key"] == "k3y-1", "\(same)")
        let other = try await send("\(base)/redirect-to?url=http://localhost:\(port)/anything/after")
        #expect(other["args"]?["api_key"] == nil, "\(other)")
    }

    /// A body that is not what its Content-Encoding says is the upstream's error, not a too large answer nor a closed
    /// connection (which a retry policy would try again). httpbin's /response-headers sets the header it is given on
    /// its plain JSON answer: a "gzip" body that is not gzip.
    @Test(arguments: [false, true]) func aBodyThatIsNotWhatItsEncodingSaysIsAnUpstreamError(overAsyncHTTPClient: Bool) async throws {
        let transport = overAsyncHTTPClient ? Self.asyncHTTPClientTransport : Self.transport
        for encoding in ["gzip", "deflate"] {
            await #expect(throws: AdapterError(.other, "the response body cannot be decoded as its Content-Encoding says")) {
                try await send("\(try await bin())/response-headers?Content-Encoding=\(encoding)", transport: transport)
            }
        }
    }

    /// An https:// URL on a port that speaks plain HTTP fails the handshake: the attempt fails at once, not after
    /// AsyncHTTPClient tried to connect again and again until the call's time (here 60 s) ran out.
    @Test func aFailedHandshakeFailsTheAttemptAtOnce() async throws {
        let port = try #require(HTTPTransport.plainTarget(try await bin())?.0.port)
        let started = ContinuousClock.now
        do {
            _ = try await send("https://127.0.0.1:\(port)/get", timeout: .seconds(60))
            Issue.record("a TLS handshake with a plain HTTP server succeeded")
        } catch let error as AdapterError {
            #expect(error.kind == .tls, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func asyncHTTPClientFollowsRedirectsByTheSamePolicy() async throws {
        let t = Self.asyncHTTPClientTransport
        let followed = try await send("\(try await bin())/redirect/5", transport: t)
        #expect(followed.status == 200)
        await #expect(throws: AdapterError(.other, "too many redirects")) { try await send("\(try await bin())/redirect/6", transport: t) }
        let seeOther = try await send("POST", "\(try await bin())/redirect-to?url=/anything&status_code=303", body: "payload", transport: t)
        #expect(seeOther.json["method"] == "GET")
        let temporary = try await send("POST", "\(try await bin())/redirect-to?url=/anything&status_code=307", body: "payload", transport: t)
        #expect(temporary.json["data"] == "payload")
    }

    @Test func decompressesGzipAndDeflate() async throws {
        let gzip = try await send("\(try await bin())/gzip")
        #expect(gzip.json["gzipped"] == true)
        let deflate = try await send("\(try await bin())/deflate")
        #expect(deflate.json["deflated"] == true)
    }

    @Test func limitsTheResponseSize() async throws {
        await #expect(throws: AdapterError(.responseTooLarge, "the response body is larger than 1000 bytes")) {
            try await send("\(try await bin())/bytes/4096", maxBytes: 1000)
        }
        let fits = try await send("\(try await bin())/bytes/1000", maxBytes: 1000)
        #expect(fits.response.body.count == 1000)
    }

    /// The deadline bounds the wait for the head and for the body. The upstreams answer long after it: a head delayed
    /// 10 s (a client that did not wait with the deadline gets its 200), and a body dripped over 120 s (a client that
    /// bounded only the head gets the whole body, after two minutes).
    @Test func theDeadlineCoversTheWholeExchange() async throws {
        let base = try await bin()  // (the peer started before the clock: its start-up is not the exchange's)
        await #expect(throws: AdapterError(.timeout, "the upstream did not answer in time")) {
            try await send("\(base)/delay/10", timeout: .milliseconds(300))
        }
        let started = ContinuousClock.now
        await #expect(throws: AdapterError(.timeout, "the upstream did not answer in time")) {
            try await send("\(base)/drip?numbytes=4&duration=120&delay=0", timeout: .milliseconds(300))
        }
        // Far below the body's 120 s, with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func aRefusedConnectionIsAConnectionError() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let probe = try PeerPort.unused()
        await #expect(throws: AdapterError(.connection, "the connection to the upstream failed")) {
            try await send("http://127.0.0.1:\(probe)/x")
        }
    }

    @Test func keepAliveConnectionsAreReused() async throws {
        // Idle connections are kept per event loop; one loop makes the count exact.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = PlainHTTPClient(group: group)
        func request(_ url: String, method: HTTPMethod = .GET, body: String? = nil) throws -> PlainHTTPClient.Request {
            let split = try #require(HTTPTransport.plainTarget(url))
            return PlainHTTPClient.Request(
                method: method, origin: split.origin, target: split.target, headers: ["Content-Type": "application/json"],
                body: body.map { Array($0.utf8) })
        }
        let peer = try await GraphQLAdapterTests.peer.value
        let query = try request("\(peer.baseURL)/graphql", method: .POST, body: #"{"query":"{ users(first: 1) { id } }"}"#)
        for _ in 0..<5 {
            let r = try await client.execute(query, deadline: .now() + .seconds(60), maxBytes: 1 << 20)
            #expect(r.status == 200)
            #expect((try? JSON(parsing: Array(r.body.readableBytesView)))?["data"]?["users"]?.arrayValue?.count == 1)
        }
        #expect(client.connectionsOpened.load(ordering: .relaxed) == 1)
        // httpbin (werkzeug, HTTP/1.0) closes after every answer: nothing is reused there.
        for _ in 0..<3 { _ = try await client.execute(try request("\(try await bin())/get"), deadline: .now() + .seconds(60), maxBytes: 1 << 20) }
        #expect(client.connectionsOpened.load(ordering: .relaxed) == 4)
        await client.shutdown()
        await #expect(throws: PlainHTTPClient.Failure.shutDown) {
            try await client.execute(query, deadline: .now() + .seconds(60), maxBytes: 1 << 20)
        }
        try await group.shutdownGracefully()
    }

    @Test func theLeanClientCanBeTurnedOff() async throws {
        let transport = HTTPTransport(configuration: .init(plainHTTPClient: false))
        #expect(transport.plain == nil)
        let r = try await send("\(try await bin())/redirect/2", transport: transport)
        #expect(r.json["url"]?.stringValue?.hasSuffix("/get") == true)
        try await transport.shutdown()
    }
}

/// A loopback port nothing listens on (bound to learn a free one, then closed).
enum PeerPort {
    static func unused() throws -> Int {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw PortError() }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    struct PortError: Error {}
}
