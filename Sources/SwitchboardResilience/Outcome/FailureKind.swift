/// What kind of failure an attempt ended with, as far as the resilience layers care.
///
/// The raw values are the names used in definitions (`retryOn: [timeout, connection_reset]`).
public enum FailureKind: String, Sendable, Hashable, CaseIterable {
    /// The upstream answered with an HTTP status that the operation treats as an error.
    case httpStatus = "http_status"
    /// The attempt timed out (connect, read, or the attempt timeout layer).
    case timeout
    /// The connection was reset or closed mid-request.
    case connectionReset = "connection_reset"
    /// The connection was refused: the request never reached the upstream.
    case connectionRefused = "connection_refused"
    /// The host name did not resolve: the request never left.
    case dnsFailure = "dns_failure"
    /// The network or host is unreachable: the request never left.
    case networkUnreachable = "network_unreachable"
    /// TLS handshake or certificate failure.
    case tlsFailure = "tls_failure"
    /// The call was cancelled (caller went away or the total timeout fired).
    case cancelled
    /// Anything else (a bug, a decoding failure, an error the operation did not classify).
    case other

    /// Whether a failure of this kind proves the request was never sent, so retrying is safe
    /// even for a non-idempotent method.
    public var provesRequestNotSent: Bool {
        switch self {
        case .connectionRefused, .dnsFailure, .networkUnreachable: true
        default: false
        }
    }
}
