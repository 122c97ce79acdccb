import Foundation
import HummingbirdTesting
import JSONValue
import Logging
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Values in and out of a method's statement: parameters typed so PostgreSQL infers the rest, and rows read as JSON.
@Suite struct SQLAdapterTypesTests {
    /// PostgreSQL: a parameter takes the type its place calls for: a boolean compares with a boolean column, a string
    /// with an integer, a timestamptz or a bigint beyond 2^53, a list with `= ANY`, an object with jsonb, a number is an
    /// integer argument; where nothing says its type (`SELECT :x`) a string is text.
    @Test func postgresInfersTheParametersTypesFromTheirPlaces() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let setup = [
            "CREATE TABLE typed (id integer, flag boolean, created timestamptz, big bigint, doc jsonb)",
            """
            INSERT INTO typed VALUES (1, true, '2024-01-02T03:04:05Z', 9007199254740993, '{"a": 1}'),
            (2, false, '2020-01-01T00:00:00Z', 2, '{"a": 2}'), (3, true, '2025-06-01T00:00:00Z', 3, '{"a": 3}')
            """,
        ]
        let methods: KeyValuePairs<String, (String, Bool)> = [
            "byFlag": ("SELECT id FROM typed WHERE flag = :b ORDER BY id", true),
            "byId": ("SELECT id FROM typed WHERE id = :id", true),
            "since": ("SELECT id FROM typed WHERE created > :since ORDER BY id", true),
            "big": ("SELECT id FROM typed WHERE big = :big", true),
            "anyOf": ("SELECT id FROM typed WHERE id = any(:ids) ORDER BY id", true),
            "byName": ("SELECT id FROM items WHERE name = any(:names) ORDER BY id", true),
            "echo": ("SELECT :x AS x", true),
            "echoWritable": ("SELECT :x AS x", false),
            "repeat": ("SELECT repeat('ab', :n) AS s, :n + 1 AS m", true),
            "contains": ("SELECT id FROM typed WHERE doc @> :doc", true),
            "add": ("INSERT INTO typed (id, flag, created, big, doc) VALUES (:id, :flag, :created, :big, :doc)", false),
        ]
        try await SQLAdapterSessionTests.withMethods(.postgres, methods, setup: setup) { call, _, _ in
            func ids(_ method: String, _ params: JSON) async throws -> JSON? {
                let r = try await call(method, params)
                #expect(r.status == 200, "\(method): \(r.body)")
                return r.body["data"]?["rows"].map { rows in .array((rows.arrayValue ?? []).compactMap { $0["id"] }) }
            }
            #expect(try await ids("byFlag", ["b": true]) == [1, 3])
            #expect(try await ids("byId", ["id": "1"]) == [1])
            #expect(try await ids("byId", ["id": 2]) == [2])
            #expect(try await ids("since", ["since": "2024-01-01T00:00:00Z"]) == [1, 3])
            #expect(try await ids("big", ["big": "9007199254740993"]) == [1])
            #expect(try await ids("anyOf", ["ids": [1, 3]]) == [1, 3])
            #expect(try await ids("byName", ["names": ["nut", "bolt", "a \"quoted\", {odd} \\ name", nil]]) == [1, 2])
            #expect(try await ids("contains", ["doc": ["a": 2]]) == [2])
            for method in ["echo", "echoWritable"] {
                let echoed = try await call(method, ["x": "hello"])
                #expect(echoed.status == 200, "\(method): \(echoed.body)")
                #expect(echoed.body["data"]?["rows"]?[0]?["x"] == "hello", "\(method): \(echoed.body)")
            }
            // A number is a bigint or a double precision; where nothing takes a bigint (repeat(text, integer)), untyped.
            #expect(try await call("repeat", ["n": 2]).body["data"]?["rows"] == [["s": "abab", "m": 3]])
            #expect(try await call("echo", ["x": 5]).body["data"]?["rows"] == [["x": 5]])
            #expect(try await call("echo", ["x": 2.5]).body["data"]?["rows"] == [["x": 2.5]])
            let added = try await call(
                "add", ["id": "4", "flag": false, "created": "2026-12-06T23:00:00+01:00", "big": "-9007199254740995", "doc": ["a": [1, 2]]])
            #expect(added.status == 200, "\(added.body)")
            #expect(added.body["data"]?["rowCount"] == 1)
            #expect(try await ids("big", ["big": "-9007199254740995"]) == [4])
            #expect(try await ids("contains", ["doc": ["a": [2]]]) == [4])
        }
    }
}
