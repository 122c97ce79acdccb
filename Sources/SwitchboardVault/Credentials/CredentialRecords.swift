import Foundation
import JSONValue
import SwitchboardCore
import SwitchboardStore

/// One row of `vault_credentials`: the sealed document and the metadata the API may show.
struct CredentialRow: Sendable {
    var connectionId: String
    var type: CredentialType
    var fields: [String]
    var expiresAt: Timestamp?
    var fingerprint: String
    var sealed: SealedRecord
    var revision: Int64
    var createdAt: Timestamp
    var updatedAt: Timestamp

    static let field = "credentials"

    init(
        connectionId: String, type: CredentialType, fields: [String], expiresAt: Timestamp?, fingerprint: String, sealed: SealedRecord,
        revision: Int64, createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.connectionId = connectionId
        self.type = type
        self.fields = fields
        self.expiresAt = expiresAt
        self.fingerprint = fingerprint
        self.sealed = sealed
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(row: SQLRow) throws {
        guard let id = row.text("connection_id"), let t = row.text("type"), let type = CredentialType(rawValue: t),
            let keyId = row.text("key_id"), let wrapped = row.text("wrapped_key").flatMap({ Data(base64Encoded: $0) }),
            let cipher = row.text("ciphertext").flatMap({ Data(base64Encoded: $0) })
        else { throw SwitchboardError.internalError("a vault_credentials row is malformed") }
        connectionId = id
        self.type = type
        fields = row.json("fields").arrayValue?.compactMap(\.stringValue) ?? []
        expiresAt = row.timestamp("expires_at")
        fingerprint = row.text("fingerprint") ?? ""
        sealed = SealedRecord(keyId: keyId, wrappedKey: Array(wrapped), ciphertext: Array(cipher))
        revision = row.int("revision") ?? 1
        createdAt = row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0)
        updatedAt = row.timestamp("updated_at") ?? Timestamp(millisecondsSinceEpoch: 0)
    }

    /// The API view: type, fields set, expiry and fingerprint, never a value.
    var json: JSON {
        [
            "connectionId": .string(connectionId),
            "type": .string(type.rawValue),
            "fields": .array(fields.map(JSON.string)),
            "expiresAt": expiresAt.map { .string($0.iso8601) } ?? .null,
            "fingerprint": .string(fingerprint),
            "keyId": .string(sealed.keyId),
            "revision": .number(Double(revision)),
            "createdAt": .string(createdAt.iso8601),
            "updatedAt": .string(updatedAt.iso8601),
        ]
    }
}

/// SQL for `vault_credentials` and `vault_keys`.
enum CredentialRecords {
    static func get(_ db: any SQLExecutor, connectionId: String, forUpdate: Bool = false) async throws -> CredentialRow? {
        let lock = forUpdate && db.dialect == .postgres ? " FOR UPDATE" : ""
        return try await db.first("SELECT * FROM vault_credentials WHERE connection_id = ?" + lock, [.text(connectionId)]).map(
            CredentialRow.init(row:))
    }

    static func upsert(_ db: any SQLExecutor, _ r: CredentialRow) async throws {
        try await db.execute(
            """
            INSERT INTO vault_credentials (connection_id, type, fields, expires_at, fingerprint, key_id, wrapped_key, ciphertext, revision, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (connection_id) DO UPDATE SET type = excluded.type, fields = excluded.fields, expires_at = excluded.expires_at,
              fingerprint = excluded.fingerprint, key_id = excluded.key_id, wrapped_key = excluded.wrapped_key, ciphertext = excluded.ciphertext,
              revision = excluded.revision, updated_at = excluded.updated_at
            """,
            [
                .text(r.connectionId), .text(r.type.rawValue), .json(.array(r.fields.map(JSON.string))), .timestamp(r.expiresAt),
                .text(r.fingerprint),
                .text(r.sealed.keyId), .text(Data(r.sealed.wrappedKey).base64EncodedString()), .text(Data(r.sealed.ciphertext).base64EncodedString()),
                .int(r.revision), .timestamp(r.createdAt), .timestamp(r.updatedAt),
            ])
    }

    /// Replaces only the wrapped key (rotation), if the row still has the revision that was read.
    static func rewrap(_ db: any SQLExecutor, connectionId: String, revision: Int64, keyId: String, wrappedKey: [UInt8]) async throws -> Bool {
        let rows = try await db.query(
            "UPDATE vault_credentials SET key_id = ?, wrapped_key = ? WHERE connection_id = ? AND revision = ? RETURNING connection_id",
            [.text(keyId), .text(Data(wrappedKey).base64EncodedString()), .text(connectionId), .int(revision)])
        return !rows.isEmpty
    }

    static func delete(_ db: any SQLExecutor, connectionId: String) async throws -> Bool {
        !(try await db.query("DELETE FROM vault_credentials WHERE connection_id = ? RETURNING connection_id", [.text(connectionId)]).isEmpty)
    }

    /// Key ids referenced by records, with their counts.
    static func keyUsage(_ db: any SQLExecutor) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try await db.query("SELECT key_id, COUNT(*) AS n FROM vault_credentials GROUP BY key_id", []) {
            if let k = row.text("key_id") { out[k, default: 0] += Int(row.int("n") ?? 0) }
        }
        for row in try await db.query("SELECT key_id, COUNT(*) AS n FROM vault_oauth_states GROUP BY key_id", []) {
            if let k = row.text("key_id") { out[k, default: 0] += Int(row.int("n") ?? 0) }
        }
        return out
    }

    struct KeyEntry: Sendable {
        var id: String
        var createdAt: Timestamp
        var check: [UInt8]
    }

    static func keys(_ db: any SQLExecutor) async throws -> [KeyEntry] {
        try await db.query("SELECT * FROM vault_keys ORDER BY created_at, id", []).compactMap { row in
            guard let id = row.text("id"), let c = row.text("check_value").flatMap({ Data(base64Encoded: $0) }) else { return nil }
            return KeyEntry(id: id, createdAt: row.timestamp("created_at") ?? Timestamp(millisecondsSinceEpoch: 0), check: Array(c))
        }
    }

    static func addKey(_ db: any SQLExecutor, _ key: MasterKey, now: Timestamp) async throws {
        try await db.execute(
            "INSERT INTO vault_keys (id, created_at, check_value) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [.text(key.id), .timestamp(now), .text(Data(try Envelope.makeCheck(key)).base64EncodedString())])
    }
}
