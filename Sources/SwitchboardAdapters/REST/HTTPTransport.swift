import AsyncHTTPClient
import Foundation
import JSONValue
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL
import SwitchboardCore
import Synchronization

/// Sends HTTP requests: plain `http://` ones over `PlainHTTPClient` (a lean HTTP/1.1 client with keep-alive pools per
/// event loop), everything else (https, user information in the URL) over one shared, pooled AsyncHTTPClient. Both
/// keep connections alive, follow redirects (up to 5, no cycles; see `send`), decompress gzip/deflate answers (at most 100 times
/// the compressed size) and limit the response size.
///
/// The client is created on first use and closed by `shutdown()` (or, if the transport is dropped without it,
/// in the background), so building the services without running them leaks nothing.
///
/// Requests with their own TLS settings (`HTTPRequestSpec.tls`: a client certificate for mutual TLS, a private CA)
/// go through a second pooled client, with the TLS configuration per request (its pool keys connections by it).
/// That client does not retry a failed connection establishment, so a refused certificate or an untrusted upstream
/// fails the call at once with a `tls` error instead of after the timeout; the method's retry policy still applies.
public final class HTTPTransport: Sendable {
    private let clientBox = Mutex<HTTPClient?>(nil)
    private let clientConfiguration: HTTPClient.Configuration
    private let tlsClientBox = Mutex<HTTPClient?>(nil)
    /// The lean client for plain http:// URLs; nil when the configuration turns it off.
    let plain: PlainHTTPClient?
    private let maxRedirects: Int
    /// Parsed TLS configurations by settings, so PEM is parsed once per credentials (bounded).
    private let tlsConfigurations = Mutex<[UpstreamTLS: TLSConfiguration]>([:])
    static let tlsConfigurationCacheLimit = 256
    /// Requests (method and parsed URL, no headers or body) by method and URL, so a URL sent again is not parsed
    /// again: Foundation's URL parser and AsyncHTTPClient's URL checks were ~2% of a call. Bounded; emptied when full.
    private let parsedRequests = Mutex<[RequestTarget: HTTPClient.Request]>([:])
    static let parsedRequestCacheLimit = 1024

    struct RequestTarget: Hashable {
        var method: String
        var url: String
    }

    /// A request for `method` and `url` without headers or body (parsed once per target while cached).
    func request(method: String, url: String) throws -> HTTPClient.Request {
        let target = RequestTarget(method: method, url: url)
        if let r = parsedRequests.withLock({ $0[target] }) { return r }
        let r = try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method))
        parsedRequests.withLock { cache in
            if cache.count >= Self.parsedRequestCacheLimit { cache.removeAll() }
            cache[target] = r
        }
        return r
    }

    /// The pooled client (created on first use).
    public var client: HTTPClient {
        clientBox.withLock { box in
            if let c = box { return c }
            let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            box = c
            return c
        }
    }

    /// The pooled client for requests with their own TLS settings (created on first use).
    var tlsClient: HTTPClient {
        tlsClientBox.withLock { box in
            if let c = box { return c }
            let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            box = c
            return c
        }
    }

    /// The TLS configuration of `tls`, parsed once and kept while fewer than the limit are cached.
    func tlsConfiguration(_ tls: UpstreamTLS) throws(AdapterError) -> TLSConfiguration {
        if let c = tlsConfigurations.withLock({ $0[tls] }) { return c }
        let c = try tls.makeConfiguration()
        tlsConfigurations.withLock { cache in
            if cache.count >= Self.tlsConfigurationCacheLimit { cache.removeAll() }
            cache[tls] = c
        }
        return c
    }

    public struct Configuration: Sendable {
        /// Idle connections kept per upstream host.
        public var connectionsPerHost: Int
        public var maxRedirects: Int
        public var connectTimeout: Duration
        /// Send plain `http://` requests over the lean client (`PlainHTTPClient`) rather than AsyncHTTPClient.
        public var plainHTTPClient: Bool

        public init(connectionsPerHost: Int = 64, maxRedirects: Int = 5, connectTimeout: Duration = .seconds(10), plainHTTPClient: Bool = true) {
            self.connectionsPerHost = connectionsPerHost
            self.maxRedirects = maxRedirects
            self.connectTimeout = connectTimeout
            self.plainHTTPClient = plainHTTPClient
        }
    }

    public init(configuration: Configuration = .init()) {
        var c = HTTPClient.Configuration()
        c.redirectConfiguration = .disallow  // `send` follows redirects itself, for both clients
        c.decompression = .enabled(limit: .ratio(100))
        c.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost)
        // A connection that cannot be made (refused, a failed TLS handshake: an https:// baseUrl on a plain HTTP port)
        // fails the attempt at once, as on the lean client; AsyncHTTPClient would otherwise try again until the call's
        // whole time ran out. Retrying is the method's `retry` policy's to decide.
        c.connectionPool.retryConnectionEstablishment = false
        c.timeout = .init(connect: .nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000))
        // Switchboard bootstraps no tracer: without this, every request opens a span on the no-op tracer and fills its
        // attributes (parsing the URL with Foundation once more), about 3% of the execute path's CPU in a profile.
        c.tracing.tracer = nil
        clientConfiguration = c
        maxRedirects = configuration.maxRedirects
        plain =
            configuration.plainHTTPClient
            ? PlainHTTPClient(maxIdlePerOrigin: configuration.connectionsPerHost, connectTimeout: configuration.connectTimeout) : nil
    }

    /// Closes the pools; call once at shutdown.
    public func shutdown() async throws {
        func take(_ box: inout HTTPClient?) -> HTTPClient? {
            defer { box = nil }
            return box
        }
        let clients = [clientBox.withLock { take(&$0) }, tlsClientBox.withLock { take(&$0) }].compactMap { $0 }
        tlsConfigurations.withLock { $0.removeAll() }
        parsedRequests.withLock { $0.removeAll() }
        await plain?.shutdown()
        var failure: (any Error)?
        for c in clients {
            do { try await c.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    deinit {
        for c in [clientBox.withLock({ $0 }), tlsClientBox.withLock({ $0 })].compactMap({ $0 }) {
            Task.detached { try? await c.shutdown() }
        }
    }

    /// The response of one exchange.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    /// Sends `spec` and collects the body (up to `maxBytes`); `timeout` covers the whole exchange, body included,
    /// redirects too. Plain http goes over the lean client unless the spec carries TLS settings or the configuration
    /// turned it off; the rest over AsyncHTTPClient.
    ///
    /// Redirects are followed here, for both clients, so one policy holds: at most `maxRedirects`, no cycles; 303
    /// (and 301/302 after a POST) turn into a GET without a body; a redirect to another origin (scheme, host or port)
    /// drops `Authorization`, `Proxy-Authorization`, `Cookie`, every header the authentication injection set (an API
    /// key header of any name) and the client certificate.
    ///
    /// Headers the client computes (`TransportHeaders`: `Content-Length`, `Transfer-Encoding`, `Connection`...) are
    /// dropped from `spec` whatever set them (a definition stored before they were refused on write, a credential):
    /// each client frames the message from the body it sends.
    public func send(_ spec: HTTPRequestSpec, timeout: Duration, maxBytes: Int) async throws(AdapterError) -> Response {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var spec = spec
        spec.headers.removeAll { TransportHeaders.contains($0.name) }
        var visited: Set<String> = []  // filled on the first redirect: most calls have none
        while true {
            let answer = try await sendOnce(spec, deadline: deadline, maxBytes: maxBytes)
            guard Self.redirectStatuses.contains(answer.status), maxRedirects > 0,
                let location = answer.headers.first(where: { ASCII.equalsIgnoringCase($0.name, "Location") })?.value,
                let next = Self.resolve(location, against: spec.url)
            else { return answer }
            if visited.isEmpty { visited.insert(spec.url) }
            guard visited.count <= maxRedirects, visited.insert(next).inserted else { throw AdapterError(.other, "too many redirects") }
            spec = Self.redirected(spec, to: next, status: answer.status)
        }
    }

    /// One exchange, no redirects followed.
    func sendOnce(_ spec: HTTPRequestSpec, deadline: NIODeadline, maxBytes: Int) async throws(AdapterError) -> Response {
        guard deadline > .now() else { throw AdapterError(.timeout, "the upstream did not answer in time") }
        if let plain, spec.tls == nil, let (origin, target) = Self.plainTarget(spec.url) {
            return try await sendPlain(plain, spec, origin: origin, target: target, deadline: deadline, maxBytes: maxBytes)
        }
        return try await sendOverAsyncHTTPClient(spec, deadline: deadline, maxBytes: maxBytes)
    }

    /// The request to send after `spec` was answered with redirect `status` to `next`.
    static func redirected(_ spec: HTTPRequestSpec, to next: String, status: Int) -> HTTPRequestSpec {
        var r = spec
        r.url = next
        r.headers.removeAll { ASCII.equalsIgnoringCase($0.name, "Host") }
        if origin(of: next) != origin(of: spec.url) {
            // Credentials meant for one origin are not handed to another.
            let sensitive = ["Authorization", "Proxy-Authorization", "Cookie"] + spec.credentialHeaders
            r.headers.removeAll { h in sensitive.contains { ASCII.equalsIgnoringCase($0, h.name) } }
            r.credentialHeaders = []
            r.credentialQuery = []
            r.tls = nil
        } else if !spec.credentialQuery.isEmpty {
            // The same origin: an API key sent in the query goes with the request again (the Location names a path).
            let query = next.split(separator: "#", maxSplits: 1)[0].split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
            let present = Set(query.split(separator: "&").map(String.init))
            let missing = spec.credentialQuery.filter { !present.contains($0) }
            if !missing.isEmpty {
                let fragmentStart = next.firstIndex(of: "#") ?? next.endIndex
                let head = next[..<fragmentStart]
                r.url = head + (head.contains("?") ? "&" : "?") + missing.joined(separator: "&") + next[fragmentStart...]
            }
        }
        if status == 303 && spec.method != "HEAD" || (status == 301 || status == 302) && spec.method == "POST" {
            r.method = "GET"
            r.body = nil
            let content = ["Content-Type", "Content-Length", "Content-Encoding"]
            r.headers.removeAll { h in content.contains { ASCII.equalsIgnoringCase($0, h.name) } }
        }
        return r
    }

    /// `scheme://host:port` of an absolute URL, lowercased, the port made explicit; nil when it has none.
    static func origin(of url: String) -> String? {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), let host = u.host?.lowercased() else { return nil }
        let port = u.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
        return "\(scheme)://\(host):\(port)"
    }

    /// One exchange over the lean client.
    func sendPlain(
        _ plain: PlainHTTPClient, _ spec: HTTPRequestSpec, origin: PlainHTTPClient.Origin, target: String, deadline: NIODeadline, maxBytes: Int
    ) async throws(AdapterError) -> Response {
        let request = PlainHTTPClient.Request(
            method: HTTPMethod(rawValue: spec.method), origin: origin, target: target, headers: HTTPHeaders(spec.headers.map { ($0.name, $0.value) }),
            body: spec.body)
        let answer: PlainHTTPClient.Response
        do {
            answer = try await plain.execute(request, deadline: deadline, maxBytes: max(0, maxBytes))
        } catch {
            throw Self.map(error, maxBytes: maxBytes)
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(answer.headers.count)
        for h in answer.headers { headers.append((h.name, h.value)) }
        return Response(status: answer.status, headers: headers, body: Array(answer.body.readableBytesView))
    }

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// `location` made absolute against `url`; nil when it is not an http(s) URL.
    static func resolve(_ location: String, against url: String) -> String? {
        guard let base = URL(string: url), let resolved = URL(string: location, relativeTo: base)?.absoluteURL,
            let scheme = resolved.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { return nil }
        return resolved.absoluteString
    }

    /// The origin and request target (path and query) of a plain `http://` URL, or nil when the URL is one the lean
    /// client leaves to AsyncHTTPClient (another scheme, user information, an unusual authority).
    static func plainTarget(_ url: String) -> (origin: PlainHTTPClient.Origin, target: String)? {
        var url = url
        return url.withUTF8 { b -> (origin: PlainHTTPClient.Origin, target: String)? in
            let n = b.count
            // "http://", case-insensitively.
            guard n > 7, b[0] | 0x20 == UInt8(ascii: "h"), b[1] | 0x20 == UInt8(ascii: "t"), b[2] | 0x20 == UInt8(ascii: "t"),
                b[3] | 0x20 == UInt8(ascii: "p"), b[4] == UInt8(ascii: ":"), b[5] == UInt8(ascii: "/"), b[6] == UInt8(ascii: "/")
            else { return nil }
            var end = 7
            while end < n, b[end] != UInt8(ascii: "/"), b[end] != UInt8(ascii: "?"), b[end] != UInt8(ascii: "#") {
                if b[end] == UInt8(ascii: "@") { return nil }  // user information: AsyncHTTPClient's
                end += 1
            }
            guard end > 7 else { return nil }
            var hostStart = 7
            var hostEnd = end
            var portStart = end
            if b[7] == UInt8(ascii: "[") {
                var close = 8
                while close < end, b[close] != UInt8(ascii: "]") { close += 1 }
                guard close < end else { return nil }
                hostStart = 8
                hostEnd = close
                if close + 1 < end {
                    guard b[close + 1] == UInt8(ascii: ":") else { return nil }
                    portStart = close + 2
                }
            } else {
                var colon = end - 1
                while colon >= 7, b[colon] != UInt8(ascii: ":") { colon -= 1 }
                if colon >= 7 {
                    hostEnd = colon
                    portStart = colon + 1
                }
            }
            var port = 80
            if portStart < end {
                guard end - portStart <= 5 else { return nil }
                port = 0
                for i in portStart..<end {
                    guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                    port = port * 10 + Int(b[i] - UInt8(ascii: "0"))
                }
            }
            guard hostEnd > hostStart, (1...65535).contains(port) else { return nil }
            var host = [UInt8](UnsafeBufferPointer(rebasing: b[hostStart..<hostEnd]))
            for i in host.indices where host[i] >= UInt8(ascii: "A") && host[i] <= UInt8(ascii: "Z") { host[i] |= 0x20 }
            var targetEnd = end
            while targetEnd < n, b[targetEnd] != UInt8(ascii: "#") { targetEnd += 1 }
            let target: String
            if end == targetEnd {
                target = "/"
            } else if b[end] == UInt8(ascii: "/") {
                target = String(decoding: UnsafeBufferPointer(rebasing: b[end..<targetEnd]), as: UTF8.self)
            } else {
                target = "/" + String(decoding: UnsafeBufferPointer(rebasing: b[end..<targetEnd]), as: UTF8.self)
            }
            return (PlainHTTPClient.Origin(host: String(decoding: host, as: UTF8.self), port: port), target)
        }
    }

    static func map(_ failure: PlainHTTPClient.Failure, maxBytes: Int) -> AdapterError {
        switch failure {
        case .timeout: AdapterError(.timeout, "the upstream did not answer in time")
        case .connectTimeout: AdapterError(.timeout, "the connection to the upstream timed out")
        case .connectFailed: AdapterError(.connection, "the connection to the upstream failed")
        case .closed: AdapterError(.connection, "the upstream closed the connection")
        case .tooLarge: AdapterError(.responseTooLarge, "the response body is larger than \(maxBytes) bytes")
        case .decompressionLimit: AdapterError(.responseTooLarge, "the response body decompresses to more than 100 times its size")
        case .undecodable: AdapterError(.other, "the response body cannot be decoded as its Content-Encoding says")
        case .invalidResponse: AdapterError(.other, "the upstream's answer is not valid HTTP/1.1")
        case .cancelled: AdapterError(.timeout, "the call was cancelled")
        case .shutDown: AdapterError(.connection, "the HTTP client is shut down")
        }
    }

    /// One exchange over AsyncHTTPClient (its own redirect following is off: `send` follows them).
    ///
    /// This uses AsyncHTTPClient's event-loop API with its `ResponseAccumulator` rather than the async API: the body is
    /// gathered on the connection's event loop as it arrives and the caller resumes once, when the response is complete,
    /// instead of once for the head and once per body part through an async sequence. The pool prefers a connection on
    /// the caller's event loop when it runs on one (the server's tasks do), so the exchange rarely changes threads.
    /// (Requiring that loop, `.delegateAndChannel`, made the pool open and close a connection per call.)
    func sendOverAsyncHTTPClient(_ spec: HTTPRequestSpec, deadline: NIODeadline, maxBytes: Int) async throws(AdapterError) -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(spec.headers.count)
        for h in spec.headers { headers.add(name: h.name, value: h.value) }
        let tlsConfiguration: TLSConfiguration?
        if let tls = spec.tls {
            guard spec.url.lowercased().hasPrefix("https://") else {
                throw AdapterError(.configuration, "client_certificate credentials need an https:// baseUrl (mutual TLS)")
            }
            tlsConfiguration = try self.tlsConfiguration(tls)
        } else {
            tlsConfiguration = nil
        }
        let client = spec.tls == nil ? self.client : tlsClient
        do {
            var request = try self.request(method: spec.method, url: spec.url)
            request.headers = headers
            request.body = spec.body.map { .bytes($0) }
            request.tlsConfiguration = tlsConfiguration
            // The accumulator requires 0...UInt32.max (a ByteBuffer's limit); `options.maxResponseBytes` is not range-checked.
            let limit = min(max(0, maxBytes), Int(UInt32.max))
            let task = client.execute(
                request: request, delegate: ResponseAccumulator(request: request, maxBodySize: limit), eventLoop: .indifferent,
                deadline: deadline, logger: nil)
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            var responseHeaders: [(name: String, value: String)] = []
            responseHeaders.reserveCapacity(response.headers.count)
            for h in response.headers { responseHeaders.append((h.name, h.value)) }
            return Response(
                status: Int(response.status.code), headers: responseHeaders, body: response.body.map { Array($0.readableBytesView) } ?? [])
        } catch let e as AdapterError {
            throw e
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw AdapterError(.responseTooLarge, "the response body is larger than \(maxBytes) bytes")
        } catch let e as HTTPClientError where e == .cancelled {
            throw AdapterError(.timeout, "the call was cancelled")
        } catch let e as HTTPClientError {
            throw Self.map(e)
        } catch let e as NIOHTTPDecompression.DecompressionError {
            throw e == .limit
                ? AdapterError(.responseTooLarge, "the response body decompresses to more than 100 times its size")
                : AdapterError(.other, "the response body cannot be decoded as its Content-Encoding says")
        } catch is NIOHTTPDecompression.ExtraDecompressionError {
            throw AdapterError(.other, "the response body cannot be decoded as its Content-Encoding says")
        } catch let e as ChannelError {
            throw AdapterError(.connection, "the connection failed: \(e)")
        } catch is CancellationError {
            throw AdapterError(.timeout, "the call was cancelled")
        } catch {
            if let tls = UpstreamTLS.failure(error, host: Self.host(spec.url)) { throw tls }
            let text = "\(error)"
            if text.contains("connectTimeout") || text.contains("Timeout") { throw AdapterError(.timeout, "the upstream did not answer in time") }
            if text.contains("refused") || text.contains("reset") || text.contains("connect") {
                throw AdapterError(.connection, "the connection to the upstream failed")
            }
            throw AdapterError(.other, "the request failed: \(type(of: error))")
        }
    }

    /// `host:port` of a URL, for messages (without any user information).
    static func host(_ url: String) -> String {
        let rest = url.split(separator: "://", maxSplits: 1).last ?? Substring(url)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? authority)
    }

    static func map(_ e: HTTPClientError) -> AdapterError {
        if [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(e) {
            return AdapterError(.timeout, "the upstream did not answer in time")
        }
        if [.remoteConnectionClosed, .alreadyShutdown].contains(e) { return AdapterError(.connection, "the upstream closed the connection") }
        if [.redirectCycleDetected, .redirectLimitReached].contains(e) { return AdapterError(.other, "too many redirects") }
        if [.invalidURL, .emptyHost, .emptyScheme].contains(e) { return AdapterError(.invalidRequest, "the request URL is invalid") }
        return AdapterError(.other, "the HTTP exchange failed: \(e)")
    }
}

/// Reads a response body as JSON when it is JSON, as a string when it is UTF-8 text, as a base64 string when it is
/// not text (an image, random bytes: not damaged into replacement characters), null when empty. A body whose
/// Content-Type declares another charset (`text/plain; charset=iso-8859-1`, windows-1252, UTF-16...) is read in it.
public enum ResponseBody {
    public static func decode(_ bytes: [UInt8], contentType: String?) -> JSON {
        if bytes.isEmpty { return .null }
        let type = contentType ?? ""
        if let encoding = declaredEncoding(type), let text = String(bytes: bytes, encoding: encoding) {
            return decode(Array(text.utf8), contentType: type.split(separator: ";").first.map(String.init))
        }
        if type.isEmpty || ASCII.containsIgnoringCase(type, "json") {
            if let json = try? JSON(parsing: bytes) { return json }
        }
        if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
        return .string(Base64.encode(bytes))
    }

    /// The encoding a Content-Type's `charset` names when it is not UTF-8 (or ASCII, a part of it), and Foundation
    /// reads it; nil otherwise.
    static func declaredEncoding(_ contentType: String) -> String.Encoding? {
        guard ASCII.containsIgnoringCase(contentType, "charset") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else { continue }
            let name = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
            switch name {
            case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1": return .isoLatin1
            case "windows-1252", "cp1252": return .windowsCP1252
            case "iso-8859-2", "latin2": return .isoLatin2
            case "utf-16": return .utf16
            case "utf-16le": return .utf16LittleEndian
            case "utf-16be": return .utf16BigEndian
            case "shift_jis", "shift-jis", "sjis": return .shiftJIS
            case "euc-jp": return .japaneseEUC
            default: return nil
            }
        }
        return nil
    }
}
