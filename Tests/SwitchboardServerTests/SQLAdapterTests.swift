import Foundation
import Hummingbird
import HummingbirdTesting
import JSONValue
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// The SQL adapter through the API, against a real SQLite file and a real PostgreSQL database.
@Suite struct SQLAdapterTests {
    static let definition: JSON = [
        "key": "inventory-db", "name": "Inventory database", "version": "1.0.0", "type": "database",
        "configSchema": ["type": "object", "properties": ["databaseUrl": ["type": "string"], "sqlitePath": ["type": "string"]]],
        "methods": [
            [
                "name": "findItem", "sql": ["query": "SELECT id, name, qty FROM items WHERE name = :name OR id = :id ORDER BY id"],
                "paramSchema": ["type": "object", "properties": ["name": ["type": "string"], "id": ["type": "integer"]]],
            ],
            ["name": "sneakyWrite", "sql": ["query": "DELETE FROM items WHERE id = :id"]],
            ["name": "restock", "sql": ["query": "UPDATE items SET qty = qty + :amount WHERE id = :id RETURNING id, qty", "readOnly": false]],
            ["name": "quoted", "sql": ["query": "SELECT ':id' AS literal, :id AS bound"]],
        ],
    ]

    /// Creates the `items` table in the database at `location` and returns the connection config naming it.
    static func seed(_ location: StoreLocation) async throws -> JSON {
        try await TestBackend.withDatabase(at: location) { db, _ in
            try await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)")
            try await db.execute("INSERT INTO items VALUES (1, 'bolt', 10), (2, 'nut; DROP TABLE items', 5)")
        }
        switch location {
        case .sqlite(let dir): return ["sqlitePath": .string(dir + "/switchboard.sqlite")]
        case .postgres(let url): return ["databaseUrl": .string(url)]
        case .sqliteFile(let path): return ["sqlitePath": .string(path)]
        }
    }

    @Test(arguments: TestBackend.available)
    func parameterisedQueriesReadOnlyByDefault(_ backend: TestBackend) async throws {
        try await backend.withFreshLocation { target in
            let config = try await Self.seed(target)
            try await withApp(backend) { client in
                try await client.call(.post, "/v1/definitions?publish=true", json: Self.definition)
                let c = try await client.call(.post, "/v1/connections", json: ["definitionKey": "inventory-db", "name": "inv", "config": config]).body
                let id = c["id"]!.stringValue!
                // Every placeholder's parameter is given (a missing one is refused); no item has id 0.
                let found = try await client.call(
                    .post, "/v1/connections/\(id)/methods/findItem", json: ["name": "nut; DROP TABLE items", "id": 0])
                #expect(found.status == 200, "\(found.body)")
                #expect(found.body["data"]?["rows"] == [["id": 2, "name": "nut; DROP TABLE items", "qty": 5]])
                let injection = try await client.call(.post, "/v1/connections/\(id)/methods/findItem", json: ["name": "' OR '1'='1", "id": 0])
                #expect(injection.body["data"]?["rowCount"] == 0)

                let refused = try await client.call(.post, "/v1/connections/\(id)/methods/sneakyWrite", json: ["id": 1])
                #expect(refused.status == 409)
                #expect(refused.body["status"] == "ERROR")
                #expect(refused.body["error"]?["code"] == "DEFINITION_ERROR")
                let still = try await client.call(.post, "/v1/connections/\(id)/methods/findItem", json: ["name": "", "id": 1])
                #expect(still.body["data"]?["rowCount"] == 1)

                let restocked = try await client.call(.post, "/v1/connections/\(id)/methods/restock", json: ["id": 1, "amount": 5])
                #expect(restocked.body["data"]?["rows"] == [["id": 1, "qty": 15]])
                let quoted = try await client.call(.post, "/v1/connections/\(id)/methods/quoted", json: ["id": 7])
                #expect(quoted.body["data"]?["rows"]?[0]?["literal"] == ":id")
            }
        }
    }
}
