/// How one failed attempt looked to the resilience layers: HTTP status, headers and failure kind.
///
/// The retry layer reads the status and kind to decide whether to retry, and the headers for
/// `Retry-After` and provider rate-limit resets; the circuit breaker reads the same to decide
/// whether the failure counts against the upstream's health.
public struct AttemptFailure: Sendable, Equatable {
    /// The HTTP status, when the upstream answered.
    public var status: Int?
    /// The kind of failure (`.httpStatus` when the upstream answered with an error status).
    public var kind: FailureKind
    /// The response headers, when the upstream answered.
    public var headers: HeaderFields

    public init(status: Int? = nil, kind: FailureKind, headers: HeaderFields = HeaderFields()) {
        self.status = status
        self.kind = kind
        self.headers = headers
    }

    /// An upstream error response.
    public static func http(_ status: Int, headers: HeaderFields = HeaderFields()) -> AttemptFailure {
        AttemptFailure(status: status, kind: .httpStatus, headers: headers)
    }

    /// A transport or local failure without a response.
    public static func kind(_ kind: FailureKind) -> AttemptFailure {
        AttemptFailure(kind: kind)
    }
}

/// An error an operation throws to tell the resilience layers what happened.
///
/// Adapters' errors conform to this, so the pipeline can classify them; an error that does not
/// conform is classified as ``FailureKind/other`` (not retried, counted as a breaker failure).
///
/// ```swift
/// struct UpstreamHTTPError: Error, ResilienceClassifiable {
///     var status: Int; var headers: HeaderFields
///     var attemptFailure: AttemptFailure { .http(status, headers: headers) }
/// }
/// ```
public protocol ResilienceClassifiable: Error {
    /// The failure as the resilience layers see it.
    var attemptFailure: AttemptFailure { get }
}

extension AttemptFailure {
    /// Classifies any error thrown by an operation.
    public static func classify(_ error: any Error) -> AttemptFailure {
        if let e = error as? any ResilienceClassifiable { return e.attemptFailure }
        if error is CancellationError { return .kind(.cancelled) }
        return .kind(.other)
    }
}
