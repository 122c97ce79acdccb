import Foundation
import JSONValue
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@testable import SwitchboardVault

/// The secrets used here are searched for, byte for byte, in the database, the logs, the events and the audit log.
@Suite("Vault secrets never leak", .serialized)
struct VaultSecretLeakTests {
    @Test(arguments: TestBackend.available)
    func secretsAppearNowhere(_ backend: TestBackend) async throws {
        try await withOAuthPeer { peer in
            try await withVault(backend) { f in
                var secrets = [
                    "pw-LEAK-b81f2e", "ak-LEAK-55d0a1", "bt-LEAK-c3e9f7", "web-secret-Q8f3", "hs-LEAK-signing-0123456789abcdef", "cv-LEAK-77aa",
                ]
                let basic = try await f.connection(auth: ["type": "custom"])
                let d = try await f.definition(of: basic)
                _ = try await f.vault.put(connectionId: basic.id, body: ["type": "basic", "username": "leak-user", "password": "pw-LEAK-b81f2e"])
                _ = try await f.vault.credentials(for: basic, definition: d)
                _ = try await f.vault.put(connectionId: basic.id, body: ["type": "api_key", "key": "ak-LEAK-55d0a1"])
                _ = try await f.vault.credentials(for: basic, definition: d)
                _ = try await f.vault.put(connectionId: basic.id, body: ["type": "bearer", "token": "bt-LEAK-c3e9f7"])
                _ = try await f.vault.put(connectionId: basic.id, body: ["type": "custom", "values": ["apiSecret": "cv-LEAK-77aa"]])
                _ = try await f.vault.put(
                    connectionId: basic.id, body: ["type": "jwt", "algorithm": "HS256", "key": "hs-LEAK-signing-0123456789abcdef"])
                let minted = try #require(try await f.vault.credentials(for: basic, definition: d)?["token"])
                secrets.append(minted)
                // An OAuth connection: its tokens are secrets too.
                let oauth = try await f.connection(auth: peer.auth())
                try await VaultOAuthTests.connect(f, peer, oauth)
                let od = try await f.definition(of: oauth)
                let c1 = try #require(try await f.vault.credentials(for: oauth, definition: od))
                f.clock.advance(milliseconds: 3_600_000)
                let c2 = try #require(try await f.vault.credentials(for: oauth, definition: od))
                for c in [c1, c2] { secrets += [c["accessToken"]!, c["refreshToken"]!] }
                // A failing validation mentions no value.
                do {
                    _ = try await f.vault.put(
                        connectionId: basic.id, body: ["type": "basic", "password": "pw-LEAK-b81f2e", "bogus": "pw-LEAK-b81f2e"])
                } catch let e as SwitchboardError {
                    #expect(!e.json.serialized().contains("pw-LEAK"))
                }
                await f.vault.audit.flush()

                var haystacks: [(String, [UInt8])] = []
                haystacks.append(("logs", Array(f.logs.all.utf8)))
                haystacks.append(("events", Array(f.events.events.map { "\($0.type) \($0.connectionId) \($0.payload.serialized())" }.joined().utf8)))
                let audit = try await f.vault.audit.list(AuditQuery(limit: 200))
                #expect(audit.items.count > 10)
                haystacks.append(("audit", Array(audit.items.map { $0.json.serialized() }.joined().utf8)))
                switch f.location {
                case .sqlite(let dir):
                    for suffix in ["", "-wal", "-shm", "-journal"] {
                        if let data = FileManager.default.contents(atPath: dir + "/switchboard.sqlite" + suffix) {
                            haystacks.append(("sqlite" + suffix, [UInt8](data)))
                        }
                    }
                default:
                    for table in ["vault_credentials", "vault_audit", "vault_oauth_states", "vault_keys", "connections", "definition_versions"] {
                        let rows = try await f.db.query("SELECT * FROM \(table)", [])
                        let text = rows.map { r in r.columns.indices.map { "\(r.values[$0])" }.joined(separator: "|") }.joined(separator: "\n")
                        haystacks.append(("postgres " + table, Array(text.utf8)))
                    }
                }
                for s in secrets {
                    for (name, bytes) in haystacks {
                        #expect(!contains(bytes, Array(s.utf8)), "a secret is in \(name)")
                    }
                }
                #expect(haystacks.contains { $0.0.hasPrefix("sqlite") || $0.0.hasPrefix("postgres") })
            }
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    let first = needle[0]
    var i = 0
    while i <= haystack.count - needle.count {
        if haystack[i] == first && Array(haystack[i..<(i + needle.count)]) == needle { return true }
        i += 1
    }
    return false
}
