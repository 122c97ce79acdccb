/// The request headers the HTTP client computes from the request it sends, which nothing a user writes may set: a
/// definition's method headers, an API key's header name, custom credentials' `values.headers`.
///
/// A `Content-Length` taken from a template (`"{{params.cl}}"` on a GET) makes the upstream wait for a body that never
/// comes; `Transfer-Encoding`, `Connection`, `Upgrade`... change how the message is framed or the connection used.
/// `Host` is not among them: overriding it is how some setups address a virtual host behind an IP address.
public enum TransportHeaders {
    /// The names, lowercased: framing (`Content-Length`, `Transfer-Encoding`, `Trailer`, `TE`), connection management
    /// (`Connection`, `Keep-Alive`, `Proxy-Connection`, `Upgrade`) and `Expect` (100-continue is the client's choice).
    public static let names: [String] = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "expect",
    ]

    /// True if `name` is one of `names` (ASCII case-insensitive).
    public static func contains(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count >= 2, utf8.count <= 17 else { return false }
        return names.contains { candidate in
            candidate.utf8.count == utf8.count && zip(candidate.utf8, utf8).allSatisfy { $0 == ($1 >= 65 && $1 <= 90 ? $1 + 32 : $1) }
        }
    }

    /// Why `name` may not be set, for a validation problem.
    public static func refusal(_ name: String) -> String {
        "'\(name)' is set by the HTTP client from the request it sends and may not be set here "
            + "(Content-Length, Transfer-Encoding, Connection, Keep-Alive, Upgrade, TE, Trailer, Proxy-Connection, Expect)"
    }
}
