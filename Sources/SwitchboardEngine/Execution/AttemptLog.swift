import JSONValue
import Synchronization
import SwitchboardAdapters

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

    func note(_ r: AdapterResponse) {
        state.withLock { s in
            s.httpStatus = r.status
            s.requestBytes += r.requestBytes
            s.responseBytes += r.responseBytes
            if logBodies {
                s.requestBody = r.requestBodyText.map { s.redactor.redact(String($0.prefix(8192))) }
                s.responseBody = r.responseBodyText.map { s.redactor.redact(String($0.prefix(8192))) }
            }
        }
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
