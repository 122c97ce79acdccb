import ArgumentParser
import AsyncHTTPClient
import Foundation
import JSONValue
import NIOCore
import NIOHTTP1
import NIOPosix

/// Where the CLI finds the server.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "The server's base URL (env SWITCHBOARD_URL, default http://127.0.0.1:8080).") var url: String?

    var baseURL: String {
        let u = url ?? ProcessInfo.processInfo.environment["SWITCHBOARD_URL"] ?? "http://127.0.0.1:8080"
        return u.hasSuffix("/") ? String(u.dropLast()) : u
    }

    func withClient<T>(_ body: (APIClient) async throws -> T) async throws -> T {
        // A server that is not there is told at once ("connection refused"), not after the client's retries.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(APIClient(http: http, baseURL: baseURL))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// A small JSON client of the management API.
struct APIClient {
    let http: HTTPClient
    let baseURL: String

    func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws -> (Int, JSON) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(60))
        } catch {
            throw CLIError.unreachable(baseURL, error)
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let json = (try? JSON(parsing: Array(bytes.readableBytesView))) ?? .null
        return (Int(response.status.code), json)
    }
}

/// A failure the CLI reports on stderr ("Error: ...") with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The server at `baseURL` could not be reached: "cannot reach the Switchboard server at URL: connection refused".
    static func unreachable(_ baseURL: String, _ error: any Error) -> CLIError {
        CLIError("cannot reach the Switchboard server at \(baseURL): \(reason(error))")
    }

    /// A transport failure in a few words: the system's text for an errno (`connection refused`), else the client's.
    static func reason(_ error: any Error) -> String {
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
        if let e = error as? NIOConnectionError, let first = e.connectionErrors.first { return reason(first.error) }
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(e)"
            }
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return "the connection timed out" }
        return "\(error)"
    }
}

func describeError(status: Int, body: JSON) -> String {
    guard let e = body["error"] else { return "HTTP \(status)" }
    var s = "\(e["code"]?.stringValue ?? "ERROR"): \(e["message"]?.stringValue ?? "")"
    for d in e["details"]?.arrayValue ?? [] {
        s += "\n  \(d["path"]?.stringValue ?? ""): \(d["message"]?.stringValue ?? "")"
    }
    return s
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    return [UInt8](data)
}

/// `s` percent-encoded for a path segment or a query value: everything but RFC 3986's unreserved characters.
func percentEncode(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
}

private let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
