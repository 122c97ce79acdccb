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

    /// PostgreSQL's values as JSON: never the binary bytes postgres-nio receives. Booleans, numbers (an int8 beyond 2^53
    /// and every numeric as exact strings), strings, lower-case uuids, nested JSON, RFC 3339 times, base64 bytea, arrays;
    /// the types read no other way in PostgreSQL's own text form.
    @Test func postgresValuesAreJSON() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let setup = ["CREATE TYPE mood AS ENUM ('happy', 'sad')"]
        let query = """
            SELECT true AS b, false AS f, 1::int2 AS i2, 2::int4 AS i4, 9007199254740993::int8 AS big, -5::int8 AS small,
              1.5::float4 AS f4, 'NaN'::float8 AS nan, '-Infinity'::float8 AS ninf, 1.25::numeric AS e,
              123456789012345678901234567890.000100::numeric AS wide, -0.05::numeric AS neg, 0::numeric AS zero,
              'x'::text AS t, 'y'::varchar AS v, 'z'::char(3) AS c, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS u,
              '{"a": [1, null, "x"]}'::json AS j, '{"a": {"b": true}}'::jsonb AS jb,
              '2024-01-02 03:04:05.123456+00'::timestamptz AS tz, '2024-01-02 03:04:05.5+02'::timestamptz AS tz2,
              '2024-01-02 03:04:05'::timestamp AS ts, '2024-01-02'::date AS d, '12:34:56'::time AS tm, '12:34:56.5'::time AS tm2,
              'infinity'::timestamptz AS inf, '\\x0102ff'::bytea AS by, ARRAY[1, NULL, 3] AS arr, ARRAY['a', 'b'] AS tarr,
              '{}'::int[] AS empty, ARRAY['2024-01-02'::date] AS darr, NULL::int AS nothing,
              '1 day 02:03:04'::interval AS iv, '1.2.3.4'::inet AS ip, '10.0.0.0/8'::cidr AS net, '(1,2)'::point AS pt,
              '[1,5)'::int4range AS r, 'happy'::mood AS m, ARRAY[[1, 2], [3, 4]] AS md, '0044-03-15 BC'::date AS bc,
              ARRAY['1 hour'::interval] AS ivs
            """
        let methods: KeyValuePairs<String, (String, Bool)> = ["values": (query, true)]
        try await SQLAdapterSessionTests.withMethods(.postgres, methods, setup: setup) { call, _, _ in
            let r = try await call("values", [:])
            #expect(r.status == 200, "\(r.body)")
            let expected: JSON = [
                "b": true, "f": false, "i2": 1, "i4": 2, "big": "9007199254740993", "small": -5, "f4": 1.5, "nan": "NaN", "ninf": "-Infinity",
                "e": "1.25", "wide": "123456789012345678901234567890.000100", "neg": "-0.05", "zero": "0", "t": "x", "v": "y", "c": "z  ",
                "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "j": ["a": [1, nil, "x"]], "jb": ["a": ["b": true]],
                "tz": "2024-01-02T03:04:05.123456Z", "tz2": "2024-01-02T01:04:05.5Z", "ts": "2024-01-02T03:04:05", "d": "2024-01-02",
                "tm": "12:34:56", "tm2": "12:34:56.5", "inf": "infinity", "by": "AQL/", "arr": [1, nil, 3], "tarr": ["a", "b"], "empty": [],
                "darr": ["2024-01-02"], "nothing": nil, "iv": "1 day 02:03:04", "ip": "1.2.3.4", "net": "10.0.0.0/8", "pt": "(1,2)", "r": "[1,5)",
                "m": "happy", "md": "{{1,2},{3,4}}", "bc": "0044-03-15 BC", "ivs": "{01:00:00}",
            ]
            let row = r.body["data"]?["rows"]?[0]
            for (key, value) in expected.objectValue ?? [:] {
                #expect(row?[key] == value, "\(key): \(row?[key].map { $0.serialized() } ?? "missing")")
            }
        }
    }

    /// SQLite: an integer beyond ±2^53 is a string of its exact digits (a JSON number would round it).
    @Test func sqliteIntegersBeyondADoublesPrecisionAreExactStrings() async throws {
        let methods: KeyValuePairs<String, (String, Bool)> = [
            "values": ("SELECT 9007199254740993 AS big, -9007199254740992 AS edge, 5 AS small", true)
        ]
        try await SQLAdapterSessionTests.withMethods(.sqlite, methods) { call, _, _ in
            let rows = try await call("values", [:]).body["data"]?["rows"]
            #expect(rows == [["big": "9007199254740993", "edge": -9007199254740992, "small": 5]])
        }
    }

    /// The response limit counts the rows as they are returned: a value read in PostgreSQL's text form (here a
    /// two-dimensional array of strings of quotes, whose text and then JSON escape each quote twice over) is counted
    /// as that text, not as the smaller binary bytes it arrived in.
    @Test func postgresTextFormsCountAgainstTheResponseLimit() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        let query = "SELECT ARRAY[[repeat('\"', :n)]] AS q"
        let methods: [JSON] = [["name": "quotes", "sql": ["query": .string(query)], "options": ["maxResponseBytes": 1000]]]
        try await SQLAdapterSessionTests.withMethods(.postgres, [:], extraMethods: methods) { call, _, _ in
            let small = try await call("quotes", ["n": 10])
            #expect(small.body["data"]?["rows"]?[0]?["q"] == .string("{{\"" + String(repeating: "\\\"", count: 10) + "\"}}"), "\(small.body)")
            // 400 quotes: 432 bytes in binary, 806 characters of text, over 1600 bytes as a JSON string.
            let large = try await call("quotes", ["n": 400])
            #expect(large.status == 502, "\(large.body)")
            #expect(large.body["error"]?["code"] == "RESPONSE_TOO_LARGE")
        }
    }
}
