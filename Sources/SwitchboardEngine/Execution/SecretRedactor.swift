import JSONValue
import SwitchboardAdapters
import SwitchboardCore

/// Removes credential values from what leaves the engine (the data of an answer, error details, logged bodies): a
/// provider that echoes our Authorization header back (httpbin's `/anything` does) must not hand the connection's
/// secret to the caller, who uses the connection without being given its credentials, nor to the executions log.
///
/// The list of secrets is worked out when first needed, not when the redactor is made.
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

    /// `json` with every secret replaced, or nil when none of its strings holds one: the common case, which then
    /// costs a byte search per string and rebuilds nothing.
    func redactedIfNeeded(_ json: JSON) -> JSON? {
        let secrets = self.secrets
        guard !secrets.isEmpty else { return nil }
        return Self.redactedIfNeeded(json, secrets, secrets.map { Array($0.utf8) })
    }

    static func redactedIfNeeded(_ json: JSON, _ secrets: [String], _ needles: [[UInt8]]) -> JSON? {
        switch json {
        case .string(let s):
            var text = s
            let found = text.withUTF8 { hay in needles.contains { occurs($0, in: hay) } }
            return found ? .string(redact(s, secrets)) : nil
        case .array(let items):
            var out: [JSON]?
            for (i, item) in items.enumerated() {
                guard let r = redactedIfNeeded(item, secrets, needles) else { continue }
                if out == nil { out = items }
                out![i] = r
            }
            return out.map(JSON.array)
        case .object(let o):
            var out: JSONObject?
            for (key, value) in o {
                guard let r = redactedIfNeeded(value, secrets, needles) else { continue }
                if out == nil { out = o }
                out![key] = r
            }
            return out.map(JSON.object)
        default:
            return nil
        }
    }

    /// Whether `needle` (not empty) occurs in `hay`.
    static func occurs(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first, needle.count <= hay.count else { return false }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
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
