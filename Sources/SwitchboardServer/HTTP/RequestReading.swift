import Foundation
import Hummingbird
import JSONValue
import NIOCore
import SwitchboardCore

/// Reading bodies and query parameters with the limits and errors of the API.
struct RequestReader: Sendable {
    let maxBodySize: Int

    /// The body bytes; `PAYLOAD_TOO_LARGE` (413) beyond the limit.
    func bytes(_ request: inout Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodySize {
            throw SwitchboardError.payloadTooLarge(limit: maxBodySize)
        }
        // Read here rather than with `Request.collectBody(upTo:)`: its layers of generic async functions each cost a
        // trip through the event loop's queue (about 6 per request; docs/benchmarks.md). Same result: the body is
        // kept in the request, to be read again.
        var collected: ByteBuffer?
        var iterator = request.body.makeAsyncIterator()
        while var part = try await iterator.next() {
            if (collected?.readableBytes ?? 0) + part.readableBytes > maxBodySize { throw SwitchboardError.payloadTooLarge(limit: maxBodySize) }
            if collected == nil { collected = part } else { collected!.writeBuffer(&part) }
        }
        let body = collected ?? ByteBuffer()
        request.body = RequestBody(buffer: body)
        return Array(body.readableBytesView)
    }

    /// A JSON body (JSON content type or none); `MALFORMED_BODY` (400) if it does not parse.
    func json(_ request: inout Request) async throws -> JSON {
        let type = request.headers[.contentType]
        if let type, DocumentReader.format(forContentType: type) != .some(.json) {
            throw SwitchboardError.unsupportedMediaType(type, supported: ["application/json"])
        }
        let body = try await bytes(&request)
        guard !body.isEmpty else { throw SwitchboardError.malformedBody("the request needs a JSON body") }
        return try DocumentReader.read(body, format: .json)
    }

    /// A JSON or YAML document chosen by Content-Type (sniffed when absent).
    func document(_ request: inout Request) async throws -> JSON {
        let type = request.headers[.contentType]
        guard let format = DocumentReader.format(forContentType: type) else {
            throw SwitchboardError.unsupportedMediaType(type ?? "", supported: ["application/json", "application/yaml"])
        }
        let body = try await bytes(&request)
        guard !body.isEmpty else { throw SwitchboardError.malformedBody("the request needs a JSON or YAML body") }
        return try DocumentReader.read(body, format: format)
    }
}

/// Query parameters, validated, with 400 `INVALID_PARAMETER` naming the parameter.
///
/// A free-text filter left empty (`?search=`) counts as absent; a typed parameter (boolean, integer, enumeration,
/// date-time, cursor) given an empty value is as invalid as any other value that is not of its type.
struct QueryReader {
    let parameters: [String: String]

    init(_ request: Request) {
        var p: [String: String] = [:]
        // NUL (`%00`) read as U+FFFD, as the store keeps it (`String.withoutNUL`): a filter holding one matches what was
        // stored from it on both engines (PostgreSQL refused it with 400 INVALID_VALUE, SQLite answered an empty page).
        for (k, v) in request.uri.queryParameters { p[String(k)] = String(v).withoutNUL }
        parameters = p
    }

    /// A free-text value; nil when absent or empty.
    func string(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// The value as given, empty included: what typed parameters parse.
    func value(_ name: String) -> String? { parameters[name] }

    func bool(_ name: String) throws(SwitchboardError) -> Bool? {
        guard let v = value(name) else { return nil }
        switch v.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Self.invalid(name, "must be true or false")
        }
    }

    func limit(default d: Int = 50, max m: Int = 200) throws(SwitchboardError) -> Int {
        guard let v = value("limit") else { return d }
        guard let n = Int(v), n >= 1, n <= m else { throw Self.invalid("limit", "must be an integer from 1 to \(m)") }
        return n
    }

    func cursor() throws(SwitchboardError) -> Cursor? {
        guard let v = value("cursor") else { return nil }
        return try Cursor(decoding: v)
    }

    func timestamp(_ name: String) throws(SwitchboardError) -> Timestamp? {
        guard let v = value(name) else { return nil }
        guard let t = Timestamp(iso8601: v) else { throw Self.invalid(name, "must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z") }
        return t
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws(SwitchboardError) -> E? where E.RawValue == String {
        guard let v = value(name) else { return nil }
        guard let e = E(rawValue: v) ?? E(rawValue: v.uppercased()) ?? E(rawValue: v.lowercased()) else {
            throw Self.invalid(name, "'\(v)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    static func invalid(_ name: String, _ message: String) -> SwitchboardError {
        .badRequest("query parameter '\(name)' \(message)", code: "INVALID_PARAMETER", problems: [Problem(path: name, message: message)])
    }
}

extension RequestContext {
    /// A path parameter, required by the route, percent-decoded (`get%3Fx` is `get?x`); 400 `INVALID_PARAMETER` when
    /// its percent-encoding is malformed.
    func path(_ name: String) throws -> String {
        guard let v = parameters.get(name) else { throw SwitchboardError.badRequest("missing path parameter \(name)") }
        guard v.utf8.contains(UInt8(ascii: "%")) else { return v }
        guard let decoded = v.removingPercentEncoding else { throw Self.invalidPath(name, "is not valid percent-encoding") }
        return decoded.withoutNUL
    }

    /// A semantic version from the path; 400 `INVALID_PARAMETER` if malformed.
    func versionParameter(_ name: String = "version") throws -> SemanticVersion {
        let text = try path(name)
        guard let v = SemanticVersion(text) else { throw Self.invalidPath(name, "'\(text)' is not a semantic version such as 1.0.0") }
        return v
    }

    static func invalidPath(_ name: String, _ message: String) -> SwitchboardError {
        .badRequest("path parameter '\(name)' \(message)", code: "INVALID_PARAMETER", problems: [Problem(path: name, message: message)])
    }
}
