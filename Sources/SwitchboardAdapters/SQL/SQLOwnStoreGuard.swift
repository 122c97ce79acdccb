import JSONValue
import SwitchboardStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps methods away from Switchboard's own database: a connection whose `sqlitePath` is the store's file (or its
/// `-wal`, `-shm` or `-journal` file), or any path inside the server's data directory, or whose `databaseUrl` names
/// the PostgreSQL database the store uses, would let its calls read the vault's keys and ciphertext and write
/// connections past their versions and audit.
///
/// Paths are compared after resolving symbolic links (`realpath`; a file that does not exist yet by its resolved
/// directory), and files also by identity (device and inode, so a hard link is caught too). The check runs when a
/// connection's config is written and again on every call, since a link can be made afterwards.
struct SQLOwnStoreGuard: Sendable {
    let configuration: SQLAdapter.Configuration

    /// Why `config` may not be used, with the config field at fault, or nil.
    func refusal(_ config: JSONObject) -> (field: String, message: String)? {
        if let url = config["databaseUrl"]?.stringValue, url.hasPrefix("postgres") {
            guard case .postgres(let storeURL)? = configuration.store, let own = PostgresDatabase.endpoint(of: storeURL),
                PostgresDatabase.endpoint(of: url) == own
            else { return nil }
            return ("databaseUrl", "databaseUrl names the PostgreSQL database Switchboard's own store uses (\(own)); methods cannot query it")
        }
        if let path = config["sqlitePath"]?.stringValue, !path.isEmpty, refuses(sqlitePath: path) {
            return ("sqlitePath", "sqlitePath '\(path)' is Switchboard's own database or inside its data directory; methods cannot open it")
        }
        return nil
    }

    func refuses(sqlitePath path: String) -> Bool {
        let candidate = Self.resolved(path)
        var directories: [String] = []
        if let data = configuration.dataDirectory { directories.append(Self.resolved(data)) }
        var files: [String] = []
        switch configuration.store {
        case .sqlite(let directory)?: directories.append(Self.resolved(directory))
        case .sqliteFile(let file)?: files.append(file)
        case .postgres?, nil: break
        }
        for directory in directories where candidate == directory || candidate.hasPrefix(directory == "/" ? "/" : directory + "/") {
            return true
        }
        if case .sqlite(let directory)? = configuration.store { files.append(directory + "/switchboard.sqlite") }
        let identity = Self.identity(path)
        for file in files {
            for sibling in ["", "-wal", "-shm", "-journal"].map({ file + $0 }) {
                if candidate == Self.resolved(sibling) { return true }
                if let identity, identity == Self.identity(sibling) { return true }
            }
        }
        return false
    }

    /// `path` with symbolic links resolved: by `realpath` when it exists, else its directory's resolved path and
    /// its name, else as written (made absolute).
    static func resolved(_ path: String) -> String {
        if let real = realPath(path) { return real }
        let absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        guard let slash = absolute.lastIndex(of: "/") else { return absolute }
        let directory = slash == absolute.startIndex ? "/" : String(absolute[..<slash])
        let name = absolute[absolute.index(after: slash)...]
        guard let realDirectory = realPath(directory) else { return absolute }
        return (realDirectory == "/" ? "" : realDirectory) + "/" + name
    }

    private static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    private static func currentDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "" }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    /// The device and inode of the file at `path` (following links), or nil when there is none.
    static func identity(_ path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}
