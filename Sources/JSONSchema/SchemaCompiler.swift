import ECMARegex
import JSONValue

/// The vocabularies in force for a schema resource, as its metaschema's `$vocabulary` declares.
struct Vocabularies: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    static let applicator = Vocabularies(rawValue: 1)
    static let unevaluated = Vocabularies(rawValue: 2)
    static let validation = Vocabularies(rawValue: 4)
    static let formatAssertion = Vocabularies(rawValue: 8)
    /// Draft 2019-09 and earlier: no `prefixItems`; `items` may be an array, followed by `additionalItems`.
    static let legacyItems = Vocabularies(rawValue: 16)
    /// Draft 7 and earlier: no `dependentRequired` / `dependentSchemas` (only `dependencies`).
    static let legacyDependencies = Vocabularies(rawValue: 32)
    /// What the standard 2020-12 metaschema declares (format as an annotation).
    static let standard: Vocabularies = [.applicator, .unevaluated, .validation]

    static let uriPrefix = "https://json-schema.org/draft/2020-12/vocab/"
}

/// Turns a schema document (and the documents it references) into a `Program`.
///
/// Two passes per document: `index` walks the subschemas, recording base URIs, `$id`s, `$anchor`s and
/// `$dynamicAnchor`s; `compile` then builds nodes from a work list (no recursion, so deep schemas are
/// safe), creating a node per schema location reached from the root, through references too.
struct SchemaCompiler {
    /// A schema location: a document and a JSON Pointer (escaped string form) from its root.
    struct Location: Hashable {
        var document: Int
        var pointer: String
    }

    /// What the index knows about one schema location.
    struct Info {
        var json: JSON
        var base: String
        var resource: String
        var resourcePointer: String
        var vocabularies: Vocabularies
        var dynamicAnchor: String?
    }

    let options: JSONSchema.Options
    let registry: SchemaRegistry
    var documents: [JSON] = []
    var loaded: Set<String> = []
    var resources: [String: Location] = [:]
    var anchors: [String: Location] = [:]
    var dynamicAnchorLocations: [String: [String: Location]] = [:]
    var infos: [Location: Info] = [:]
    var tables = ProgramTables()
    var nodeOf: [Location: Int] = [:]
    var pending: [(Int, Location)] = []
    var resourceIDs: [String: Int32] = [:]
    var resourceNames: [String] = []
    var usesDynamicScope = false
    /// Unconditional in-place edges (`$ref`, `allOf`), to find reference cycles that would never end.
    var inPlaceEdges: [Int: [Int]] = [:]

    init(options: JSONSchema.Options, registry: SchemaRegistry) {
        self.options = options
        self.registry = registry
    }

    mutating func compile(root: JSON, uri: String) throws(JSONSchemaError) -> Program {
        let rootLocation = try load(root, uri: uri)
        let rootNode = try node(for: rootLocation)
        try drain()
        if usesDynamicScope {
            // Every resource reachable at run time may be searched for a $dynamicAnchor: compile them all.
            var done = 0
            while done < resourceNames.count {
                let name = resourceNames[done]
                for (_, location) in dynamicAnchorLocations[name] ?? [:] { _ = try node(for: location) }
                try drain()
                done += 1
            }
        }
        try checkCycles()
        var anchorTable = [[String: Int]](repeating: [:], count: resourceNames.count)
        if usesDynamicScope {
            for (i, name) in resourceNames.enumerated() {
                for (anchor, location) in dynamicAnchorLocations[name] ?? [:] {
                    if let n = nodeOf[location] { anchorTable[i][anchor] = n }
                }
            }
        }
        return Program(
            tables: tables, root: rootNode, dynamicAnchors: anchorTable, usesDynamicScope: usesDynamicScope, maxDepth: options.maxDepth,
            stackBudget: options.stackBudget)
    }

    mutating func drain() throws(JSONSchemaError) {
        while let (index, location) = pending.popLast() {
            try compileNode(index, at: location)
        }
    }

    // MARK: - Documents and the index

    /// Adds a document retrieved from `uri` and indexes it.
    mutating func load(_ document: JSON, uri: String) throws(JSONSchemaError) -> Location {
        let key = SchemaRegistry.key(uri)
        loaded.insert(key)
        documents.append(document)
        let location = Location(document: documents.count - 1, pointer: "")
        if resources[key] == nil { resources[key] = location }
        try index(document, at: location, base: key, resource: key, resourcePointer: "", vocabularies: defaultVocabularies)
        return location
    }

    var defaultVocabularies: Vocabularies {
        options.formatAssertion ? Vocabularies.standard.union(.formatAssertion) : .standard
    }

    static let objectSubschemaKeywords: Set<String> = [
        "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "items", "contains", "propertyNames", "not", "if", "then",
        "else", "contentSchema", "additionalItems",
    ]
    static let arraySubschemaKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]
    static let mapSubschemaKeywords: Set<String> = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies"]

    /// Deepest subschema nesting accepted (the JSON parser's default depth limit is 512 as well).
    static let maxNesting = 512

    mutating func index(
        _ json: JSON, at location: Location, base: String, resource: String, resourcePointer: String, vocabularies: Vocabularies,
        nesting: Int = 0
    ) throws(JSONSchemaError) {
        if nesting > Self.maxNesting {
            throw JSONSchemaError(
                code: .invalidSchema, message: "subschemas nested deeper than \(Self.maxNesting) levels", location: resource + "#" + resourcePointer)
        }
        guard case .object(let object) = json else {
            infos[location] = Info(
                json: json, base: base, resource: resource, resourcePointer: resourcePointer, vocabularies: vocabularies, dynamicAnchor: nil)
            return
        }
        var base = base
        var resource = resource
        var resourcePointer = resourcePointer
        var vocabularies = vocabularies
        if let id = object["$id"]?.stringValue, !id.hasPrefix("#") {
            let absolute = URIReference(id).resolved(against: URIReference(base)).withoutFragment.description
            base = absolute
            resource = absolute
            resourcePointer = ""
            if resources[absolute] == nil { resources[absolute] = location }
        }
        if let metaschema = object["$schema"]?.stringValue {
            vocabularies = try self.vocabularies(forMetaschema: metaschema, at: base)
        }
        if let anchor = object["$anchor"]?.stringValue {
            anchors[resource + "#" + anchor] = location
        }
        var dynamicAnchor: String?
        if let anchor = object["$dynamicAnchor"]?.stringValue {
            dynamicAnchor = anchor
            if anchors[resource + "#" + anchor] == nil { anchors[resource + "#" + anchor] = location }
            dynamicAnchorLocations[resource, default: [:]][anchor] = location
        }
        infos[location] = Info(
            json: json, base: base, resource: resource, resourcePointer: resourcePointer, vocabularies: vocabularies,
            dynamicAnchor: dynamicAnchor)
        for (key, value) in object {
            let escaped = "/" + JSONPointer.escape(key)
            if Self.objectSubschemaKeywords.contains(key), value.isSchemaShaped {
                try index(
                    value, at: Location(document: location.document, pointer: location.pointer + escaped), base: base,
                    resource: resource, resourcePointer: resourcePointer + escaped, vocabularies: vocabularies, nesting: nesting + 1)
            } else if Self.arraySubschemaKeywords.contains(key), case .array(let items) = value {
                for (i, item) in items.enumerated() {
                    let p = escaped + "/" + String(i)
                    try index(
                        item, at: Location(document: location.document, pointer: location.pointer + p), base: base, resource: resource,
                        resourcePointer: resourcePointer + p, vocabularies: vocabularies, nesting: nesting + 1)
                }
            } else if Self.mapSubschemaKeywords.contains(key), case .object(let members) = value {
                for (name, member) in members where member.isSchemaShaped {
                    let p = escaped + "/" + JSONPointer.escape(name)
                    try index(
                        member, at: Location(document: location.document, pointer: location.pointer + p), base: base, resource: resource,
                        resourcePointer: resourcePointer + p, vocabularies: vocabularies, nesting: nesting + 1)
                }
            }
        }
    }

    /// The vocabularies a metaschema declares; unknown optional vocabularies are ignored.
    mutating func vocabularies(forMetaschema uri: String, at base: String) throws(JSONSchemaError) -> Vocabularies {
        let key = SchemaRegistry.key(URIReference.resolve(uri, against: base))
        if key == "https://json-schema.org/draft/2020-12/schema" { return defaultVocabularies }
        // A schema written for an earlier draft, typically reached by a `$ref` to another document, keeps that
        // draft's array and dependency keywords (a best effort: other semantics are those of 2020-12).
        if key == "https://json-schema.org/draft/2019-09/schema" { return defaultVocabularies.union(.legacyItems) }
        if ["http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema", "http://json-schema.org/draft-04/schema"]
            .contains(key)
        {
            return defaultVocabularies.union([.legacyItems, .legacyDependencies])
        }
        let document: JSON? =
            registry.documents[key] ?? resources[key].map { location(json: $0) } ?? Metaschemas.parsed[key]
        guard let document, case .object(let declared)? = document["$vocabulary"] else { return defaultVocabularies }
        var result: Vocabularies = options.formatAssertion ? [.formatAssertion] : []
        for (vocabulary, required) in declared {
            switch vocabulary {
            case Vocabularies.uriPrefix + "applicator": result.insert(.applicator)
            case Vocabularies.uriPrefix + "unevaluated": result.insert(.unevaluated)
            case Vocabularies.uriPrefix + "validation": result.insert(.validation)
            case Vocabularies.uriPrefix + "format-assertion": result.insert(.formatAssertion)
            case Vocabularies.uriPrefix + "core", Vocabularies.uriPrefix + "meta-data", Vocabularies.uriPrefix + "format-annotation",
                Vocabularies.uriPrefix + "content":
                break
            default:
                if required.boolValue == true {
                    throw JSONSchemaError(
                        code: .unsupportedVocabulary, message: "the metaschema requires the unknown vocabulary \(vocabulary)", location: key)
                }
            }
        }
        return result
    }

    func location(json location: Location) -> JSON {
        JSONPointer(location.pointer)?.resolve(in: documents[location.document]) ?? .null
    }

    /// The location of the resource `uri`, loading it from the registry or the bundled metaschemas when needed.
    mutating func findResource(_ uri: String) throws(JSONSchemaError) -> Location? {
        if let location = resources[uri] { return location }
        if !loaded.contains(uri) {
            if let document = registry.documents[uri] { return try load(document, uri: uri) }
            if let document = Metaschemas.parsed[uri] { return try load(document, uri: uri) }
        }
        // The resource may be an embedded `$id` inside a registered document not yet loaded.
        for (key, document) in registry.documents where !loaded.contains(key) {
            _ = try load(document, uri: key)
        }
        return resources[uri]
    }

    /// Resolves a `$ref` value written in the schema at `info` to a schema location.
    mutating func resolve(_ reference: String, from info: Info, keyword: String) throws(JSONSchemaError) -> (Location, fragment: String) {
        let absolute = URIReference(reference).resolved(against: URIReference(info.base))
        let fragment = URIReference.percentDecoded(absolute.fragment ?? "")
        let resourceURI = absolute.withoutFragment.description
        let here = info.resource + "#" + info.resourcePointer + "/" + keyword
        guard let resourceLocation = try findResource(resourceURI) else {
            throw JSONSchemaError(
                code: .unresolvedReference, message: "cannot resolve \(keyword) \"\(reference)\": no schema \(resourceURI) is known", location: here)
        }
        if fragment.isEmpty { return (resourceLocation, fragment) }
        if fragment.hasPrefix("/") {
            guard let pointer = JSONPointer(fragment) else {
                throw JSONSchemaError(code: .unresolvedReference, message: "\(keyword) \"\(reference)\" has an invalid JSON Pointer", location: here)
            }
            let target = Location(document: resourceLocation.document, pointer: resourceLocation.pointer + pointer.description)
            if infos[target] == nil {
                guard let resourceInfo = infos[resourceLocation], let value = pointer.resolve(in: resourceInfo.json) else {
                    throw JSONSchemaError(
                        code: .unresolvedReference, message: "cannot resolve \(keyword) \"\(reference)\": no such location", location: here)
                }
                try index(
                    value, at: target, base: resourceInfo.base, resource: resourceInfo.resource,
                    resourcePointer: resourceInfo.resourcePointer + pointer.description, vocabularies: resourceInfo.vocabularies)
            }
            return (target, fragment)
        }
        guard let target = anchors[resourceURI + "#" + fragment] else {
            throw JSONSchemaError(
                code: .unresolvedReference, message: "cannot resolve \(keyword) \"\(reference)\": no anchor \"\(fragment)\"", location: here)
        }
        return (target, fragment)
    }

    // MARK: - Nodes

    /// The node index for a schema location, queuing it for compilation on first sight.
    mutating func node(for location: Location) throws(JSONSchemaError) -> Int {
        if let index = nodeOf[location] { return index }
        if infos[location] == nil {
            throw JSONSchemaError(code: .invalidSchema, message: "no schema at this location", location: location.pointer)
        }
        let index = tables.nodes.count
        tables.nodes.append(Node())
        nodeOf[location] = index
        pending.append((index, location))
        return index
    }

    mutating func resourceID(_ name: String) -> Int32 {
        if let id = resourceIDs[name] { return id }
        let id = Int32(resourceNames.count)
        resourceNames.append(name)
        resourceIDs[name] = id
        return id
    }

    mutating func compileNode(_ index: Int, at location: Location) throws(JSONSchemaError) {
        let info = infos[location]!
        var node = Node()
        node.resource = resourceID(info.resource)
        let locationText = info.resource + "#" + info.resourcePointer
        node.location = Int32(tables.locations.count)
        tables.locations.append(locationText)
        switch info.json {
        case .bool(true): node.kind = .alwaysValid
        case .bool(false): node.kind = .alwaysInvalid
        case .object(let object):
            let builder = NodeBuilder(info: info, location: location, index: index)
            var ops = NodeBuilder.Ops()
            try builder.build(object, into: &node, ops: &ops, compiler: &self)
            node.opsStart = Int32(tables.ops.count)
            tables.ops.append(contentsOf: ops.any)
            node.anyEnd = Int32(tables.ops.count)
            tables.ops.append(contentsOf: ops.number)
            node.numberEnd = Int32(tables.ops.count)
            tables.ops.append(contentsOf: ops.string)
            node.stringEnd = Int32(tables.ops.count)
            tables.ops.append(contentsOf: ops.array)
            node.arrayEnd = Int32(tables.ops.count)
            tables.ops.append(contentsOf: ops.object)
            node.objectEnd = Int32(tables.ops.count)
            if node.typeMask == 0 && node.opsStart == node.objectEnd && !node.collectsAnnotations {
                node.kind = .alwaysValid
            }
        default:
            throw JSONSchemaError(code: .invalidSchema, message: "a schema must be an object or a boolean", location: locationText)
        }
        tables.nodes[index] = node
    }

    /// Rejects `$ref`/`allOf` chains that lead back to the same schema: they would recurse forever on any instance.
    func checkCycles() throws(JSONSchemaError) {
        var state = [UInt8](repeating: 0, count: tables.nodes.count)  // 0 new, 1 on stack, 2 done
        for start in inPlaceEdges.keys where state[start] == 0 {
            var stack: [(Int, Int)] = [(start, 0)]
            state[start] = 1
            while let (n, i) = stack.last {
                let edges = inPlaceEdges[n] ?? []
                if i < edges.count {
                    stack[stack.count - 1].1 = i + 1
                    let next = edges[i]
                    if state[next] == 1 {
                        throw JSONSchemaError(
                            code: .circularReference,
                            message: "circular reference: this schema refers to itself without consuming any of the instance",
                            location: tables.locations[Int(tables.nodes[next].location)])
                    }
                    if state[next] == 0 {
                        state[next] = 1
                        stack.append((next, 0))
                    }
                } else {
                    state[n] = 2
                    stack.removeLast()
                }
            }
        }
    }
}

extension JSON {
    /// Objects and booleans are schemas; other values under a subschema keyword are ignored by the index.
    var isSchemaShaped: Bool {
        switch self {
        case .object, .bool: true
        default: false
        }
    }
}

extension Metaschemas {
    /// The bundled documents, parsed once.
    static let parsed: [String: JSON] = {
        var result: [String: JSON] = [:]
        for (uri, text) in documents {
            result[uri] = try? JSON(parsing: text)
        }
        return result
    }()
}
