import JSONValue
import SwitchboardAdapters
import SwitchboardCore

/// Removes credential values from text that leaves the engine (error details, logged bodies): a provider that
/// echoes our Authorization header back must not put the secret in an error message or the executions log.
struct SecretRedactor: Sendable {
    let secrets: [String]

    init(_ credentials: Credentials?) {
        guard let c = credentials else {
            secrets = []
            return
        }
        var s = c.fields.filter { !["in", "name", "tokenType", "scope", "prefix", "username"].contains($0.key) }.map(\.value)
        if c.type == .basic, let user = c["username"] {
            s.append(Base64.encode(Array("\(user):\(c["password"] ?? "")".utf8)))
        }
        secrets = s.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s) { out = out.replacing(s, with: "[REDACTED]") }
        return out
    }

    func redact(_ json: JSON) -> JSON {
        guard !secrets.isEmpty else { return json }
        switch json {
        case .string(let s): return .string(redact(s))
        case .array(let a): return .array(a.map(redact))
        case .object(let o): return .object(o.mapValues(redact))
        default: return json
        }
    }
}

