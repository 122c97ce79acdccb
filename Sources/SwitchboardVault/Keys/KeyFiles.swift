import Foundation
import Logging
import SwitchboardCore

/// Loading master keys from the environment and from key files in `<data-dir>/keys/`.
///
/// Key files are named `master-<milliseconds>.key`, hold the base64 key and are created with mode 0600.
public enum KeyFiles {
    public static let environmentVariable = "SWITCHBOARD_MASTER_KEY"

    public static func directory(dataDirectory: String) -> String { dataDirectory + "/keys" }

    /// The keys of `directory` (oldest first), then the environment key.
    public static func load(directory: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KeyRing {
        var ring = KeyRing()
        if let directory {
            for path in try files(in: directory) {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                ring.add(try MasterKey(base64: text, source: path))
            }
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            ring.add(try MasterKey(base64: env, source: "env:\(environmentVariable)"))
        }
        return ring
    }

    /// Key file paths in `directory`, oldest first.
    static func files(in directory: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("master-") && $0.hasSuffix(".key") }
            .sorted { a, b in
                let na = Int64(a.dropFirst(7).dropLast(4)) ?? 0
                let nb = Int64(b.dropFirst(7).dropLast(4)) ?? 0
                return na == nb ? a < b : na < nb
            }
            .map { directory + "/" + $0 }
    }

    /// Writes a new random key file (mode 0600) and returns the key. Never logs the key.
    public static func create(in directory: String, now: Timestamp) throws -> MasterKey {
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var stamp = now.millisecondsSinceEpoch
        var path = directory + "/master-\(stamp).key"
        while FileManager.default.fileExists(atPath: path) {
            stamp += 1
            path = directory + "/master-\(stamp).key"
        }
        let key = MasterKey.generate(source: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw VaultErrors.keyConfiguration("cannot create the key file \(path) (errno \(errno))") }
        defer { close(fd) }
        let bytes = Array((key.base64 + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw VaultErrors.keyConfiguration("cannot write the key file \(path)") }
        return try MasterKey(base64: key.base64, source: path)
    }

    /// The keys for a server: the environment key and key files of the data directory. On the embedded default
    /// (`createIfMissing`) a first key file is created when there is no key at all; otherwise no key is an error.
    public static func forServer(dataDirectory: String, createIfMissing: Bool, now: Timestamp, logger: Logger) throws -> KeyRing {
        let dir = directory(dataDirectory: dataDirectory)
        var ring = try load(directory: dir)
        if ring.isEmpty {
            guard createIfMissing else {
                throw VaultErrors.keyConfiguration(
                    "no master key: set \(environmentVariable) (32 bytes, base64) or put a key file in \(dir); "
                        + "PostgreSQL deployments must configure their keys explicitly")
            }
            let key = try create(in: dir, now: now)
            ring.add(key)
            logger.info(
                "created a new master key file for the credential vault; back it up, credentials cannot be read without it",
                metadata: ["vault.key.id": "\(key.id)", "vault.key.file": "\(key.source)"])
        }
        return ring
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
