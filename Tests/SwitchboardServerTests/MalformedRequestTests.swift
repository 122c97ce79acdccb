import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Requests the HTTP/1.1 parser cannot read get the API's error body with a stable code, on a live server over a raw
/// socket (a client library would refuse to send them). They used to get a bare `400` with no body.
@Suite struct MalformedRequestTests {
    @Test func requestsTheParserCannotReadGetAnErrorWithACode() async throws {
        try await TestBackend.sqlite.withFreshLocation { location in
            guard case .sqlite(let dir) = location else { return }
            var config = ServerConfiguration(logLevel: .warning)
            config.dataDirectory = dir
            let app = try await buildApplication(config)
            try await app.test(.live) { client in
                let port = try #require(client.port)

                // A URL over the parser's 80 KB.
                let long = try await Self.exchange(port: port, "GET /v1/definitions?search=\(String(repeating: "x", count: 100_000)) HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(long.status == 431, "\(long.text.prefix(300))")
                #expect(long.body["error"]?["code"] == "REQUEST_HEADERS_TOO_LARGE", "\(long.text.prefix(300))")
                #expect(long.head.lowercased().contains("connection: close"))
                #expect(long.head.lowercased().contains("content-type: application/json"))

                // Not HTTP: an invalid method, a header name with a space.
                for raw in ["BR@KEN / HTTP/1.1\r\nHost: a\r\n\r\n", "GET /health HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"] {
                    let answer = try await Self.exchange(port: port, raw)
                    #expect(answer.status == 400, "\(answer.text)")
                    #expect(answer.body["error"]?["code"] == "MALFORMED_REQUEST", "\(answer.text)")
                    #expect(answer.body["error"]?["message"]?.stringValue?.hasPrefix("the request is not valid HTTP/1.1") == true, "\(answer.text)")
                }

                // After a good request on a kept-alive connection: its answer, then the error.
                let both = try await Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: a\r\n\r\nBR@KEN / HTTP/1.1\r\nHost: a\r\n\r\n")
                #expect(both.text.hasPrefix("HTTP/1.1 200"), "\(both.text)")
                #expect(both.text.components(separatedBy: "HTTP/1.1 400").count == 2, "\(both.text)")
                #expect(both.body["error"]?["code"] == "MALFORMED_REQUEST", "\(both.text)")

                // The server still answers.
                #expect(try await client.execute(uri: "/health", method: .get) { $0.status } == .ok)
            }
        }
    }

    /// A body sent in chunks, with no Content-Length to refuse it by: read part by part up to the limit, then 413
    /// `PAYLOAD_TOO_LARGE` (in the execution envelope on the execute route); parts within the limit are joined.
    @Test func chunkedBodiesAreJoinedAndLimited() async throws {
        try await TestBackend.sqlite.withFreshLocation { location in
            guard case .sqlite(let dir) = location else { return }
            var config = ServerConfiguration(logLevel: .warning, maxBodySize: 1000)
            config.dataDirectory = dir
            let app = try await buildApplication(config)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                func chunked(_ path: String, _ parts: [String]) -> String {
                    var raw = "POST \(path) HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    for part in parts { raw += String(part.utf8.count, radix: 16) + "\r\n" + part + "\r\n" }
                    return raw + "0\r\n\r\n"
                }
                let big = ["{\"q\": \"" + String(repeating: "x", count: 600), String(repeating: "y", count: 600) + "\"}"]

                let execute = try await Self.exchange(port: port, chunked("/v1/connections/conn_x/methods/get", big))
                #expect(execute.status == 413, "\(execute.text.prefix(300))")
                #expect(execute.body["status"] == "ERROR", "\(execute.text.prefix(300))")
                #expect(execute.body["error"]?["code"] == "PAYLOAD_TOO_LARGE", "\(execute.text.prefix(300))")

                let definitions = try await Self.exchange(port: port, chunked("/v1/definitions", big))
                #expect(definitions.status == 413, "\(definitions.text.prefix(300))")
                #expect(definitions.body["error"]?["code"] == "PAYLOAD_TOO_LARGE", "\(definitions.text.prefix(300))")

                // Within the limit, in three parts: read as one document (the connection does not exist, so the
                // parameters were read and the call got as far as looking it up).
                let joined = try await Self.exchange(port: port, chunked("/v1/connections/conn_x/methods/get", ["{\"q\"", ": \"he", "llo\"}"]))
                #expect(joined.status == 404, "\(joined.text.prefix(300))")
                #expect(joined.body["error"]?["code"] == "CONNECTION_NOT_FOUND", "\(joined.text.prefix(300))")
                let split = try await Self.exchange(port: port, chunked("/v1/definitions", ["{\"key\": \"", "x\""]))
                #expect(split.status == 400, "\(split.text.prefix(300))")
                #expect(split.body["error"]?["code"] == "MALFORMED_BODY", "\(split.text.prefix(300))")
            }
        }
    }

    /// Sends `request` on a new connection to 127.0.0.1:`port` and reads until the server closes it, on a thread of its
    /// own (blocking socket calls must not hold the concurrency pool).
    static func exchange(port: Int, _ request: String) async throws -> (status: Int, head: String, body: JSON, text: String) {
        let text: String = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                        guard fd >= 0 else { throw TestSetupError("socket() failed") }
                        defer { close(fd) }
                        var timeout = timeval(tv_sec: 30, tv_usec: 0)
                        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                        var address = sockaddr_in()
                        address.sin_family = sa_family_t(AF_INET)
                        address.sin_port = in_port_t(UInt16(port).bigEndian)
                        address.sin_addr.s_addr = inet_addr("127.0.0.1")
                        let connected = withUnsafePointer(to: &address) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                        }
                        guard connected == 0 else { throw TestSetupError("connect() failed") }
                        var bytes = Array(request.utf8)[...]
                        while !bytes.isEmpty {
                            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                            if n <= 0 { break }  // the server may close before reading everything
                            bytes = bytes.dropFirst(n)
                        }
                        var received: [UInt8] = []
                        var chunk = [UInt8](repeating: 0, count: 65_536)
                        while true {
                            let n = recv(fd, &chunk, chunk.count, 0)
                            if n <= 0 { break }
                            received += chunk[0..<n]
                        }
                        return String(decoding: received, as: UTF8.self)
                    })
            }.start()
        }
        // The answers, read one after the other by their Content-Length; the last one is returned.
        var rest = Substring(text)
        var last: (status: Int, head: String, body: JSON) = (0, "", .null)
        while let end = rest.range(of: "\r\n\r\n") {
            let head = String(rest[..<end.lowerBound])
            let length = head.split(separator: "\r\n").lazy
                .compactMap { line -> Int? in
                    let pair = line.split(separator: ":", maxSplits: 1)
                    guard pair.count == 2, pair[0].lowercased() == "content-length" else { return nil }
                    return Int(pair[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
            let body = rest[end.upperBound...].prefix(length)
            last = (Int(head.dropFirst("HTTP/1.1 ".count).prefix(3)) ?? 0, head, (try? JSON(parsing: String(body))) ?? .null)
            rest = rest[end.upperBound...].dropFirst(length)
        }
        return (last.status, last.head, last.body, text)
    }
}
