import Foundation
import JSONValue
import Testing

@Suite struct JSONParsingTests {
    /// `exactIntegersOnly` refuses an integer a double would change (beyond 2^53), and only that: fractions, exponents
    /// and integers up to 2^53 read as before; without the option the integer is rounded, as JSON parsers do.
    @Test func exactIntegersOnlyRefusesIntegersADoubleWouldChange() throws {
        let exact = JSON.ParseOptions(exactIntegersOnly: true)
        for text in ["9007199254740992", "-9007199254740992", "123456789012345", "1e300", "12345678901234567890.5", "0", "-0"] {
            #expect((try? JSON(parsing: text, options: exact)) == (try JSON(parsing: text)), "\(text)")
        }
        for text in ["9007199254740993", "-9007199254740993", "1234567890123456789", "123456789012345678901234567890", "[1, {\"id\": 18446744073709551616}]"] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSON(parsing: text, options: exact) }
            do {
                _ = try JSON(parsing: text, options: exact)
            } catch {
                #expect(error.isInexactInteger, "\(error)")
            }
        }
        #expect(try JSON(parsing: "1234567890123456789") == .number(1_234_567_890_123_456_768))
    }

    @Test func parsesEveryKindOfValue() throws {
        let v = try JSON(parsing: #"{"a": [1, -2.5, 1e3, true, false, null], "b": "x\"y\u00e9\ud83d\ude00", "c": {}}"#)
        #expect(v["a"] == [1, -2.5, 1000, true, false, nil])
        #expect(v["b"] == "x\"yé😀")
        #expect(v["c"] == .object([:]))
    }

    @Test func keepsKeyOrderAndLastDuplicateWins() throws {
        let v = try JSON(parsing: #"{"z": 1, "a": 2, "z": 3}"#)
        #expect(v.objectValue?.keys == ["z", "a"])
        #expect(v["z"] == 3)
    }

    @Test func buildsNestedContainersAndDuplicateKeysAtEveryLevel() throws {
        let v = try JSON(parsing: #"{"a": [1, {"b": [2, 3], "b": [4]}, []], "c": {"d": 1, "e": [{}, {"f": 5}], "d": 2}, "a": [6, [7]]}"#)
        #expect(v == ["a": [6, [7]], "c": ["d": 2, "e": [[:], ["f": 5]]]])
        #expect(v.objectValue?.keys == ["a", "c"])
        #expect(v["c"]?.objectValue?.keys == ["d", "e"])
    }

    @Test func comparesEscapedAndNonASCIIKeysAsStrings() throws {
        // "\u0061" is "a"; "e\u0301" is canonically equivalent to "é", which Swift strings treat as equal.
        let v = try JSON(parsing: #"{"a": 1, "\u0061": 2, "é": 3, "e\u0301": 4, "ab": 5, "b": 6}"#)
        #expect(v.objectValue?.keys == ["a", "é", "ab", "b"])
        #expect(v["a"] == 2)
        #expect(v["é"] == 4)
    }

    @Test func handlesLargeObjectsWithDuplicates() throws {
        var members = (0..<40).map { "\"k\($0)\": \($0)" }
        members.append(#""k3": "again""#)
        members.append(#""k39": "last""#)
        let v = try JSON(parsing: "{" + members.joined(separator: ", ") + "}")
        let o = try #require(v.objectValue)
        #expect(o.count == 40)
        #expect(o.keys == (0..<40).map { "k\($0)" })
        #expect(o["k3"] == "again")
        #expect(o["k39"] == "last")
        #expect(o["k20"] == 20)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "[1] x", "{\"a\":1,}", "\"\u{01}\"", "\"\\x\"", "1e",
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSON(parsing: "{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func refusesNestingBeyondTheLimitInsteadOfCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: deep) }
        #expect(throws: Never.self) { try JSON(parsing: String(repeating: "[", count: 500) + String(repeating: "]", count: 500)) }
    }

    @Test func parsesLargeAndPreciseNumbers() throws {
        #expect(try JSON(parsing: "12345678901234567890") == .number(1.2345678901234567e19))
        #expect(try JSON(parsing: "0.1") == .number(0.1))
        #expect(try JSON(parsing: "-0") == .number(0))
        #expect(try JSON(parsing: "1E-2") == .number(0.01))
    }

    @Test func parsesJSONLines() throws {
        let values = try JSON.parseLines(Array("{\"a\":1}\n\n[2]\r\n3".utf8))
        #expect(values == [["a": 1], [2], 3])
        #expect(throws: JSONParseError.self) { try JSON.parseLines(Array("1\n{\n".utf8)) }
    }
}

@Suite struct JSONSerializationTests {
    @Test func roundTripsThroughText() throws {
        let text = #"{"name":"Ada","tags":["a","b"],"n":1.5,"ok":true,"none":null,"nested":{"x":[]}}"#
        #expect(try JSON(parsing: text).serialized() == text)
    }

    @Test(arguments: [
        (1.0, "1"), (0.1, "0.1"), (-2.5, "-2.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (1.5e-7, "1.5e-7"), (0.000001, "0.000001"), (1.2345678901234568e20, "123456789012345680000"), (-0.0, "0"),
        (3.14159, "3.14159"), (1e-7, "1e-7"), (Double.infinity, "null"),
    ])
    func writesNumbersAsJavaScriptDoes(_ value: Double, _ expected: String) {
        #expect(JSON.number(value).serialized() == expected)
    }

    @Test func writesPlainDecimalsAsTheGeneralFormatterDoes() {
        var state: UInt64 = 42
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let magnitude = Double(Int(state >> 50) % 40 - 12)
            let value = Double(bitPattern: state >> 12 | 0x3FF0_0000_0000_0000) * Foundation.pow(10, magnitude) * (state & 1 == 0 ? 1 : -1)
            #expect(JSON.number(value).serialized() == JSNumberFormat.format(value))
        }
        for value in [66.1, 0.5, -0.25, 123.456, 1e-6 * 1.5, 999_999_999_999_999.5, 0.000001, 1e15 + 0.5] {
            #expect(JSON.number(value).serialized() == JSNumberFormat.format(value))
        }
    }

    @Test func escapesStrings() {
        #expect(JSON.string("a\"b\\c\nd\u{1}é").serialized() == #""a\"b\\c\nd\u0001é""#)
    }

    @Test func prettyAndCanonicalForms() {
        let v: JSON = ["b": [1], "a": [:]]
        #expect(v.serialized(.canonical) == #"{"a":{},"b":[1]}"#)
        #expect(v.serialized(.pretty) == "{\n  \"b\": [\n    1\n  ],\n  \"a\": {}\n}")
    }

    /// Canonical text: members sorted by code point at every level (é after z, Z before a), strings escaped, numbers
    /// as JavaScript writes them; the same from the array writer and the fixed-buffer writer, whatever the size.
    @Test func canonicalFormSortsMembersByCodePointAtEveryLevel() throws {
        let v: JSON = [
            "z": 1, "é": "x\"y\n", "Z": [["b": 2.5, "a": 1e21, "c": nil]], "a": ["y": true, "x": false], "": -0.000001,
        ]
        let expected = #"{"":-0.000001,"Z":[{"a":1e+21,"b":2.5,"c":null}],"a":{"x":false,"y":true},"z":1,"é":"x\"y\n"}"#
        #expect(v.serialized(.canonical) == expected)
        var appended: [UInt8] = Array("prefix ".utf8)
        v.serialize(into: &appended, options: .canonical)
        #expect(String(decoding: appended, as: UTF8.self) == "prefix " + expected)

        // Objects of 30 members (sorted without the insertion sort) nested in values of 100 bytes to 400 KB (written
        // again into a larger buffer when the first guess is too small).
        func big(_ width: Int, depth: Int) -> JSON {
            var o = JSONObject()
            for i in (0..<30).reversed() {
                o["k\(i * 7919 % 30)-\(i)"] = depth == 0 ? .string(String(repeating: "v", count: width)) : big(width, depth: depth - 1)
            }
            return .object(o)
        }
        for (width, depth) in [(1, 0), (30, 0), (200, 0), (10, 1), (400, 1)] {
            let value = big(width, depth: depth)
            let text = value.serializedBytes(.canonical)
            var viaArray: [UInt8] = []
            value.serialize(into: &viaArray, options: .canonical)
            #expect(text == viaArray)
            let back = try JSON(parsing: text)
            #expect(back == value)
            func sortedEverywhere(_ j: JSON) -> Bool {
                switch j {
                case .object(let o):
                    let keys = o.keys
                    return zip(keys, keys.dropFirst()).allSatisfy { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                        && o.values.allSatisfy(sortedEverywhere)
                case .array(let a): return a.allSatisfy(sortedEverywhere)
                default: return true
                }
            }
            #expect(sortedEverywhere(back))
        }
    }
}

@Suite struct JSONObjectTests {
    @Test func equalityIgnoresKeyOrder() {
        let a: JSON = ["x": 1, "y": 2]
        let b: JSON = ["y": 2, "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.serialized() != b.serialized())
    }

    @Test func largeObjectsStayConsistentAcrossEdits() {
        var o = JSONObject()
        for i in 0..<100 { o["k\(i)"] = .number(Double(i)) }
        #expect(o["k57"] == 57)
        o.removeValue(forKey: "k10")
        #expect(o["k10"] == nil)
        #expect(o["k11"] == 11)
        #expect(o.count == 99)
        o["k11"] = "changed"
        #expect(o.keys[10] == "k11")
        #expect(o["k11"] == "changed")
    }

    @Test func numbersCompareByValue() {
        #expect(JSON.number(1.0) == JSON.number(1))
        #expect(JSON.number(-0.0).hashValue == JSON.number(0).hashValue)
    }
}

@Suite struct JSONPointerTests {
    @Test func parsesEscapesAndResolves() throws {
        let doc: JSON = ["a/b": ["c~d": [10, 20]]]
        let p = try #require(JSONPointer("/a~1b/c~0d/1"))
        #expect(p.tokens == ["a/b", "c~d", "1"])
        #expect(p.resolve(in: doc) == 20)
        #expect(p.description == "/a~1b/c~0d/1")
        #expect(JSONPointer("x") == nil)
        #expect(JSONPointer("/a~2") == nil)
        #expect(JSONPointer("/a~1b/c~0d/01")!.resolve(in: doc) == nil)
    }
}
