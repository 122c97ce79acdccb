import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import Synchronization

/// A lean HTTP/1.1 client for plain `http://` upstreams: keep-alive connections kept per event loop and origin, the
/// exchange run on the loop of the connection with no pool lock, no URL parse beyond splitting the origin off, and the
/// body gathered on the loop so the caller resumes once.
///
/// AsyncHTTPClient's request bag, pool state machine and delegate protocol were the largest single cost of a call
/// through the execute path (docs/benchmarks.md); this client does what an upstream call needs and no more:
/// - connections: at most `maxIdlePerOrigin` idle per origin and loop, closed after `idleTimeout` unused, never
///   reused after `Connection: close`, an HTTP/1.0 answer without keep-alive, or a failed exchange;
/// - one deadline per exchange (connect included) and a separate connect timeout;
/// - gzip and deflate answers decompressed (at most `decompressionRatio` times the compressed size), the body
///   limited to `maxBytes` after decompression;
/// - an idempotent request sent on a reused connection the upstream had already closed (it closed before any byte
///   of the answer) is sent once more on a new connection.
/// Redirects are followed by `HTTPTransport`, which also sends everything this client does not take (https, URLs
/// with user information) through AsyncHTTPClient.
final class PlainHTTPClient: Sendable {
    struct Origin: Hashable, Sendable {
        var host: String
        var port: Int

        /// The `Host` header's value: an IPv6 address in brackets, the port unless it is 80.
        /// (A byte search: `String.contains(String)` went through Foundation's NSString search, ~1% of a call.)
        var hostHeader: String {
            let name = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
            return port == 80 ? name : "\(name):\(port)"
        }
    }

    struct Request: Sendable {
        var method: HTTPMethod
        var origin: Origin
        /// Path and query, as sent on the request line.
        var target: String
        var headers: HTTPHeaders
        var body: [UInt8]?
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    enum Failure: Error, Equatable {
        case timeout
        case connectTimeout
        case connectFailed
        /// The upstream closed the connection before the whole answer came.
        case closed
        case tooLarge
        case decompressionLimit
        /// The body is not what its `Content-Encoding` says (not gzip, cut short, followed by other bytes).
        case undecodable
        case invalidResponse
        case cancelled
        case shutDown
    }

    let maxIdlePerOrigin: Int
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount
    let decompressionRatio: Int
    /// Connections opened so far (a reused connection is not counted again).
    let connectionsOpened = Atomic<Int>(0)
    private let isShutDown = Atomic<Bool>(false)
    private let group: MultiThreadedEventLoopGroup
    /// One pool per event loop of the group, each touched only on its loop.
    private let pools: [ObjectIdentifier: LoopPool]

    init(
        group: MultiThreadedEventLoopGroup = .singleton, maxIdlePerOrigin: Int = 64, connectTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60), decompressionRatio: Int = 100
    ) {
        self.group = group
        self.maxIdlePerOrigin = maxIdlePerOrigin
        self.connectTimeout = TimeAmount(connectTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.decompressionRatio = decompressionRatio
        var pools: [ObjectIdentifier: LoopPool] = [:]
        for loop in group.makeIterator() { pools[ObjectIdentifier(loop)] = LoopPool(loop: loop) }
        self.pools = pools
    }

    /// Closes every idle connection; later requests fail with `shutDown`. Exchanges in flight finish, and their
    /// connections are closed after them.
    func shutdown() async {
        isShutDown.store(true, ordering: .relaxed)
        var closing: [EventLoopFuture<Void>] = []
        for pool in pools.values { closing.append(pool.loop.submit { pool.close() }) }
        for f in closing { try? await f.get() }
    }

    deinit {
        // After `shutdown()` the pools are closed already, and the loops may be gone (a group shut down after it).
        guard !isShutDown.load(ordering: .relaxed) else { return }
        for pool in pools.values { pool.loop.execute { pool.close() } }
    }

    /// Sends `request` and gathers the answer (up to `maxBytes` of body); `deadline` bounds the whole exchange.
    func execute(_ request: Request, deadline: NIODeadline, maxBytes: Int) async throws(Failure) -> Response {
        let loop = group.any()
        guard let pool = pools[ObjectIdentifier(loop)] else { preconditionFailure("an event loop outside the client's group") }
        let exchange = Exchange(request: request, deadline: deadline, maxBytes: maxBytes, loop: loop)
        do {
            return try await withTaskCancellationHandler {
                if loop.inEventLoop {
                    start(exchange, pool: pool)
                } else {
                    loop.execute { self.start(exchange, pool: pool) }
                }
                return try await exchange.promise.futureResult.get()
            } onCancel: {
                loop.execute { exchange.fail(.cancelled) }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .invalidResponse
        }
    }

    /// Runs `exchange` on a pooled connection or a new one (on the pool's loop).
    private func start(_ exchange: Exchange, pool: LoopPool) {
        guard !exchange.finished else { return }
        guard !pool.closed else { return exchange.fail(.shutDown) }
        exchange.armDeadline()
        if let channel = pool.checkOut(exchange.request.origin, now: .now(), idleTimeout: idleTimeout),
            let handler = try? channel.pipeline.syncOperations.handler(type: ExchangeHandler.self)
        {
            // A reused connection the upstream closed meanwhile fails before any answer: an idempotent request
            // goes once more on a new connection.
            var again: (@Sendable () -> Void)? = nil
            if exchange.request.method.isIdempotent {
                again = { @Sendable [self] in self.connect(exchange, pool: pool) }
            }
            handler.run(exchange, retryOnStale: again)
            return
        }
        connect(exchange, pool: pool)
    }

    private func connect(_ exchange: Exchange, pool: LoopPool) {
        guard !exchange.finished else { return }
        let origin = exchange.request.origin
        let remaining = exchange.deadline - .now()
        let timeout = min(connectTimeout, max(remaining, .milliseconds(1)))
        let ratio = decompressionRatio
        let bootstrap = ClientBootstrap(group: pool.loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHTTPClientHandlers(leftOverBytesStrategy: .fireError)
                    try sync.addHandler(NIOHTTPResponseDecompressor(limit: .ratio(ratio)))
                    try sync.addHandler(ExchangeHandler(pool: pool, origin: origin, maxIdle: self.maxIdlePerOrigin, idleTimeout: self.idleTimeout))
                }
            }
        let connecting: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: origin.host, port: origin.port) {
            connecting = bootstrap.connect(to: address)
        } else {
            connecting = bootstrap.connect(host: origin.host, port: origin.port)
        }
        connecting.whenComplete { result in
            switch result {
            case .success(let channel):
                self.connectionsOpened.add(1, ordering: .relaxed)
                guard let handler = try? channel.pipeline.syncOperations.handler(type: ExchangeHandler.self) else {
                    channel.close(promise: nil)
                    return exchange.fail(.invalidResponse)
                }
                guard !exchange.finished else {
                    // The exchange ended while connecting (its deadline, or the caller's cancellation): the new
                    // connection is kept for the next exchange rather than left open and unowned.
                    if !pool.park(channel, origin: origin, maxIdle: self.maxIdlePerOrigin, idleTimeout: self.idleTimeout) {
                        channel.close(promise: nil)
                    }
                    return
                }
                handler.run(exchange, retryOnStale: nil)
            case .failure(let error):
                if case .connectTimeout? = error as? ChannelError {
                    exchange.fail(exchange.deadline <= .now() ? .timeout : .connectTimeout)
                } else {
                    exchange.fail(.connectFailed)
                }
            }
        }
    }

    /// The idle connections of one event loop, by origin. Touched only on `loop`.
    final class LoopPool: @unchecked Sendable {
        let loop: any EventLoop
        var idle: [Origin: [(channel: any Channel, since: NIODeadline)]] = [:]
        var closed = false
        var sweeper: RepeatedTask?

        init(loop: any EventLoop) { self.loop = loop }

        /// The most recently parked live connection to `origin`, if any; connections idle too long are closed.
        func checkOut(_ origin: Origin, now: NIODeadline, idleTimeout: TimeAmount) -> (any Channel)? {
            while let last = idle[origin]?.popLast() {
                if last.channel.isActive && now - last.since < idleTimeout { return last.channel }
                last.channel.close(promise: nil)
            }
            return nil
        }

        /// Parks `channel` for reuse; false when it cannot be kept (pool full or closed).
        func park(_ channel: any Channel, origin: Origin, maxIdle: Int, idleTimeout: TimeAmount) -> Bool {
            guard !closed, (idle[origin]?.count ?? 0) < maxIdle else { return false }
            idle[origin, default: []].append((channel, .now()))
            if sweeper == nil {
                sweeper = loop.scheduleRepeatedTask(initialDelay: idleTimeout, delay: idleTimeout) { [unowned self] _ in
                    self.sweep(idleTimeout: idleTimeout)
                }
            }
            return true
        }

        func remove(_ channel: any Channel, origin: Origin) {
            idle[origin]?.removeAll { $0.channel === channel }
        }

        func sweep(idleTimeout: TimeAmount) {
            let now = NIODeadline.now()
            for (origin, list) in idle {
                let (keep, expired) = (list.filter { now - $0.since < idleTimeout }, list.filter { now - $0.since >= idleTimeout })
                for e in expired { e.channel.close(promise: nil) }
                idle[origin] = keep.isEmpty ? nil : keep
            }
        }

        func close() {
            closed = true
            sweeper?.cancel()
            sweeper = nil
            for list in idle.values { for e in list { e.channel.close(promise: nil) } }
            idle.removeAll()
        }
    }

    /// One request and its answer as it arrives. Touched only on `loop`.
    final class Exchange: @unchecked Sendable {
        let request: Request
        let deadline: NIODeadline
        let maxBytes: Int
        let loop: any EventLoop
        let promise: EventLoopPromise<Response>
        var head: HTTPResponseHead?
        var body: ByteBuffer?
        var finished = false
        var timer: Scheduled<Void>?
        /// Called when the exchange fails, to close the connection it was using.
        var onFail: (() -> Void)?

        init(request: Request, deadline: NIODeadline, maxBytes: Int, loop: any EventLoop) {
            self.request = request
            self.deadline = deadline
            self.maxBytes = maxBytes
            self.loop = loop
            self.promise = loop.makePromise(of: Response.self)
        }

        func armDeadline() {
            guard timer == nil else { return }
            timer = loop.scheduleTask(deadline: deadline) { [self] in fail(.timeout) }
        }

        func succeed(_ response: Response) {
            guard !finished else { return }
            finished = true
            timer?.cancel()
            onFail = nil
            promise.succeed(response)
        }

        func fail(_ failure: Failure) {
            guard !finished else { return }
            finished = true
            timer?.cancel()
            let close = onFail
            onFail = nil
            close?()
            promise.fail(failure)
        }
    }

    /// Writes an exchange's request and gathers its answer; parks the connection afterwards when it can be reused.
    /// Touched only on its channel's loop.
    final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        let pool: LoopPool
        let origin: Origin
        let maxIdle: Int
        let idleTimeout: TimeAmount
        var context: ChannelHandlerContext?
        var exchange: Exchange?
        var retryOnStale: (@Sendable () -> Void)?
        var received = false
        var informational = false

        init(pool: LoopPool, origin: Origin, maxIdle: Int, idleTimeout: TimeAmount) {
            self.pool = pool
            self.origin = origin
            self.maxIdle = maxIdle
            self.idleTimeout = idleTimeout
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

        func run(_ exchange: Exchange, retryOnStale: (@Sendable () -> Void)?) {
            guard !exchange.finished else { return }
            guard let context, context.channel.isActive else {
                // Closed by the upstream since it was parked.
                if let retryOnStale { retryOnStale() } else { exchange.fail(.closed) }
                return
            }
            self.exchange = exchange
            self.retryOnStale = retryOnStale
            received = false
            informational = false
            let channel = context.channel
            exchange.onFail = { channel.close(promise: nil) }
            let r = exchange.request
            var head = HTTPRequestHead(version: .http1_1, method: r.method, uri: r.target, headers: r.headers)
            if !head.headers.contains(name: "Host") {
                head.headers.add(name: "Host", value: r.origin.hostHeader)
            }
            head.headers.remove(name: "Transfer-Encoding")
            if let body = r.body {
                head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            } else if r.method == .POST || r.method == .PUT || r.method == .PATCH {
                head.headers.replaceOrAdd(name: "Content-Length", value: "0")
            }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if let body = r.body, !body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let exchange, !exchange.finished else {
                // An answer nobody asked for (or to an exchange that already failed): the connection is unusable.
                context.close(promise: nil)
                return
            }
            received = true
            switch unwrapInboundIn(data) {
            case .head(let head):
                if head.status.code / 100 == 1 && head.status.code != 101 {
                    informational = true  // 100 Continue and the like: the real answer follows
                    return
                }
                exchange.head = head
                exchange.body = context.channel.allocator.buffer(capacity: 0)
            case .body(var part):
                guard exchange.body != nil else { return fail(.invalidResponse) }
                if exchange.body!.readableBytes + part.readableBytes > exchange.maxBytes { return fail(.tooLarge) }
                exchange.body!.writeBuffer(&part)
            case .end:
                if informational {
                    informational = false
                    return
                }
                guard let head = exchange.head else { return fail(.invalidResponse) }
                self.exchange = nil
                retryOnStale = nil
                exchange.onFail = nil
                let response = Response(status: Int(head.status.code), headers: head.headers, body: exchange.body ?? ByteBuffer())
                let reusable = head.isKeepAlive && !exchange.request.headers.contains(name: "Connection", value: "close")
                if !(reusable && pool.park(context.channel, origin: origin, maxIdle: maxIdle, idleTimeout: idleTimeout)) {
                    context.close(promise: nil)
                }
                exchange.succeed(response)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if let e = error as? NIOHTTPDecompression.DecompressionError {
                fail(e == .limit ? .decompressionLimit : .undecodable)
            } else if error is NIOHTTPDecompression.ExtraDecompressionError {
                fail(.undecodable)
            } else if error is HTTPParserError {
                fail(.invalidResponse)
            } else {
                fail(.closed)
            }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            pool.remove(context.channel, origin: origin)
            if let exchange, !exchange.finished {
                self.exchange = nil
                if !received, let again = retryOnStale {
                    retryOnStale = nil
                    exchange.onFail = nil
                    again()
                } else {
                    exchange.fail(.closed)
                }
            }
            context.fireChannelInactive()
        }

        private func fail(_ failure: Failure) {
            guard let exchange else { return }
            self.exchange = nil
            retryOnStale = nil
            exchange.fail(failure)
        }
    }
}

extension HTTPMethod {
    /// RFC 9110 section 9.2.2.
    var isIdempotent: Bool {
        switch self {
        case .GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE: true
        default: false
        }
    }
}

extension HTTPHeaders {
    /// Whether the header named `name` lists `value` (comma-separated, case-insensitive).
    func contains(name: String, value: String) -> Bool {
        self[canonicalForm: name].contains { $0.lowercased() == value }
    }
}
