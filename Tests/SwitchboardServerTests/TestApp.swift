import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import NIOCore
import SwitchboardEngine
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Runs the real application (built by `buildApplication`, as `serve` does) on a fresh database of `backend`.
func withApp(
    _ backend: TestBackend, maxBodySize: Int = 1 << 20, location: StoreLocation? = nil, resilience: ResilienceRuntime? = nil,
    _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    guard let location else {
        // A location of its own, removed afterwards.
        return try await backend.withFreshLocation { fresh in
            try await withApp(backend, maxBodySize: maxBodySize, location: fresh, resilience: resilience, body)
        }
    }
    var config = ServerConfiguration(logLevel: .warning, maxBodySize: maxBodySize)
    var keyDirectory: String?
    switch location {
    case .sqlite(let dir): config.dataDirectory = dir
    case .postgres(let url):
        config.databaseURL = url
        // PostgreSQL needs a configured master key for the vault: a fresh key file per test.
        config.dataDirectory = NSTemporaryDirectory() + "switchboard-keys-" + UUID().uuidString
        keyDirectory = config.dataDirectory
        try FileManager.default.createDirectory(atPath: config.dataDirectory + "/keys", withIntermediateDirectories: true)
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try key.write(toFile: config.dataDirectory + "/keys/master-1.key", atomically: true, encoding: .utf8)
    case .sqliteFile: Issue.record("use a directory")
    }
    defer { if let keyDirectory { try? FileManager.default.removeItem(atPath: keyDirectory) } }
    let app = try await buildApplication(config, resilience: resilience)
    try await app.test(.router) { client in try await body(client) }
}

extension TestClientProtocol {
    /// Sends a request and returns the status and the parsed JSON body (null when empty).
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, json: JSON? = nil, raw: String? = nil, contentType: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> (status: Int, body: JSON, headers: HTTPFields) {
        var h = headers
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(bytes: json.serializedBytes())
            h[.contentType] = contentType ?? "application/json"
        } else if let raw {
            buffer = ByteBuffer(string: raw)
            if let contentType { h[.contentType] = contentType }
        }
        return try await execute(uri: path, method: method, headers: h, body: buffer) { response in
            let bytes = Array(response.body.readableBytesView)
            let parsed = bytes.isEmpty ? JSON.null : ((try? JSON(parsing: bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
            return (Int(response.status.code), parsed, response.headers)
        }
    }

    /// Imports a catalog file and publishes it.
    func importCatalog(_ file: String, publish: Bool = true) async throws -> JSON {
        let yaml = String(decoding: try RepositoryFiles.bytes("catalog/" + file), as: UTF8.self)
        let r = try await call(.post, "/v1/definitions" + (publish ? "?publish=true" : ""), raw: yaml, contentType: "application/yaml")
        #expect(r.status == 201, "\(r.body)")
        return r.body
    }

    /// Everything the API shows of the database, to check that failed requests changed nothing.
    func snapshot() async throws -> JSON {
        let defs = try await call(.get, "/v1/definitions?limit=200").body
        var versions: [JSON] = []
        for d in defs["items"]?.arrayValue ?? [] {
            versions.append(try await call(.get, "/v1/definitions/\(d["key"]!.stringValue!)/versions").body)
        }
        let conns = try await call(.get, "/v1/connections?limit=200").body
        return ["definitions": defs, "versions": .array(versions), "connections": conns]
    }
}

/// A minimal valid definition document.
func definition(_ key: String, version: String = "1.0.0", extra: JSONObject = [:]) -> JSON {
    var o: JSONObject = [
        "key": .string(key), "name": .string("Name of \(key)"), "version": .string(version), "category": "crm",
        "description": .string("The \(key) integration"),
        "methods": [["name": "ping", "verb": "GET", "path": "/ping"]],
    ]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}
