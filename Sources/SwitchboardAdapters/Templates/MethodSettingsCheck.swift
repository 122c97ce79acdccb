import JSONValue
import SwitchboardCore

extension CompiledMethod {
    /// The largest `options.maxResponseBytes` accepted: the response is held in one buffer, whose size AsyncHTTPClient
    /// keeps to 32 bits.
    public static let maxResponseBytesLimit = Int(UInt32.max)

    /// Problems in `definition` that every call of a method would meet when its templates are compiled
    /// (`init(_:baseURL:)`): a template that does not parse (`{{params.q` unclosed, `{{}}`, `{{secrets.token}}`) and an
    /// `options.maxResponseBytes` that is not a positive integer; and headers the HTTP client computes
    /// (`TransportHeaders`) set by a method or as the API key's header name. Each problem has the setting's path in the
    /// document (`/methods/0/query/q`, `/methods/0/body/customer/name`, `/baseUrl`) and the message a call would give.
    ///
    /// Checked when a definition is written, not when a stored one is read (`DefinitionCodec.decode`), so versions
    /// stored before a check existed still load: the transport drops such headers from their requests.
    public static func problems(in definition: IntegrationDefinition) -> [Problem] {
        var out: [Problem] = []
        if definition.auth.type == .apiKey, definition.auth.apiKeyPlacement == .header, TransportHeaders.contains(definition.auth.apiKeyName) {
            out.append(Problem(path: "/auth/apiKey/name", message: TransportHeaders.refusal(definition.auth.apiKeyName)))
        }
        if let baseURL = definition.baseURL {
            do { _ = try baseURL.contains("{{") ? Template(baseURL) : Template(baseURL, pathStyle: true) } catch {
                out.append(Problem(path: "/baseUrl", message: error.message))
            }
        }
        for (i, method) in definition.methods.enumerated() {
            let at = "/methods/\(i)"
            do { _ = try Template(method.path, pathStyle: true) } catch { out.append(Problem(path: at + "/path", message: error.message)) }
            for (field, map) in [("query", method.query), ("headers", method.headers)] {
                for (name, text) in map.sorted(by: { $0.key < $1.key }) {
                    do { _ = try Template(text) } catch {
                        out.append(Problem(path: at + "/" + field + "/" + JSONPointer.escape(name), message: error.message))
                    }
                }
            }
            for name in method.headers.keys.sorted() where TransportHeaders.contains(name) {
                out.append(Problem(path: at + "/headers/" + JSONPointer.escape(name), message: TransportHeaders.refusal(name)))
            }
            if let body = method.body { bodyProblems(body, path: at + "/body", into: &out) }
            if let limit = method.options["maxResponseBytes"], !(limit.intValue.map { (1...maxResponseBytesLimit).contains($0) } ?? false) {
                out.append(
                    Problem(
                        path: at + "/options/maxResponseBytes",
                        message: "must be an integer from 1 to \(maxResponseBytesLimit) (bytes), not \(limit.serialized())"))
            }
        }
        return out
    }

    /// Every string of a body template that does not parse, at its own path.
    static func bodyProblems(_ json: JSON, path: String, into out: inout [Problem]) {
        switch json {
        case .string(let s):
            do { _ = try Template(s) } catch { out.append(Problem(path: path, message: error.message)) }
        case .array(let items):
            for (i, item) in items.enumerated() { bodyProblems(item, path: path + "/\(i)", into: &out) }
        case .object(let members):
            for (k, v) in members { bodyProblems(v, path: path + "/" + JSONPointer.escape(k), into: &out) }
        default:
            break
        }
    }
}
