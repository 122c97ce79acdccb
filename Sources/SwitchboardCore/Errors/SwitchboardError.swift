import JSONValue

/// The one error shape of Switchboard: a stable machine code, a human message, details and an HTTP status.
///
/// Serialized by the server as `{"error": {"code": "VALIDATION_ERROR", "message": "...", "details": [...]}}`.
/// Messages and details never contain secret values.
public struct SwitchboardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var details: [JSON]
    /// The HTTP status the API answers with.
    public var status: Int
    /// Seconds after which a retry may succeed (rate limits, open circuits).
    public var retryAfter: Double?

    public init(code: String, message: String, details: [JSON] = [], status: Int, retryAfter: Double? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.status = status
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(message)" }

    /// The `{"code", "message", "details"}` object (without the outer `error` key).
    public var json: JSON {
        var o: JSONObject = ["code": .string(code), "message": .string(message), "details": .array(details)]
        if let retryAfter { o["retryAfter"] = .number(retryAfter) }
        return .object(o)
    }
}

extension SwitchboardError {
    /// 422: the request is well-formed but its content breaks rules; `problems` lists each one.
    public static func validation(_ message: String, problems: [Problem] = []) -> SwitchboardError {
        SwitchboardError(code: "VALIDATION_ERROR", message: message, details: problems.map(\.json), status: 422)
    }

    /// 400: the body or a parameter cannot be read at all (malformed JSON/YAML, wrong type of parameter).
    public static func badRequest(_ message: String, code: String = "BAD_REQUEST", problems: [Problem] = []) -> SwitchboardError {
        SwitchboardError(code: code, message: message, details: problems.map(\.json), status: 400)
    }

    public static func malformedBody(_ message: String) -> SwitchboardError {
        SwitchboardError(code: "MALFORMED_BODY", message: message, status: 400)
    }

    public static func notFound(_ what: String, code: String = "NOT_FOUND") -> SwitchboardError {
        SwitchboardError(code: code, message: what, status: 404)
    }

    public static func conflict(_ message: String, code: String = "CONFLICT") -> SwitchboardError {
        SwitchboardError(code: code, message: message, status: 409)
    }

    public static func preconditionFailed(_ message: String) -> SwitchboardError {
        SwitchboardError(code: "PRECONDITION_FAILED", message: message, status: 412)
    }

    public static func payloadTooLarge(limit: Int) -> SwitchboardError {
        SwitchboardError(code: "PAYLOAD_TOO_LARGE", message: "request body is larger than the limit of \(limit) bytes", status: 413)
    }

    public static func unsupportedMediaType(_ type: String, supported: [String]) -> SwitchboardError {
        SwitchboardError(
            code: "UNSUPPORTED_MEDIA_TYPE",
            message: "content type '\(type)' is not supported\(type.lowercased().contains("charset") ? " (bodies are read as UTF-8)" : ""); use one of \(supported.joined(separator: ", "))",
            status: 415
        )
    }

    public static func internalError(_ message: String = "internal error") -> SwitchboardError {
        SwitchboardError(code: "INTERNAL_ERROR", message: message, status: 500)
    }

    public static func unavailable(_ message: String, code: String = "UNAVAILABLE") -> SwitchboardError {
        SwitchboardError(code: code, message: message, status: 503)
    }
}

/// One problem found while validating input: where (a JSON Pointer into the input) and what.
public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var json: JSON { ["path": .string(path), "message": .string(message)] }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// An error of a lower layer that stands for an API error when it reaches a caller: the store's "database unavailable"
/// is a 503 `DATABASE_UNAVAILABLE`. The method executor, which answers every failure in its envelope, answers with it
/// instead of a 500.
public protocol SwitchboardErrorConvertible: Error {
    /// The API error, or nil when this one has none (an internal error).
    var switchboardError: SwitchboardError? { get }
}
