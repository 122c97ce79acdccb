import Logging
import PostgresNIO

/// The server, credentials and TLS mode a `postgres://` URL names: the pool's configuration, and a single
/// connection's for what cannot wait for the pool (`PostgresDatabase.cancelStatement`).
struct PostgresTarget: Sendable {
    enum TLSMode: Sendable { case disable, prefer, require }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var tls: TLSMode

    /// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`; `username` (when not empty)
    /// and `password` (when given) take the place of the URL's.
    init(url: String, username: String? = nil, password: String? = nil) throws {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw DatabaseError(kind: .unavailable, message: "a PostgreSQL URL must start with postgres://")
        }
        var rest = Substring(url[url.range(of: "://")!.upperBound...])
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        var userInfo = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        let hostPort = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        database = hostPort.count > 1 ? Self.percentDecode(String(hostPort[1])) : nil
        host = String(hostPort.first ?? "localhost")
        port = 5432
        if let colon = host.lastIndex(of: ":"), let p = Int(host[host.index(after: colon)...]) {
            port = p
            host = String(host[..<colon])
        }
        if host.isEmpty { host = "localhost" }
        let userParts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let user = userParts.first.map { Self.percentDecode(String($0)) } ?? "postgres"
        self.username = user.isEmpty ? "postgres" : user
        self.password = userParts.count > 1 ? Self.percentDecode(String(userParts[1])) : nil
        if let username, !username.isEmpty { self.username = username }
        if let password { self.password = password }
        if query.contains("sslmode=require") || query.contains("sslmode=verify") {
            tls = .require
        } else if query.contains("sslmode=prefer") {
            tls = .prefer
        } else {
            tls = .disable
        }
    }

    var clientConfiguration: PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: mode)
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: mode)
    }

    static func percentDecode(_ s: String) -> String {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PostgresDatabase {
    /// Cancels the statement running on backend `pid` (`pg_cancel_backend`, as the server's own cancel request would),
    /// from a connection of its own: the pool's connections may all be held by calls waiting for this one. A backend
    /// that has finished the statement meanwhile ignores the cancel while it waits for its next command, which its
    /// caller only sends after this returns. Failing to cancel is logged, not thrown: the statement then runs to its
    /// end or its timeout, as before.
    func cancelStatement(onBackend pid: Int64) async {
        do {
            let connection = try await PostgresConnection.connect(
                on: Self.eventLoops.next(), configuration: try target.connectionConfiguration(), id: 0, logger: logger)
            do {
                _ = try await connection.query("SELECT pg_cancel_backend(\(Int32(truncatingIfNeeded: pid)))", logger: logger)
            } catch {
                let kind = String(reflecting: type(of: error))
                logger.warning("could not cancel a statement", metadata: ["postgres.backend": "\(pid)", "error": "\(kind)"])
            }
            try? await connection.close()
        } catch {
            logger.warning("could not connect to cancel a statement", metadata: ["postgres.backend": "\(pid)"])
        }
    }
}
