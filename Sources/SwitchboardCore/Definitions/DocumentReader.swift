import JSONValue
import Yams

/// Reads a request or file body as JSON or YAML into a `JSON` value, with limits suited to untrusted input.
public enum DocumentReader {
    public enum Format: Sendable, Equatable {
        case json, yaml
    }

    /// The format a Content-Type names; nil for types we don't read. A missing type is sniffed.
    public static func format(forContentType contentType: String?) -> Format?? {
        guard let contentType, !contentType.isEmpty else { return .some(nil) }
        guard namesUTF8OrNoCharset(contentType) else { return nil }
        let media = String(contentType.split(separator: ";").first ?? "").strippingCharacters(in: " \t").lowercased()
        switch media {
        case "application/json", "text/json": return .some(.json)
        case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml": return .some(.yaml)
        default:
            if media.hasSuffix("+json") { return .some(.json) }
            if media.hasSuffix("+yaml") { return .some(.yaml) }
            return nil
        }
    }

    /// Whether a Content-Type's `charset` parameter, if any, is UTF-8 (or its subset US-ASCII): bodies are read as
    /// UTF-8 only, and a UTF-16 or Latin-1 body was read as UTF-8 (a 400 at best, wrong text at worst) instead of
    /// being refused as a type the API does not read.
    public static func namesUTF8OrNoCharset(_ contentType: String) -> Bool {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, String(pair[0]).strippingCharacters(in: " \t").lowercased() == "charset" else { continue }
            var value = String(pair[1]).strippingCharacters(in: " \t").lowercased()
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if !["utf-8", "utf8", "us-ascii"].contains(value) { return false }
        }
        return true
    }

    /// The format a file name implies (`.json`, `.yaml`, `.yml`).
    public static func format(forFileName name: String) -> Format {
        name.lowercased().hasSuffix(".json") ? .json : .yaml
    }

    /// Parses `bytes` as `format` (sniffing when nil: JSON if it starts with `{` or `[`).
    ///
    /// - Throws: `MALFORMED_BODY` (400) naming the line and the problem.
    /// - Parameter exactIntegers: refuse (422 `VALIDATION_ERROR`) an integer beyond 2^53 in JSON, which a double would
    ///   change (`JSON.ParseOptions.exactIntegersOnly`).
    public static func read(_ bytes: [UInt8], format: Format?, maxNodes: Int = 200_000, exactIntegers: Bool = false) throws(SwitchboardError)
        -> JSON
    {
        // JSON and YAML texts are UTF-8 (RFC 8259 section 8.1): invalid bytes are refused, not repaired to U+FFFD.
        guard isValidUTF8(bytes) else { throw .malformedBody("the body is not valid UTF-8") }
        let chosen = format ?? sniff(bytes)
        switch chosen {
        case .json:
            do {
                return try JSON(parsing: bytes, options: .init(exactIntegersOnly: exactIntegers))
            } catch where error.isInexactInteger {
                throw .validation(
                    "the body holds \(error.description)",
                    problems: [Problem(path: "", message: "line \(error.line), column \(error.column): \(JSONParseError.inexactInteger)")])
            } catch {
                throw .malformedBody("the body is not valid JSON: \(error.description)")
            }
        case .yaml:
            return try readYAML(bytes, maxNodes: maxNodes)
        }
    }

    /// Whether `bytes` is well-formed UTF-8 (ASCII checked eight bytes at a time, the rest by the standard library).
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var i = 0
            let n = raw.count
            while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            while i < n, raw[i] < 0x80 { i += 1 }
            if i == n { return true }
            return String(validating: raw.bindMemory(to: UInt8.self)[i...], as: UTF8.self) != nil
        }
    }

    static func sniff(_ bytes: [UInt8]) -> Format {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .yaml
    }

    static func readYAML(_ bytes: [UInt8], maxNodes: Int) throws(SwitchboardError) -> JSON {
        let text = String(decoding: bytes, as: UTF8.self)
        let node: Node?
        do {
            // singleRoot() refuses a stream of several documents.
            let parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
            node = try parser.singleRoot()
        } catch let error as YamlError {
            throw .malformedBody("the body is not valid YAML: \(describe(error))")
        } catch {
            throw .malformedBody("the body is not valid YAML: \(error)")
        }
        guard let node else { throw .malformedBody("the YAML document is empty") }
        var budget = maxNodes
        return try convert(node, budget: &budget, depth: 0)
    }

    static func describe(_ error: YamlError) -> String {
        let text = "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    static func convert(_ node: Node, budget: inout Int, depth: Int) throws(SwitchboardError) -> JSON {
        budget -= 1
        guard budget >= 0 else { throw .malformedBody("the YAML document expands to too many nodes (aliases are limited)") }
        guard depth < 256 else { throw .malformedBody("the YAML document nests too deeply") }
        switch node {
        case .scalar(let scalar):
            return convertScalar(scalar, tag: node.tag)
        case .sequence(let seq):
            var out: [JSON] = []
            out.reserveCapacity(seq.count)
            for n in seq { out.append(try convert(n, budget: &budget, depth: depth + 1)) }
            return .array(out)
        case .mapping(let map):
            var o = JSONObject()
            for (k, v) in map {
                guard case .scalar(let ks) = k else { throw .malformedBody("YAML mapping keys must be strings") }
                o[ks.string] = try convert(v, budget: &budget, depth: depth + 1)
            }
            return .object(o)
        case .alias:
            throw .malformedBody("YAML aliases are not supported")
        }
    }

    static func convertScalar(_ scalar: Node.Scalar, tag: Tag) -> JSON {
        if scalar.style != .plain { return .string(scalar.string) }
        let node = Node.scalar(scalar)
        switch Tag.Name(rawValue: tag.rawValue) {
        case .null: return .null
        case .bool: return node.bool.map(JSON.bool) ?? .string(scalar.string)
        case .int: return node.int.map { .number(Double($0)) } ?? node.float.map(JSON.number) ?? .string(scalar.string)
        case .float:
            if let d = node.float, d.isFinite { return .number(d) }
            return .string(scalar.string)
        default: return .string(scalar.string)
        }
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    public func strippingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
