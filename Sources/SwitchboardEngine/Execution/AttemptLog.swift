import JSONValue
import SwitchboardAdapters
import SwitchboardCore
import Synchronization

/// Facts about the attempts of one call, gathered from inside the resilience pipeline's (concurrent-safe) closure.
final class AttemptLog: Sendable {
    private struct State {
        var attempts = 0
        var httpStatus: Int?
        var requestBytes = 0
        var responseBytes = 0
        var requestBody: String?
        var responseBody: String?
        var refreshed = false
        var redactor: SecretRedactor
    }

    private let state: Mutex<State>
    let logBodies: Bool

    init(redactor: SecretRedactor, logBodies: Bool) {
        state = Mutex(State(redactor: redactor))
        self.logBodies = logBodies
    }

    var redactor: SecretRedactor {
        get { state.withLock { $0.redactor } }
        set { state.withLock { $0.redactor = newValue } }
    }

    func begin() { state.withLock { $0.attempts += 1 } }
    /// The attempt `begin` counted sent nothing: the adapter refused the request before it reached the provider.
    func sentNothing() { state.withLock { $0.attempts -= 1 } }

    func note(_ r: AdapterResponse) {
        state.withLock { s in
            s.httpStatus = r.status
            s.requestBytes += r.requestBytes
            s.responseBytes += r.responseBytes
            if logBodies {
                // Redacted whole, then cut: a secret across the cut is still found. NUL becomes U+FFFD before the cut
                // (PostgreSQL's text cannot hold it; the store would make each 1 byte 3 after it, beyond the limit).
                s.requestBody = r.requestBodyText.map { Self.truncated(s.redactor.redact($0).withoutNUL, maxBytes: Self.maxLoggedBodyBytes) }
                s.responseBody = r.responseBodyText.map { Self.truncated(s.redactor.redact($0).withoutNUL, maxBytes: Self.maxLoggedBodyBytes) }
            }
        }
    }

    /// The most of a body the executions log keeps (UTF-8 bytes).
    static let maxLoggedBodyBytes = 8192

    /// The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not cut a character's encoding.
    static func truncated(_ text: String, maxBytes: Int) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.count > maxBytes else { return text }
        var end = maxBytes
        while end > 0, utf8[end] & 0xC0 == 0x80 { end -= 1 }  // a continuation byte: the cut is inside a character
        return String(decoding: utf8[..<end], as: UTF8.self)
    }

    /// True the first time only: a call refreshes its credentials at most once.
    func claimRefresh() -> Bool {
        state.withLock { s in
            defer { s.refreshed = true }
            return !s.refreshed
        }
    }

    func copy(into trace: inout MethodExecutor.Trace) {
        let s = state.withLock { $0 }
        trace.attempts += s.attempts
        trace.httpStatus = s.httpStatus ?? trace.httpStatus
        trace.requestBytes += s.requestBytes
        trace.responseBytes += s.responseBytes
        trace.requestBody = s.requestBody ?? trace.requestBody
        trace.responseBody = s.responseBody ?? trace.responseBody
    }
}

/// A protocol-level failure (GraphQL errors, SOAP Fault) inside a transport success; not retried.
struct ProtocolFailure: Error {
    let response: AdapterResponse
}
