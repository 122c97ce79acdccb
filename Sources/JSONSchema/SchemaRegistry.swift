import JSONValue

/// Schemas loaded in advance, by URI, for `$ref`s to other documents.
///
/// Compilation never touches the network: a reference to a URI that is neither in the schema, in
/// the registry, nor one of the bundled draft 2020-12 metaschemas is a compile error.
///
/// ```swift
/// var registry = SchemaRegistry()
/// registry.add(addressSchema, uri: "https://example.com/address.json")
/// let schema = try JSONSchema.compile(contactSchema, registry: registry)
/// ```
public struct SchemaRegistry: Sendable {
    /// The documents by retrieval URI (without fragment).
    public private(set) var documents: [String: JSON] = [:]

    public init() {}

    /// Registers `schema` as if it were served at `uri`; an `$id` inside it also identifies it.
    public mutating func add(_ schema: JSON, uri: String) {
        documents[Self.key(uri)] = schema
    }

    /// Registers a schema under its own top-level `$id`; returns `false` if it has none.
    @discardableResult
    public mutating func add(_ schema: JSON) -> Bool {
        guard let id = schema["$id"]?.stringValue else { return false }
        add(schema, uri: id)
        return true
    }

    static func key(_ uri: String) -> String {
        var u = uri
        if let hash = u.firstIndex(of: "#") { u = String(u[..<hash]) }
        return u
    }
}
