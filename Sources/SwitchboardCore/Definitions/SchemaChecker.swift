import JSONValue

/// Checks JSON Schemas and validates documents against them.
///
/// Core stays free of a particular validator: the server injects the JSON Schema 2020-12 engine.
public protocol SchemaChecker: Sendable {
    /// Problems that make `schema` not a valid JSON Schema (checked against the 2020-12 metaschema);
    /// paths are relative to the schema.
    func problems(inSchema schema: JSON) -> [Problem]
    /// Problems of `instance` against `schema`; empty when valid. Paths are JSON Pointers into the instance.
    func validate(_ instance: JSON, against schema: JSON) -> [Problem]
}

/// A structural checker used where no full validator is wired: a schema must be an object or a boolean,
/// `type`/`required`/`properties` must be well-formed, and instances are checked for `type`, `required`
/// and `properties` recursively. The server replaces it with the full 2020-12 validator.
public struct StructuralSchemaChecker: SchemaChecker {
    public init() {}

    public func problems(inSchema schema: JSON) -> [Problem] {
        var out: [Problem] = []
        check(schema, path: "", into: &out, depth: 0)
        return out
    }

    private func check(_ schema: JSON, path: String, into out: inout [Problem], depth: Int) {
        guard depth < 64 else { return out.append(Problem(path: path, message: "schema nests too deeply")) }
        switch schema {
        case .bool: return
        case .object(let o):
            if let t = o["type"] {
                let names: [JSON] = t.arrayValue ?? [t]
                for n in names {
                    guard let s = n.stringValue, ["null", "boolean", "object", "array", "number", "string", "integer"].contains(s) else {
                        out.append(Problem(path: path + "/type", message: "\(n) is not a JSON Schema type"))
                        continue
                    }
                }
            }
            if let r = o["required"] {
                if r.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
                    out.append(Problem(path: path + "/required", message: "must be an array of strings"))
                }
            }
            if let p = o["properties"] {
                guard case .object(let props) = p else {
                    return out.append(Problem(path: path + "/properties", message: "must be an object"))
                }
                for (k, v) in props { check(v, path: path + "/properties/" + JSONPointer.escape(k), into: &out, depth: depth + 1) }
            }
            if let items = o["items"] { check(items, path: path + "/items", into: &out, depth: depth + 1) }
        default:
            out.append(Problem(path: path, message: "a schema must be an object or a boolean, not \(schema.typeName)"))
        }
    }

    public func validate(_ instance: JSON, against schema: JSON) -> [Problem] {
        var out: [Problem] = []
        validate(instance, schema, path: "", into: &out, depth: 0)
        return out
    }

    private func validate(_ instance: JSON, _ schema: JSON, path: String, into out: inout [Problem], depth: Int) {
        guard depth < 64, case .object(let s) = schema else {
            if schema == .bool(false) { out.append(Problem(path: path, message: "no value is allowed here")) }
            return
        }
        if let t = s["type"] {
            let names = (t.arrayValue ?? [t]).compactMap(\.stringValue)
            let matches = names.contains { n in
                n == instance.typeName || (n == "integer" && instance.intValue != nil) || (n == "number" && instance.numberValue != nil)
            }
            if !names.isEmpty && !matches {
                out.append(Problem(path: path, message: "must be of type \(names.joined(separator: " or ")), not \(instance.typeName)"))
                return
            }
        }
        if case .object(let o) = instance {
            for r in s["required"]?.arrayValue ?? [] {
                if let name = r.stringValue, o[name] == nil { out.append(Problem(path: path, message: "required property '\(name)' is missing")) }
            }
            if case .object(let props)? = s["properties"] {
                for (k, v) in o {
                    if let sub = props[k] { validate(v, sub, path: path + "/" + JSONPointer.escape(k), into: &out, depth: depth + 1) }
                }
            }
        }
    }
}
