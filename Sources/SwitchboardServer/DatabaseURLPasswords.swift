import JSONValue
import Logging
import SwitchboardCore
import SwitchboardStore
import SwitchboardVault

/// Moves the passwords that SQL connections stored before they had to live in the vault out of `databaseUrl`.
///
/// Run at start-up, after the vault has started (its keys are then loaded and checked). For each connection whose
/// `databaseUrl` carries a password (`postgres://user:password@host/db`):
/// 1. when the connection holds no credentials, the URL's user and password are sealed in the vault as `basic`
///    credentials (audited as `credentials.set` by `migration`); credentials it already holds win, and the URL's
///    password is dropped;
/// 2. the password is removed from `databaseUrl` (the connection's version goes up).
///
/// Each step is safe to repeat: a start-up interrupted between them finds credentials and only strips the URL. A node
/// that lost the race to another one starting at the same time (a version conflict) leaves that connection to it.
enum DatabaseURLPasswords {
    /// - Returns: the number of connections whose `databaseUrl` lost its password.
    @discardableResult
    static func moveToVault(connections: any ConnectionRepository, vault: Vault, logger: Logger) async throws -> Int {
        var moved = 0
        var cursor: Cursor?
        repeat {
            let page = try await connections.list(ConnectionQuery(limit: 200, cursor: cursor))
            for connection in page.items {
                guard let url = connection.config["databaseUrl"]?.stringValue, PostgresDatabase.hasPassword(url) else { continue }
                let (stripped, username, password) = PostgresDatabase.removingPassword(from: url)
                if try await vault.info(connectionId: connection.id) == nil, let password {
                    _ = try await vault.put(
                        connectionId: connection.id, body: ["type": "basic", "username": .string(username), "password": .string(password)],
                        actor: "migration")
                }
                // Re-read: storing credentials may have moved the connection to CONNECTED.
                guard var current = try await connections.get(id: connection.id) else { continue }
                guard current.config["databaseUrl"]?.stringValue == url else { continue }
                current.config["databaseUrl"] = .string(stripped)
                do {
                    _ = try await connections.update(current, expectedVersion: current.version)
                    moved += 1
                    logger.notice(
                        "moved the password of a SQL connection's databaseUrl into the vault", metadata: ["connection.id": "\(connection.id)"])
                } catch let error as SwitchboardError where error.code == "VERSION_CONFLICT" {
                    continue
                }
            }
            cursor = try page.nextCursor.map { try Cursor(decoding: $0) }
        } while cursor != nil
        return moved
    }
}
