import Crypto
import Foundation
import SwitchboardCore

/// A master key: 32 bytes that wrap data keys, and its id (the first 8 bytes of the key's SHA-256, in hex).
///
/// The id names the key in records, logs and errors; the key bytes are never printed.
public struct MasterKey: Sendable, CustomStringConvertible {
    public let id: String
    let key: SymmetricKey
    /// Where the key came from (`env:SWITCHBOARD_MASTER_KEY` or a file path), for status output.
    public let source: String

    public init(bytes: [UInt8], source: String) throws(SwitchboardError) {
        guard bytes.count == 32 else {
            throw VaultErrors.keyConfiguration("the master key from \(source) must be 32 bytes (base64-encoded), not \(bytes.count)")
        }
        self.key = SymmetricKey(data: bytes)
        self.id = Self.id(of: bytes)
        self.source = source
    }

    /// Reads a base64 key (standard or URL alphabet, whitespace ignored).
    public init(base64 text: String, source: String) throws(SwitchboardError) {
        let trimmed = text.filter { !$0.isWhitespace }
        guard let bytes = Base64URL.decode(trimmed) else {
            throw VaultErrors.keyConfiguration("the master key from \(source) is not base64")
        }
        try self.init(bytes: bytes, source: source)
    }

    /// A new random key.
    public static func generate(source: String) -> MasterKey {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return try! MasterKey(bytes: bytes, source: source)
    }

    public static func id(of bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The key in base64, to write to a key file.
    var base64: String { key.withUnsafeBytes { Data($0).base64EncodedString() } }

    public var description: String { "MasterKey(\(id), \(source))" }
}

/// The master keys a vault can use. New records are wrapped under `primary`; every key stays loadable for reading.
public struct KeyRing: Sendable {
    public private(set) var keys: [String: MasterKey]
    /// Key ids in the order they were added (oldest first); the primary is chosen by the database's key table.
    public private(set) var order: [String]

    public init(_ keys: [MasterKey] = []) {
        self.keys = [:]
        self.order = []
        for k in keys { add(k) }
    }

    public mutating func add(_ key: MasterKey) {
        if keys[key.id] == nil { order.append(key.id) }
        keys[key.id] = key
    }

    public subscript(id: String) -> MasterKey? { keys[id] }
    public var isEmpty: Bool { keys.isEmpty }

    /// A ring holding one random key that lives only in memory (tests, tooling that never persists).
    public static func ephemeral() -> KeyRing { KeyRing([MasterKey.generate(source: "memory")]) }
}
