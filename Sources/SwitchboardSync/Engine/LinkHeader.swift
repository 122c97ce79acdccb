import Foundation

/// RFC 8288 `Link` header values: `<https://api.example.com/items?page=2>; rel="next", <...>; rel="last"`.
public enum LinkHeader {
    /// The target of the first link with relation `rel` (case-insensitive; `rel` may list several relations) in any
    /// `Link` header among `headers`.
    public static func target(rel wanted: String, in headers: [(name: String, value: String)]) -> String? {
        for (name, value) in headers where name.lowercased() == "link" {
            for link in links(in: value) where link.rels.contains(wanted.lowercased()) { return link.target }
        }
        return nil
    }

    public static func next(in headers: [(name: String, value: String)]) -> String? { target(rel: "next", in: headers) }

    /// The links of one header value, in order.
    static func links(in value: String) -> [(target: String, rels: [String])] {
        var out: [(String, [String])] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let target = String(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
            // Parameters up to the next link: a comma outside quotes.
            var params = Substring()
            var inQuotes = false
            var end = rest.endIndex
            for i in rest.indices {
                let ch = rest[i]
                if ch == "\"" { inQuotes.toggle() }
                if ch == "," && !inQuotes {
                    end = i
                    break
                }
            }
            params = rest[..<end]
            rest = end < rest.endIndex ? rest[rest.index(after: end)...] : Substring()
            var rels: [String] = []
            for param in params.split(separator: ";") {
                let parts = param.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { continue }
                var v = parts[1].trimmingCharacters(in: .whitespaces)
                if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                rels += v.lowercased().split(separator: " ").map(String.init)
            }
            out.append((target, rels))
        }
        return out
    }
}
