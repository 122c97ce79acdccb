import ECMARegex
import JSONValue

/// Compiles the keywords of one object schema into a `Node`, asking the compiler for subschema node indices.
struct NodeBuilder {
    /// A node's keywords by the instance type they apply to, before they are laid out in `ProgramTables.ops`.
    struct Ops {
        var any: [Op] = []
        var number: [Op] = []
        var string: [Op] = []
        var array: [Op] = []
        var object: [Op] = []
        /// `required` names not (yet) folded into the `properties` pass.
        var requiredNames: [String] = []
    }

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

    /// Compiles an array of subschemas into `ints`; returns (start, count).
    func schemaArray(_ value: JSON, _ keyword: String, compiler: inout SchemaCompiler) throws(JSONSchemaError) -> (Int, Int) {
        guard case .array(let items) = value, !items.isEmpty || keyword == "prefixItems" else {
            throw invalid(keyword, "must be a non-empty array of schemas")
        }
        var result: [Int] = []
        for i in items.indices { result.append(try compiler.node(for: child(keyword, String(i)))) }
        let start = compiler.tables.ints.count
        compiler.tables.ints.append(contentsOf: result)
        return (start, result.count)
    }

    /// Adds strings to the `strings` table; returns the start.
    func addStrings(_ strings: [String], compiler: inout SchemaCompiler) -> Int {
        let start = compiler.tables.strings.count
        compiler.tables.strings.append(contentsOf: strings)
        return start
    }

    func addPattern(_ source: String, _ keyword: String, compiler: inout SchemaCompiler) throws(JSONSchemaError) -> Int {
        compiler.tables.patterns.append(try pattern(source, keyword))
        return compiler.tables.patterns.count - 1
    }

    func pattern(_ source: String, _ keyword: String) throws(JSONSchemaError) -> CompiledPattern {
        do {
            let regex = try ECMARegex(source, options: [.unicode])
            return CompiledPattern(
                source: source, regex: regex, literal: Self.literal(source), prefix: Self.anchoredPrefix(source), simple: SimplePattern(source))
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

    func build(_ object: JSONObject, into node: inout Node, ops: inout Ops, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        let vocabularies = info.vocabularies
        try buildCore(object, ops: &ops, compiler: &compiler)
        if vocabularies.contains(.validation) { try buildValidation(object, into: &node, ops: &ops, compiler: &compiler) }
        if vocabularies.contains(.formatAssertion), case .string(let name)? = object["format"], let format = Format(rawValue: name) {
            ops.string.append(.format(format))
        }
        if vocabularies.contains(.applicator) { try buildApplicators(object, ops: &ops, compiler: &compiler) }
        if !ops.requiredNames.isEmpty {
            let names = ops.requiredNames
            ops.object.insert(.required(addStrings(names, compiler: &compiler), names.count), at: 0)
        }
        if vocabularies.contains(.unevaluated) {
            if object["unevaluatedProperties"] != nil {
                node.unevaluatedProperties = try compiler.node(for: child("unevaluatedProperties"))
            }
            if object["unevaluatedItems"] != nil {
                node.unevaluatedItems = try compiler.node(for: child("unevaluatedItems"))
            }
        }
    }

    func buildCore(_ object: JSONObject, ops: inout Ops, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        if let value = object["$ref"] {
            guard case .string(let reference) = value else { throw invalid("$ref", "must be a string") }
            let (target, _) = try compiler.resolve(reference, from: info, keyword: "$ref")
            let n = try compiler.node(for: target)
            ops.any.append(.ref(n))
            compiler.inPlaceEdges[index, default: []].append(n)
        }
        if let value = object["$dynamicRef"] {
            guard case .string(let reference) = value else { throw invalid("$dynamicRef", "must be a string") }
            let (target, fragment) = try compiler.resolve(reference, from: info, keyword: "$dynamicRef")
            let n = try compiler.node(for: target)
            var anchor = -1
            if !fragment.isEmpty && !fragment.hasPrefix("/") && compiler.infos[target]?.dynamicAnchor == fragment {
                anchor = compiler.tables.anchorNames.count
                compiler.tables.anchorNames.append(fragment)
                compiler.usesDynamicScope = true
            }
            ops.any.append(.dynamicRef(n, anchor: anchor))
        }
    }

    func buildValidation(_ object: JSONObject, into node: inout Node, ops: inout Ops, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
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
        if let value = object["const"] {
            compiler.tables.constants.append(value)
            ops.any.insert(.const(compiler.tables.constants.count - 1), at: 0)
        }
        if let value = object["enum"] {
            guard case .array(let values) = value else { throw invalid("enum", "must be an array") }
            let start = compiler.tables.constants.count
            compiler.tables.constants.append(contentsOf: values)
            ops.any.insert(.enumeration(start, values.count), at: 0)
        }
        if let v = object["minimum"] { ops.number.append(.minimum(try number(v, "minimum"))) }
        if let v = object["maximum"] { ops.number.append(.maximum(try number(v, "maximum"))) }
        if let v = object["exclusiveMinimum"] { ops.number.append(.exclusiveMinimum(try number(v, "exclusiveMinimum"))) }
        if let v = object["exclusiveMaximum"] { ops.number.append(.exclusiveMaximum(try number(v, "exclusiveMaximum"))) }
        if let v = object["multipleOf"] {
            let m = try number(v, "multipleOf")
            guard m > 0 else { throw invalid("multipleOf", "must be greater than 0") }
            ops.number.append(.multipleOf(m))
        }
        if let v = object["minLength"] { ops.string.append(.minLength(try nonNegativeInteger(v, "minLength"))) }
        if let v = object["maxLength"] { ops.string.append(.maxLength(try nonNegativeInteger(v, "maxLength"))) }
        if let v = object["pattern"] {
            guard case .string(let source) = v else { throw invalid("pattern", "must be a string") }
            ops.string.append(.pattern(try addPattern(source, "pattern", compiler: &compiler)))
        }
        if let v = object["minItems"] { ops.array.append(.minItems(try nonNegativeInteger(v, "minItems"))) }
        if let v = object["maxItems"] { ops.array.append(.maxItems(try nonNegativeInteger(v, "maxItems"))) }
        if let v = object["minProperties"] { ops.object.append(.minProperties(try nonNegativeInteger(v, "minProperties"))) }
        if let v = object["maxProperties"] { ops.object.append(.maxProperties(try nonNegativeInteger(v, "maxProperties"))) }
        if let v = object["required"] {
            let names = try strings(v, "required")
            ops.requiredNames = names
        }
        var dependents: [(String, [String])] = []
        if !info.vocabularies.contains(.legacyDependencies), let v = object["dependentRequired"] {
            guard case .object(let members) = v else { throw invalid("dependentRequired", "must be an object") }
            for (name, value) in members { dependents.append((name, try strings(value, "dependentRequired"))) }
        }
        if case .object(let members)? = object["dependencies"] {
            for (name, value) in members {
                if case .array = value { dependents.append((name, try strings(value, "dependencies"))) }
            }
        }
        if !dependents.isEmpty {
            var triples: [Int] = []
            for (name, required) in dependents {
                triples.append(addStrings([name], compiler: &compiler))
                triples.append(addStrings(required, compiler: &compiler))
                triples.append(required.count)
            }
            let start = compiler.tables.ints.count
            compiler.tables.ints.append(contentsOf: triples)
            ops.object.append(.dependentRequired(start, dependents.count))
        }
        if object["uniqueItems"]?.boolValue == true { ops.array.append(.uniqueItems) }
    }

    func buildApplicators(_ object: JSONObject, ops: inout Ops, compiler: inout SchemaCompiler) throws(JSONSchemaError) {
        if let v = object["allOf"] {
            let (start, count) = try schemaArray(v, "allOf", compiler: &compiler)
            ops.any.append(.allOf(start, count))
            compiler.inPlaceEdges[index, default: []].append(contentsOf: compiler.tables.ints[start..<(start + count)])
        }
        if let v = object["anyOf"] {
            let (start, count) = try schemaArray(v, "anyOf", compiler: &compiler)
            ops.any.append(.anyOf(start, count))
        }
        if let v = object["oneOf"] {
            let (start, count) = try schemaArray(v, "oneOf", compiler: &compiler)
            ops.any.append(.oneOf(start, count))
        }
        if object["not"] != nil { ops.any.append(.not(try compiler.node(for: child("not")))) }
        if object["if"] != nil {
            let condition = try compiler.node(for: child("if"))
            let then = object["then"] != nil ? try compiler.node(for: child("then")) : -1
            let otherwise = object["else"] != nil ? try compiler.node(for: child("else")) : -1
            ops.any.append(.conditional(if: condition, then: then, else: otherwise))
        }
        // Arrays.
        var prefixCount = 0
        let legacyItems = info.vocabularies.contains(.legacyItems)
        if !legacyItems, let v = object["prefixItems"] {
            let (start, count) = try schemaArray(v, "prefixItems", compiler: &compiler)
            prefixCount = count
            if count > 0 { ops.array.append(.prefixItems(start, count)) }
        }
        if let v = object["items"] {
            if case .array = v {
                // The tuple form of draft 2019-09 and earlier, read as prefixItems (with additionalItems after it).
                if legacyItems || object["prefixItems"] == nil {
                    let (start, count) = try schemaArray(v, "items", compiler: &compiler)
                    prefixCount = count
                    if count > 0 { ops.array.append(.prefixItems(start, count)) }
                    if legacyItems, object["additionalItems"] != nil {
                        ops.array.append(.items(try compiler.node(for: child("additionalItems")), from: prefixCount))
                    }
                }
            } else {
                ops.array.append(.items(try compiler.node(for: child("items")), from: prefixCount))
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
            ops.array.append(.contains(n, min: minimum, max: maximum))
        }
        // Objects.
        var applicator = ObjectApplicator()
        var hasApplicator = false
        if case .object(let members)? = object["properties"] {
            hasApplicator = true
            var names: [String] = []
            var nodes: [Int] = []
            for (name, _) in members {
                names.append(name)
                nodes.append(try compiler.node(for: child("properties", name)))
            }
            applicator.namesStart = addStrings(names, compiler: &compiler)
            applicator.nodesStart = compiler.tables.ints.count
            compiler.tables.ints.append(contentsOf: nodes)
            applicator.propertyCount = names.count
            // Required members that are also listed in properties are checked in the same pass, by bit.
            for (i, name) in names.enumerated() where i < 64 && ops.requiredNames.contains(name) {
                applicator.requiredMask |= 1 << UInt64(i)
            }
            ops.requiredNames.removeAll { name in names.prefix(64).contains(name) }
            if names.count > ObjectApplicator.linearLimit {
                var lookup: [String: Int] = [:]
                for (i, name) in names.enumerated() { lookup[name] = i }
                applicator.lookup = compiler.tables.lookups.count
                compiler.tables.lookups.append(lookup)
            }
        }
        if case .object(let members)? = object["patternProperties"] {
            hasApplicator = true
            var nodes: [Int] = []
            applicator.patternsStart = compiler.tables.patterns.count
            for (source, _) in members {
                _ = try addPattern(source, "patternProperties", compiler: &compiler)
                nodes.append(try compiler.node(for: child("patternProperties", source)))
            }
            applicator.patternNodesStart = compiler.tables.ints.count
            compiler.tables.ints.append(contentsOf: nodes)
            applicator.patternCount = nodes.count
        }
        if object["additionalProperties"] != nil {
            hasApplicator = true
            applicator.additional = try compiler.node(for: child("additionalProperties"))
        }
        if hasApplicator {
            compiler.tables.applicators.append(applicator)
            ops.object.append(.properties(compiler.tables.applicators.count - 1))
        }
        if object["propertyNames"] != nil { ops.object.append(.propertyNames(try compiler.node(for: child("propertyNames")))) }
        var dependentSchemas: [Int] = []
        if !info.vocabularies.contains(.legacyDependencies), case .object(let members)? = object["dependentSchemas"] {
            for (name, _) in members {
                dependentSchemas.append(addStrings([name], compiler: &compiler))
                dependentSchemas.append(try compiler.node(for: child("dependentSchemas", name)))
            }
        }
        if case .object(let members)? = object["dependencies"] {
            for (name, value) in members where value.isSchemaShaped {
                dependentSchemas.append(addStrings([name], compiler: &compiler))
                dependentSchemas.append(try compiler.node(for: child("dependencies", name)))
            }
        }
        if !dependentSchemas.isEmpty {
            let start = compiler.tables.ints.count
            compiler.tables.ints.append(contentsOf: dependentSchemas)
            ops.object.append(.dependentSchemas(start, dependentSchemas.count / 2))
        }
    }
}
