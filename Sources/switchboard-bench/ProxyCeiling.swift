import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `switchboard-bench proxy hb|hb-lean|nio-ahc|nio-lean|hb-const --port P --upstream-port U`
///
/// The framework's ceiling for the execute path (issue 4): the least a proxy built from the pieces Switchboard uses
/// can cost, with no Switchboard code at all. Each mode answers `POST /x` by sending `GET /fast?q=bench` (with an
/// `X-Api-Key` header) to the upstream on 127.0.0.1 and returning its body:
/// - `hb`: a Hummingbird route and AsyncHTTPClient's async API (the shape of Switchboard's path);
/// - `hb-lean`: a Hummingbird route and a minimal HTTP/1.1 client on the event loop the route runs on;
/// - `nio-ahc`: a NIO channel handler (no async sequences, no tasks) and AsyncHTTPClient's event-loop API;
/// - `nio-lean`: a NIO channel handler and the minimal client on the connection's own event loop;
/// - `hb-const`: a Hummingbird route that answers a constant body without calling the upstream (the server side
///   alone, to compare with Switchboard's execute route answering without an upstream call).
/// `bench/execute-ceilings.sh` runs all four beside nginx. The minimal client is a measuring device, not a product
/// client: keep-alive connections per event loop, no timeouts, redirects, TLS or error handling.
enum ProxyCeiling {
    static func run(arguments: [String]) async throws {
        var mode: String?
        var port = 0
        var upstreamPort = 0
        var it = arguments.makeIterator()
        while let a = it.next() {
            switch a {
            case "--port": port = Int(it.next() ?? "") ?? 0
            case "--upstream-port": upstreamPort = Int(it.next() ?? "") ?? 0
            case "hb", "hb-lean", "nio-ahc", "nio-lean", "hb-const": mode = a
            default: throw BenchError("unknown option \(a)")
            }
        }
        guard let mode, port > 0, upstreamPort > 0 else { throw BenchError("usage: proxy hb|hb-lean|nio-ahc|nio-lean|hb-const --port P --upstream-port U") }
        let upstream = Upstream(port: upstreamPort)
        switch mode {
        case "hb", "hb-lean", "hb-const":
            let router = Router()
            let lean = mode == "hb-lean"
            let constant = ByteBuffer(string: #"{"ok":true,"items":[1,2,3],"name":"fast upstream"}"#)
            router.post("/x") { request, _ -> Response in
                _ = try await request.body.collect(upTo: 1 << 20)
                let body: ByteBuffer
                if mode == "hb-const" {
                    body = constant
                } else if lean {
                    let loop = MultiThreadedEventLoopGroup.singleton.any()
                    body = try await loop.flatSubmit { upstream.leanGet(on: loop) }.get()
                } else {
                    var r = HTTPClientRequest(url: upstream.url)
                    r.headers.add(name: "X-Api-Key", value: "k")
                    let response = try await upstream.client.execute(r, timeout: .seconds(30))
                    body = try await response.body.collect(upTo: 1 << 20)
                }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
            }
            var logger = Logger(label: "proxy-ceiling")
            logger.logLevel = .warning
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger).runService()
        default:
            let useAHC = mode == "nio-ahc"
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(ProxyHandler(upstream: upstream, useAHC: useAHC))
                    }
                }
                .bind(host: "127.0.0.1", port: port).get()
            try await server.closeFuture.get()
        }
    }

    final class Upstream: Sendable {
        let port: Int
        let url: String
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
        /// Idle keep-alive connections of the minimal client, per event loop (touched only on that loop).
        static let idle = ThreadSpecificVariable<IdleConnections>()

        init(port: Int) {
            self.port = port
            self.url = "http://127.0.0.1:\(port)/fast?q=bench"
        }

        func ahcGet(on loop: any EventLoop) -> EventLoopFuture<ByteBuffer> {
            var r = try! HTTPClient.Request(url: url, method: .GET)
            r.headers.add(name: "X-Api-Key", value: "k")
            return client.execute(request: r, eventLoop: .delegate(on: loop)).map { $0.body ?? ByteBuffer() }
        }

        /// The minimal client's GET, on a connection of `loop` (called on `loop`).
        func leanGet(on loop: any EventLoop) -> EventLoopFuture<ByteBuffer> {
            let pool: IdleConnections
            if let p = Self.idle.currentValue { pool = p } else {
                pool = IdleConnections()
                Self.idle.currentValue = pool
            }
            let promise = loop.makePromise(of: ByteBuffer.self)
            @Sendable func send(_ channel: any Channel) {
                guard let handler = try? channel.pipeline.syncOperations.handler(type: ResponseCollector.self) else {
                    promise.fail(ChannelError.ioOnClosedChannel)
                    return
                }
                handler.promise = promise
                var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/fast?q=bench")
                head.headers.add(name: "Host", value: "127.0.0.1")
                head.headers.add(name: "X-Api-Key", value: "k")
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                promise.futureResult.whenSuccess { _ in pool.channels.append(channel) }
            }
            while let last = pool.channels.last, !last.isActive { pool.channels.removeLast() }
            if let channel = pool.channels.popLast() {
                send(channel)
            } else {
                ClientBootstrap(group: loop).channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                    }
                }.connect(host: "127.0.0.1", port: port).whenComplete { result in
                    switch result {
                    case .success(let channel): send(channel)
                    case .failure(let error): promise.fail(error)
                    }
                }
            }
            return promise.futureResult
        }
    }

    /// Touched only on its event loop.
    final class IdleConnections: @unchecked Sendable { var channels: [any Channel] = [] }

    /// Touched only on its channel's event loop.
    final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        var promise: EventLoopPromise<ByteBuffer>?
        var body = ByteBuffer()

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: body = context.channel.allocator.buffer(capacity: 256)
            case .body(var part): body.writeBuffer(&part)
            case .end:
                let p = promise
                promise = nil
                p?.succeed(body)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise?.fail(ChannelError.ioOnClosedChannel)
            promise = nil
        }
    }

    /// Touched only on its channel's event loop.
    final class ProxyHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let upstream: Upstream
        let useAHC: Bool

        init(upstream: Upstream, useAHC: Bool) {
            self.upstream = upstream
            self.useAHC = useAHC
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            (useAHC ? upstream.ahcGet(on: loop) : upstream.leanGet(on: loop)).hop(to: loop).whenComplete { result in
                let context = bound.value
                var head = HTTPResponseHead(version: .http1_1, status: .ok)
                var body = ByteBuffer()
                switch result {
                case .success(let b): body = b
                case .failure: head.status = .badGateway
                }
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(body.readableBytes))
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
