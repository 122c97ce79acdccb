import AsyncHTTPClient
import JSONValue
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Sends HTTP requests over one shared, pooled AsyncHTTPClient: keep-alive connections, redirects followed (up to 5),
/// gzip/deflate decompressed, response size limited.
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
            var configuration = clientConfiguration
            configuration.connectionPool.retryConnectionEstablishment = false
            let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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

        public init(connectionsPerHost: Int = 64, maxRedirects: Int = 5, connectTimeout: Duration = .seconds(10)) {
            self.connectionsPerHost = connectionsPerHost
            self.maxRedirects = maxRedirects
            self.connectTimeout = connectTimeout
        }
    }

    public init(configuration: Configuration = .init()) {
        var c = HTTPClient.Configuration()
        c.redirectConfiguration = .follow(max: configuration.maxRedirects, allowCycles: false)
        c.decompression = .enabled(limit: .ratio(100))
        c.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost)
        c.timeout = .init(connect: .nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000))
        // Switchboard bootstraps no tracer: without this, every request opens a span on the no-op tracer and fills its
        // attributes (parsing the URL with Foundation once more), about 3% of the execute path's CPU in a profile.
        c.tracing.tracer = nil
        clientConfiguration = c
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

    /// Sends `spec` and collects the body (up to `maxBytes`); `timeout` covers the whole exchange, body included.
    ///
    /// This uses AsyncHTTPClient's event-loop API with its `ResponseAccumulator` rather than the async API: the body is
    /// gathered on the connection's event loop as it arrives and the caller resumes once, when the response is complete,
    /// instead of once for the head and once per body part through an async sequence. The pool prefers a connection on
    /// the caller's event loop when it runs on one (the server's tasks do), so the exchange rarely changes threads.
    /// (Requiring that loop, `.delegateAndChannel`, made the pool open and close a connection per call.)
    public func send(_ spec: HTTPRequestSpec, timeout: Duration, maxBytes: Int) async throws(AdapterError) -> Response {
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
        let nanos = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            var request = try self.request(method: spec.method, url: spec.url)
            request.headers = headers
            request.body = spec.body.map { .bytes($0) }
            request.tlsConfiguration = tlsConfiguration
            // The accumulator requires 0...UInt32.max (a ByteBuffer's limit); `options.maxResponseBytes` is not range-checked.
            let limit = min(max(0, maxBytes), Int(UInt32.max))
            let task = client.execute(
                request: request, delegate: ResponseAccumulator(request: request, maxBodySize: limit), eventLoop: .indifferent,
                deadline: .now() + .nanoseconds(max(1, nanos)), logger: nil)
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

/// Reads a response body as JSON when it is JSON, as a string when it is text, null when empty.
public enum ResponseBody {
    public static func decode(_ bytes: [UInt8], contentType: String?) -> JSON {
        if bytes.isEmpty { return .null }
        let type = contentType ?? ""
        if type.isEmpty || ASCII.containsIgnoringCase(type, "json") {
            if let json = try? JSON(parsing: bytes) { return json }
        }
        return .string(String(decoding: bytes, as: UTF8.self))
    }
}
