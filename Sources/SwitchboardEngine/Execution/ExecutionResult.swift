import JSONValue
import SwitchboardCore

/// The answer to a method call, in the envelope of the seed documents:
/// `{"status": "SUCCESS", "data": ..., "meta": {...}}` or `{"status": "ERROR", "error": {...}, "meta": {...}}`.
/// `meta` (and the execution id in it) is left out when the call was not recorded (an unknown connection).
public struct ExecutionResult: Sendable {
    public var executionId: String
    public var data: JSON?
    public var error: SwitchboardError?
    /// Partial data that came with a protocol error (GraphQL).
    public var partialData: JSON?
    public var attempts: Int
    public var durationMs: Double
    public var cached: Bool
    public var fallback: Bool
    /// The provider's response headers on success (not part of the API envelope; syncs page by `Link`).
    public var headers: [(name: String, value: String)] = []
    /// What the request asked the provider (a digest, compared within this process only; not part of the API envelope):
    /// two calls with the same signature got the provider's answer to the same request. Nil when the adapter cannot
    /// tell, when the answer also depends on the parameters (a response transform reading `$params`), or when it is
    /// not the provider's answer to that request (a static or another method's fallback).
    public var requestSignature: RequestSignature?
    /// Whether the call is in the executions log under `executionId` (false for an unknown connection, which has
    /// nothing to log against): the answer names an execution only if it can be read back.
    public var isRecorded = true

    public var isSuccess: Bool { error == nil }

    /// The HTTP status of the API answer: 200, or the error's status.
    public var httpStatus: Int { error?.status ?? 200 }

    public var json: JSON {
        var meta: JSONObject = [
            "executionId": .string(executionId), "attempts": .number(Double(attempts)), "durationMs": .number((durationMs * 1000).rounded() / 1000),
        ]
        if cached { meta["cached"] = true }
        if fallback { meta["fallback"] = true }
        var o: JSONObject
        if let error {
            o = ["status": "ERROR", "error": error.json]
            if let partialData { o["data"] = partialData }
        } else {
            o = ["status": "SUCCESS", "data": data ?? .null]
        }
        if isRecorded { o["meta"] = .object(meta) }
        return .object(o)
    }
}

/// The error codes of method execution, with their HTTP statuses.
public enum ExecutionErrors {
    public static func connectionNotFound(_ id: String) -> SwitchboardError {
        .notFound("no connection with id '\(id)'", code: "CONNECTION_NOT_FOUND")
    }

    public static func methodNotFound(_ name: String, _ d: IntegrationDefinition) -> SwitchboardError {
        .notFound("definition '\(d.key)' \(d.version) has no method '\(MethodExecutor.loggable(name))'", code: "METHOD_NOT_FOUND")
    }

    public static func notUsable(_ c: Connection, _ why: String? = nil) -> SwitchboardError {
        SwitchboardError(
            code: "CONNECTION_NOT_USABLE", message: why ?? "connection \(c.id) is \(c.status.rawValue); it must be CONNECTED to run methods", status: 409)
    }

    public static func invalidParams(_ problems: [Problem]) -> SwitchboardError {
        .validation("the parameters do not match the method's paramSchema", problems: problems)
    }

    public static func transform(_ which: String, _ message: String, status: Int) -> SwitchboardError {
        SwitchboardError(code: "TRANSFORM_ERROR", message: "the \(which) transform failed: \(message)", status: status)
    }

    public static func resultInvalid(_ problems: [Problem]) -> SwitchboardError {
        SwitchboardError(
            code: "RESULT_VALIDATION_ERROR", message: "the provider's response does not match the method's resultSchema",
            details: problems.map(\.json), status: 502)
    }

    public static func timeout(_ message: String, attempt: Bool) -> SwitchboardError {
        SwitchboardError(code: attempt ? "ATTEMPT_TIMEOUT" : "TIMEOUT", message: message, status: 504)
    }
}
