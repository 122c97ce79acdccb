import ArgumentParser
import AsyncHTTPClient
import Foundation
import JSONValue
import NIOCore
import NIOHTTP1

/// Where the CLI finds the server.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "The server's base URL (env SWITCHBOARD_URL, default http://127.0.0.1:8080).") var url: String?

    var baseURL: String {
        let u = url ?? ProcessInfo.processInfo.environment["SWITCHBOARD_URL"] ?? "http://127.0.0.1:8080"
        return u.hasSuffix("/") ? String(u.dropLast()) : u
    }

    func withClient<T>(_ body: (APIClient) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
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
            throw CLIError("cannot reach the Switchboard server at \(baseURL): \(error)")
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
