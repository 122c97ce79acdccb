import ECMARegex
import JSONValue

/// Compiles the keywords of one object schema into a `Node`, asking the compiler for subschema node indices.
struct NodeBuilder {
    let info: SchemaCompiler.Info
    let location: SchemaCompiler.Location
    let index: Int

    func child(_ keyword: String, _ member: String? = nil) -> SchemaCompiler.Location {
        var pointer = location.pointer + "/" + JSONPointer.escape(keyword)
        if let member { pointer += "/" + JSONPointer.escape(member) }
        return SchemaCompiler.Location(document: location.document, pointer: pointer)
    }

    func invalid(_ keyword: String, _ message: String) -> JSONSchemaError {
        JSONSchemaError(
            code: .invalidSchema, message: "\(keyword): \(message)", location: info.resource + "#" + info.resourcePointer + "/" + keyword)
    }

    func nonNegativeInteger(_ value: JSON, _ keyword: String) throws(JSONSchemaError) -> Int {
        guard case .number(let n) = value, n >= 0, n.rounded(.towardZero) == n else {
            throw invalid(keyword, "must be a non-negative integer")
        }
        return n > Double(Int.max / 2) ? Int.max / 2 : Int(n)
    }

    func number(_ value: JSON, _ keyword: String) throws(JSONSchemaError) -> Double {
        guard case .number(let n) = value else { throw invalid(keyword, "must be a number") }
        return n
    }

    func strings(_ value: JSON, _ keyword: String) throws(JSONSchemaError) -> [String] {
        guard case .array(let items) = value else { throw invalid(keyword, "must be an array of strings") }
        var result: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw invalid(keyword, "must be an array of strings") }
            result.append(s)
        }
        return result
    }

    func schemaArray(_ value: JSON, _ keyword: String, compiler: inout SchemaCompiler) throws(JSONSchemaError) -> [Int] {
        guard case .array(let items) = value, !items.isEmpty || keyword == "prefixItems" else {
            throw invalid(keyword, "must be a non-empty array of schemas")
        }
        var result: [Int] = []
        for i in items.indices { result.append(try compiler.node(for: child(keyword, String(i)))) }
        return result
    }

    func pattern(_ source: String, _ keyword: String) throws(JSONSchemaError) -> CompiledPattern {
        do {
            let regex = try ECMARegex(source, options: [.unicode])
            return CompiledPattern(source: source, regex: regex, literal: Self.literal(source), prefix: Self.anchoredPrefix(source))
        } catch {
            throw JSONSchemaError(
                code: .invalidRegex, message: "\(keyword): \"\(source)\" is not a valid regular expression: \(error)",
                location: info.resource + "#" + info.resourcePointer + "/" + keyword)
        }
    }

    static let metacharacters = Set("\\^$.|?*+()[]{}".unicodeScalars)

    /// The pattern itself when it has no metacharacters (so it matches as a plain substring).
    static func literal(_ source: String) -> String? {
        source.unicodeScalars.contains(where: { metacharacters.contains($0) }) ? nil : source
    }

    /// `abc` for the pattern `^abc`.
    static func anchoredPrefix(_ source: String) -> String? {
        guard source.hasPrefix("^") else { return nil }
        return literal(String(source.unicodeScalars.dropFirst()))
    }

    mutating func build(_ object: JSONObject, into node: inout Node, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        let vocabularies = info.vocabularies
        try buildCore(object, into: &node, compiler: &compiler)
        if vocabularies.contains(.validation) { try buildValidation(object, into: &node) }
        if vocabularies.contains(.formatAssertion), case .string(let name)? = object["format"], let format = Format(rawValue: name) {
            node.stringOps.append(.format(format))
        }
        if vocabularies.contains(.applicator) { try buildApplicators(object, into: &node, compiler: &compiler) }
        if vocabularies.contains(.unevaluated) {
            if object["unevaluatedProperties"] != nil {
                node.unevaluatedProperties = try compiler.node(for: child("unevaluatedProperties"))
            }
            if object["unevaluatedItems"] != nil {
                node.unevaluatedItems = try compiler.node(for: child("unevaluatedItems"))
            }
        }
    }

    func buildCore(_ object: JSONObject, into node: inout Node, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        if let value = object["$ref"] {
            guard case .string(let reference) = value else { throw invalid("$ref", "must be a string") }
            let (target, _) = try compiler.resolve(reference, from: info, keyword: "$ref")
            let n = try compiler.node(for: target)
            node.anyOps.append(.ref(n))
            compiler.inPlaceEdges[index, default: []].append(n)
        }
        if let value = object["$dynamicRef"] {
            guard case .string(let reference) = value else { throw invalid("$dynamicRef", "must be a string") }
            let (target, fragment) = try compiler.resolve(reference, from: info, keyword: "$dynamicRef")
            let n = try compiler.node(for: target)
            var anchor: String?
            if !fragment.isEmpty && !fragment.hasPrefix("/") && compiler.infos[target]?.dynamicAnchor == fragment {
                anchor = fragment
                compiler.usesDynamicScope = true
            }
            node.anyOps.append(.dynamicRef(target: n, anchor: anchor))
        }
    }

    func buildValidation(_ object: JSONObject, into node: inout Node) throws(JSONSchemaError) {
        if let value = object["type"] {
            var mask: UInt8 = 0
            switch value {
            case .string(let name):
                guard let bits = TypeBits.named(name) else { throw invalid("type", "unknown type \"\(name)\"") }
                mask = bits
            case .array(let names):
                for name in names {
                    guard case .string(let s) = name, let bits = TypeBits.named(s) else { throw invalid("type", "unknown type \(name)") }
                    mask |= bits
                }
            default: throw invalid("type", "must be a string or an array of strings")
            }
            node.typeMask = mask
        }
        if let value = object["const"] { node.anyOps.insert(.const(value), at: 0) }
        if let value = object["enum"] {
            guard case .array(let values) = value else { throw invalid("enum", "must be an array") }
            node.anyOps.insert(.enumeration(values), at: 0)
        }
        if let v = object["minimum"] { node.numberOps.append(.minimum(try number(v, "minimum"))) }
        if let v = object["maximum"] { node.numberOps.append(.maximum(try number(v, "maximum"))) }
        if let v = object["exclusiveMinimum"] { node.numberOps.append(.exclusiveMinimum(try number(v, "exclusiveMinimum"))) }
        if let v = object["exclusiveMaximum"] { node.numberOps.append(.exclusiveMaximum(try number(v, "exclusiveMaximum"))) }
        if let v = object["multipleOf"] {
            let m = try number(v, "multipleOf")
            guard m > 0 else { throw invalid("multipleOf", "must be greater than 0") }
            node.numberOps.append(.multipleOf(m))
        }
        if let v = object["minLength"] { node.stringOps.append(.minLength(try nonNegativeInteger(v, "minLength"))) }
        if let v = object["maxLength"] { node.stringOps.append(.maxLength(try nonNegativeInteger(v, "maxLength"))) }
        if let v = object["pattern"] {
            guard case .string(let source) = v else { throw invalid("pattern", "must be a string") }
            node.stringOps.append(.pattern(try pattern(source, "pattern")))
        }
        if let v = object["minItems"] { node.arrayOps.append(.minItems(try nonNegativeInteger(v, "minItems"))) }
        if let v = object["maxItems"] { node.arrayOps.append(.maxItems(try nonNegativeInteger(v, "maxItems"))) }
        if let v = object["minProperties"] { node.objectOps.append(.minProperties(try nonNegativeInteger(v, "minProperties"))) }
        if let v = object["maxProperties"] { node.objectOps.append(.maxProperties(try nonNegativeInteger(v, "maxProperties"))) }
        if let v = object["required"] {
            let names = try strings(v, "required")
            if !names.isEmpty { node.objectOps.append(.required(names)) }
        }
        var dependents: [(String, [String])] = []
        if let v = object["dependentRequired"] {
            guard case .object(let members) = v else { throw invalid("dependentRequired", "must be an object") }
            for (name, value) in members { dependents.append((name, try strings(value, "dependentRequired"))) }
        }
        if case .object(let members)? = object["dependencies"] {
            for (name, value) in members {
                if case .array = value { dependents.append((name, try strings(value, "dependencies"))) }
            }
        }
        if !dependents.isEmpty { node.objectOps.append(.dependentRequired(dependents)) }
        if object["uniqueItems"]?.boolValue == true { node.arrayOps.append(.uniqueItems) }
    }

    func buildApplicators(_ object: JSONObject, into node: inout Node, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        if let v = object["allOf"] {
            let nodes = try schemaArray(v, "allOf", compiler: &compiler)
            node.anyOps.append(.allOf(nodes))
            compiler.inPlaceEdges[index, default: []].append(contentsOf: nodes)
        }
        if let v = object["anyOf"] { node.anyOps.append(.anyOf(try schemaArray(v, "anyOf", compiler: &compiler))) }
        if let v = object["oneOf"] { node.anyOps.append(.oneOf(try schemaArray(v, "oneOf", compiler: &compiler))) }
        if object["not"] != nil { node.anyOps.append(.not(try compiler.node(for: child("not")))) }
        if object["if"] != nil {
            let condition = try compiler.node(for: child("if"))
            let then = object["then"] != nil ? try compiler.node(for: child("then")) : -1
            let otherwise = object["else"] != nil ? try compiler.node(for: child("else")) : -1
            node.anyOps.append(.conditional(if: condition, then: then, else: otherwise))
        }
        // Arrays.
        var prefixCount = 0
        if let v = object["prefixItems"] {
            let nodes = try schemaArray(v, "prefixItems", compiler: &compiler)
            prefixCount = nodes.count
            if !nodes.isEmpty { node.arrayOps.append(.prefixItems(nodes)) }
        }
        if let v = object["items"] {
            if case .array = v {
                // Draft 2019-09 tuple form, read as prefixItems.
                if object["prefixItems"] == nil {
                    let nodes = try schemaArray(v, "items", compiler: &compiler)
                    prefixCount = nodes.count
                    if !nodes.isEmpty { node.arrayOps.append(.prefixItems(nodes)) }
                }
            } else {
                node.arrayOps.append(.items(try compiler.node(for: child("items")), from: prefixCount))
            }
        }
        if object["contains"] != nil {
            let n = try compiler.node(for: child("contains"))
            var minimum = 1
            var maximum = Int.max
            if info.vocabularies.contains(.validation) {
                if let v = object["minContains"] { minimum = try nonNegativeInteger(v, "minContains") }
                if let v = object["maxContains"] { maximum = try nonNegativeInteger(v, "maxContains") }
            }
            node.arrayOps.append(.contains(n, min: minimum, max: maximum))
        }
        // Objects.
        var applicator = ObjectApplicator()
        var hasApplicator = false
        if case .object(let members)? = object["properties"] {
            hasApplicator = true
            for (name, _) in members {
                applicator.names.append(name)
                applicator.nodes.append(try compiler.node(for: child("properties", name)))
            }
            if applicator.names.count > 8 {
                var lookup: [String: Int] = [:]
                for (i, name) in applicator.names.enumerated() { lookup[name] = i }
                applicator.lookup = lookup
            }
        }
        if case .object(let members)? = object["patternProperties"] {
            hasApplicator = true
            for (source, _) in members {
                applicator.patterns.append(try pattern(source, "patternProperties"))
                applicator.patternNodes.append(try compiler.node(for: child("patternProperties", source)))
            }
        }
        if object["additionalProperties"] != nil {
            hasApplicator = true
            applicator.additional = try compiler.node(for: child("additionalProperties"))
        }
        if hasApplicator { node.objectOps.append(.properties(applicator)) }
        if object["propertyNames"] != nil { node.objectOps.append(.propertyNames(try compiler.node(for: child("propertyNames")))) }
        var dependentSchemas: [(String, Int)] = []
        if case .object(let members)? = object["dependentSchemas"] {
            for (name, _) in members { dependentSchemas.append((name, try compiler.node(for: child("dependentSchemas", name)))) }
        }
        if case .object(let members)? = object["dependencies"] {
            for (name, value) in members where value.isSchemaShaped {
                dependentSchemas.append((name, try compiler.node(for: child("dependencies", name))))
            }
        }
        if !dependentSchemas.isEmpty { node.objectOps.append(.dependentSchemas(dependentSchemas)) }
    }
}
