import JSONValue

/// A stored transformation document (a mapping, mapping template, validator or pipeline): its id, its name,
/// an optional unique lookup key (a template's integration and entity types), and the document itself.
public struct TransformDocument: Sendable, Equatable {
    public var id: String
    public var name: String
    public var lookupKey: String?
    /// The document as the user wrote it (without `id`, `createdAt`, `updatedAt`).
    public var body: JSON
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, name: String, lookupKey: String? = nil, body: JSON, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.lookupKey = lookupKey
        self.body = body
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The body with `id`, `createdAt` and `updatedAt`, as the API answers.
    public var json: JSON {
        var o = JSONObject()
        o["id"] = .string(id)
        if case .object(let b) = body { for (k, v) in b where k != "id" && k != "createdAt" && k != "updatedAt" { o[k] = v } }
        o["createdAt"] = .string(createdAt.iso8601)
        o["updatedAt"] = .string(updatedAt.iso8601)
        return .object(o)
    }
}

/// One kind of transformation document, stored by id; listed in id order (creation order) with a cursor.
public protocol TransformDocumentRepository: Sendable {
    /// Inserts; a taken `lookupKey` is a 409 `CONFLICT`.
    func insert(_ document: TransformDocument) async throws
    /// Replaces; false when absent. A taken `lookupKey` is a 409 `CONFLICT`.
    func update(_ document: TransformDocument) async throws -> Bool
    func get(id: String) async throws -> TransformDocument?
    func get(lookupKey: String) async throws -> TransformDocument?
    /// False when absent.
    func delete(id: String) async throws -> Bool
    func list(limit: Int, cursor: Cursor?) async throws -> Page<TransformDocument>
}
