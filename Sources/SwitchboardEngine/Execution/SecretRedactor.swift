import JSONValue
import SwitchboardAdapters
import SwitchboardCore

/// Removes credential values from what leaves the engine (the data of an answer, error details, logged bodies): a
/// provider that echoes our Authorization header back (httpbin's `/anything` does) must not hand the connection's
/// secret to the caller, who uses the connection without being given its credentials, nor to the executions log.
///
/// A secret is found however the provider wrote it back: as sent, percent-encoded (any case, any set of characters
/// encoded, `+` for a space: an API key sent in the query comes back inside a re-encoded URL), JSON-escaped (`\"`,
/// `\\`, `\/`, `\u00e4`, surrogate pairs: a raw response body logged as text) or as XML character references (`&amp;`,
/// `&#228;`: a SOAP answer). The whole escaped occurrence is replaced.
///
/// The list of secrets is worked out when first needed, not when the redactor is made.
struct SecretRedactor: Sendable {
    static let mask = "[REDACTED]"
    let credentials: Credentials?

    init(_ credentials: Credentials?) {
        self.credentials = credentials
    }

    /// The values to hide, longest first (so a secret containing another is replaced whole).
    var secrets: [String] {
        guard let c = credentials else { return [] }
        var s = c.fields.filter { !["in", "name", "tokenType", "scope", "prefix", "username"].contains($0.key) }.map(\.value)
        switch c.type {
        case .custom:
            // Every string of the values, however deep: `values.headers` values are sent as headers, others may be
            // read by templates. (The top-level ones are in `fields` too.)
            Self.collectStrings(.object(c.extra), into: &s)
        case .oauth2:
            // The raw token response: the tokens as the authorization server issued them (an `id_token` too).
            for key in ["access_token", "refresh_token", "id_token"] { if let v = c.extra[key]?.stringValue { s.append(v) } }
        default:
            break
        }
        if c.type == .basic, let user = c["username"] {
            s.append(Base64.encode(Array("\(user):\(c["password"] ?? "")".utf8)))
        }
        return Set(s.filter { $0.count >= Credentials.minimumSecretLength }).sorted { $0.utf8.count > $1.utf8.count }
    }

    static func collectStrings(_ json: JSON, into out: inout [String]) {
        switch json {
        case .string(let v): out.append(v)
        case .array(let items): for item in items { collectStrings(item, into: &out) }
        case .object(let members): for (_, v) in members { collectStrings(v, into: &out) }
        default: break
        }
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
    /// costs a scan per string and rebuilds nothing.
    func redactedIfNeeded(_ json: JSON) -> JSON? {
        let secrets = self.secrets
        guard !secrets.isEmpty else { return nil }
        return Self.redactedIfNeeded(json, SecretMatcher(secrets))
    }

    static func redactedIfNeeded(_ json: JSON, _ matcher: SecretMatcher) -> JSON? {
        switch json {
        case .string(let s):
            return matcher.redactedIfNeeded(s).map(JSON.string)
        case .array(let items):
            var out: [JSON]?
            for (i, item) in items.enumerated() {
                guard let r = redactedIfNeeded(item, matcher) else { continue }
                if out == nil { out = items }
                out![i] = r
            }
            return out.map(JSON.array)
        case .object(let o):
            // A member's name is checked too: a response transform (`{url: 1}`) or a provider can make one of a secret.
            // Names that differ only by a secret become one member, the last value kept.
            if o.keys.contains(where: { matcher.redactedIfNeeded($0) != nil }) {
                return .object(JSONObject(o.map { (matcher.redactedIfNeeded($0.key) ?? $0.key, redactedIfNeeded($0.value, matcher) ?? $0.value) }))
            }
            var out: JSONObject?
            for (key, value) in o {
                guard let r = redactedIfNeeded(value, matcher) else { continue }
                if out == nil { out = o }
                out![key] = r
            }
            return out.map(JSON.object)
        default:
            return nil
        }
    }

    static func redact(_ json: JSON, _ secrets: [String]) -> JSON {
        guard !secrets.isEmpty else { return json }
        return redactedIfNeeded(json, SecretMatcher(secrets)) ?? json
    }

    static func redact(_ text: String, _ secrets: [String]) -> String {
        guard !secrets.isEmpty else { return text }
        return SecretMatcher(secrets).redactedIfNeeded(text) ?? text
    }
}

/// Finds secrets in text, literally or escaped (see `SecretRedactor`).
struct SecretMatcher {
    /// The secrets' UTF-8 bytes, longest first.
    let needles: [[UInt8]]
    /// Whether a byte can begin an occurrence of some secret: its first byte, or the start of an escape.
    private let starts: [Bool]

    init(_ secrets: [String]) {
        needles = secrets.map { Array($0.utf8) }.filter { !$0.isEmpty }
        var starts = [Bool](repeating: false, count: 256)
        for b in [UInt8(ascii: "%"), UInt8(ascii: "\\"), UInt8(ascii: "&")] { starts[Int(b)] = true }
        for n in needles {
            starts[Int(n[0])] = true
            if n[0] == UInt8(ascii: " ") { starts[Int(UInt8(ascii: "+"))] = true }
        }
        self.starts = starts
    }

    /// `text` with every occurrence replaced by the mask, or nil when there is none.
    func redactedIfNeeded(_ text: String) -> String? {
        guard !needles.isEmpty else { return nil }
        var text = text
        return text.withUTF8 { hay -> String? in
            var out: [UInt8]?
            var copied = 0  // hay[..<copied] is in `out` already
            var i = 0
            while i < hay.count {
                guard starts[Int(hay[i])], let end = occurrence(at: i, in: hay) else {
                    i += 1
                    continue
                }
                if out == nil { out = [UInt8](); out!.reserveCapacity(hay.count) }
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: hay[copied..<i]))
                out!.append(contentsOf: SecretRedactor.mask.utf8)
                i = end
                copied = end
            }
            guard var out else { return nil }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: hay[copied...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The end of the longest secret occurring at `start`, or nil.
    func occurrence(at start: Int, in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        for n in needles {
            var failed: Set<Int>? = nil
            if let end = Self.match(n, 0, hay, start, &failed) { return end }
        }
        return nil
    }

    /// Matches `needle[k...]` at `hay[i...]`, each byte of the needle written literally or inside an escape; returns
    /// where the match ends. `failed` remembers states (i, k) already found not to match, so a needle with many `%`,
    /// `\` or `&` (literal or escaped) cannot make the search exponential.
    static func match(_ needle: [UInt8], _ k: Int, _ hay: UnsafeBufferPointer<UInt8>, _ i: Int, _ failed: inout Set<Int>?) -> Int? {
        if k == needle.count { return i }
        guard i < hay.count else { return nil }
        let state = i &* (needle.count + 1) &+ k
        if let f = failed, f.contains(state) { return nil }
        let b = hay[i]
        // An escape, when one starts here and its bytes are the needle's next ones.
        if b == UInt8(ascii: "%") || b == UInt8(ascii: "\\") || b == UInt8(ascii: "&") || b == UInt8(ascii: "+") {
            if let (bytes, length) = decodeEscape(hay, i), k + bytes.count <= needle.count,
                bytes.indices.allSatisfy({ needle[k + $0] == bytes[$0] }),
                let end = match(needle, k + bytes.count, hay, i + length, &failed)
            {
                return end
            }
        }
        if b == needle[k], let end = match(needle, k + 1, hay, i + 1, &failed) { return end }
        if failed == nil { failed = [] }
        failed!.insert(state)
        return nil
    }

    /// The bytes an escape at `hay[i]` stands for, and its length: `%XX`, `+` (a space), JSON's `\"`, `\\`, `\/`,
    /// `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` (a surrogate pair as one character), XML's `&amp;`, `&lt;`, `&gt;`,
    /// `&quot;`, `&apos;`, `&#N;` and `&#xH;`.
    static func decodeEscape(_ hay: UnsafeBufferPointer<UInt8>, _ i: Int) -> (bytes: [UInt8], length: Int)? {
        let n = hay.count
        switch hay[i] {
        case UInt8(ascii: "+"):
            return ([UInt8(ascii: " ")], 1)
        case UInt8(ascii: "%"):
            guard i + 2 < n, let h = hex(hay[i + 1]), let l = hex(hay[i + 2]) else { return nil }
            return ([h << 4 | l], 3)
        case UInt8(ascii: "\\"):
            guard i + 1 < n else { return nil }
            switch hay[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return ([hay[i + 1]], 2)
            case UInt8(ascii: "b"): return ([8], 2)
            case UInt8(ascii: "f"): return ([12], 2)
            case UInt8(ascii: "n"): return ([10], 2)
            case UInt8(ascii: "r"): return ([13], 2)
            case UInt8(ascii: "t"): return ([9], 2)
            case UInt8(ascii: "u"):
                guard let high = hex4(hay, i + 2) else { return nil }
                if (0xD800..<0xDC00).contains(high) {
                    guard i + 11 < n, hay[i + 6] == UInt8(ascii: "\\"), hay[i + 7] == UInt8(ascii: "u"), let low = hex4(hay, i + 8),
                        (0xDC00..<0xE000).contains(low)
                    else { return nil }
                    return (utf8(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)), 12)
                }
                return (0xDC00..<0xE000).contains(high) ? nil : (utf8(high), 6)
            default: return nil
            }
        case UInt8(ascii: "&"):
            var end = i + 1
            while end < n, end - i <= 10, hay[end] != UInt8(ascii: ";") { end += 1 }
            guard end < n, hay[end] == UInt8(ascii: ";") else { return nil }
            let name = Array(hay[(i + 1)..<end])
            let length = end - i + 1
            switch name {
            case Array("amp".utf8): return ([UInt8(ascii: "&")], length)
            case Array("lt".utf8): return ([UInt8(ascii: "<")], length)
            case Array("gt".utf8): return ([UInt8(ascii: ">")], length)
            case Array("quot".utf8): return ([UInt8(ascii: "\"")], length)
            case Array("apos".utf8): return ([UInt8(ascii: "'")], length)
            default:
                guard name.count >= 2, name[0] == UInt8(ascii: "#") else { return nil }
                var value: UInt32 = 0
                let isHex = name[1] | 0x20 == UInt8(ascii: "x")
                let digits = name[(isHex ? 2 : 1)...]
                guard !digits.isEmpty, digits.count <= 7 else { return nil }
                for d in digits {
                    if isHex {
                        guard let v = hex(d) else { return nil }
                        value = value << 4 | UInt32(v)
                    } else {
                        guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
                        value = value * 10 + UInt32(d - UInt8(ascii: "0"))
                    }
                }
                guard value <= 0x10FFFF, !(0xD800..<0xE000).contains(value) else { return nil }
                return (utf8(value), length)
            }
        default:
            return nil
        }
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func hex4(_ hay: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32? {
        guard i + 3 < hay.count else { return nil }
        var v: UInt32 = 0
        for j in i..<(i + 4) {
            guard let d = hex(hay[j]) else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    static func utf8(_ scalar: UInt32) -> [UInt8] {
        guard let s = Unicode.Scalar(scalar) else { return [] }
        return Array(String(Character(s)).utf8)
    }
}
