import JSONValue
import SwitchboardAdapters
import SwitchboardCore

/// Removes credential values from text that leaves the engine (error details, logged bodies): a provider that
/// echoes our Authorization header back must not put the secret in an error message or the executions log.
///
/// Every call makes one, but only failed calls and logged bodies redact anything, so the list of secrets is worked
/// out when first needed, not per call.
struct SecretRedactor: Sendable {
    let credentials: Credentials?

    init(_ credentials: Credentials?) {
        self.credentials = credentials
    }

    /// The values to hide, longest first (so a secret containing another is replaced whole).
    var secrets: [String] {
        guard let c = credentials else { return [] }
        var s = c.fields.filter { !["in", "name", "tokenType", "scope", "prefix", "username"].contains($0.key) }.map(\.value)
        if c.type == .basic, let user = c["username"] {
            s.append(Base64.encode(Array("\(user):\(c["password"] ?? "")".utf8)))
        }
        return s.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    func redact(_ text: String) -> String {
        guard credentials != nil else { return text }
        return Self.redact(text, secrets)
    }

    func redact(_ json: JSON) -> JSON {
        let secrets = self.secrets
        guard !secrets.isEmpty else { return json }
        return Self.redact(json, secrets)
    }

    static func redact(_ json: JSON, _ secrets: [String]) -> JSON {
        switch json {
        case .string(let s): return .string(redact(s, secrets))
        case .array(let a): return .array(a.map { redact($0, secrets) })
        case .object(let o): return .object(o.mapValues { redact($0, secrets) })
        default: return json
        }
    }

    static func redact(_ text: String, _ secrets: [String]) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacing(s, with: "[REDACTED]") }
        return out
    }
}
