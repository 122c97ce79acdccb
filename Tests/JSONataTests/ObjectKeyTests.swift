import JSONValue
import Testing

@testable import JSONata

/// JavaScript compares property names by code units, so "\u{E9}" (precomposed é) and "e\u{301}" (e and a combining
/// acute accent) are two members of a jsonata-js object, though Swift's `==` on `String` holds them equal (canonical
/// equivalence). jsonata-js builds and reads its objects with plain JavaScript property access, so each test cites the
/// access that decides it.
@Suite struct ObjectKeyTests {
    static let composed = "\u{E9}"
    static let decomposed = "e\u{301}"

    /// The member names of an object result, as code points (a `String` comparison would not tell them apart).
    func names(_ json: JSON?) -> [[UInt32]] {
        guard case .object(let o)? = json else { return [] }
        return o.keys.map { $0.unicodeScalars.map(\.value) }
    }

    func scalars(_ json: JSON?) -> [[UInt32]] {
        guard case .array(let a)? = json else { return [] }
        return a.map { $0.stringValue?.unicodeScalars.map(\.value) ?? [] }
    }

    let both: [[UInt32]] = [[0xE9], [0x65, 0x301]]

    /// evaluateGroupExpression keeps one group per `groups.hasOwnProperty(key)`: two names, no D1009.
    @Test func theObjectConstructorKeepsBothNames() throws {
        #expect(names(try eval(#"{"\u00e9": 1, "e\u0301": 2}"#)) == both)
        #expect(names(try eval(#"{"\u00e9": 1, "e" & "\u0301": 2}"#)) == both)
        #expect(names(try eval(#"[{"k": "\u00e9"}, {"k": "e\u0301"}]{k: $count($)}"#)) == both)
        #expect(try eval(#"[{"k": "\u00e9"}, {"k": "e\u0301"}]{k: $count($)}.*"#) == [1, 1])
        #expect(try eval(#"[{"k": "\u00e9"}, {"k": "\u00e9"}]{k: $count($)}.*"#) == 2)
    }

    /// A path step is `input[key]` (functions.js lookup): the other form of the name finds nothing, in constructed
    /// objects, in input objects (walked without conversion), and past the hash index of a large object.
    @Test func lookupsFindOnlyTheSameCodeUnits() throws {
        #expect(try eval(#"{"\u00e9": 1}.`"# + Self.decomposed + "`") == nil)
        #expect(try eval(#"{"\u00e9": 1}.`"# + Self.composed + "`") == 1)
        #expect(try eval(#"$lookup({"\u00e9": 1}, "e\u0301")"#) == nil)
        let input: JSON = ["a": [Self.composed: 1]]
        #expect(try eval("a.`\(Self.decomposed)`", input) == nil)
        #expect(try eval("a.`\(Self.composed)`", input) == 1)
        #expect(try eval("$lookup(a, \"\(Self.decomposed)\")", input) == nil)
        #expect(try eval(#"a.*"#, input) == 1)
        let large = "($o := $merge([1..20].{'k' & $: $}) ~> |$|{'\u{E9}': 0}|; [$lookup($o, 'e\u{301}'), $lookup($o, '\u{E9}')])"
        #expect(try eval(large) == [0])
        var many = JSONObject()
        for i in 1...20 { many["k\(i)"] = .number(Double(i)) }
        many[Self.composed] = 0
        #expect(try eval("`\(Self.decomposed)`", .object(many)) == nil)
        #expect(try eval("`\(Self.composed)`", .object(many)) == 0)
    }

    /// merge is `result[prop] = obj[prop]`, keys2 collects `merge2[key] = true`, spread makes `obj[key]` per name, and
    /// the transform's update sets each name of the update object.
    @Test func mergeKeysSpreadAndTransformKeepBothNames() throws {
        #expect(names(try eval(#"$merge([{"\u00e9": 1}, {"e\u0301": 2}])"#)) == both)
        #expect(scalars(try eval(#"$keys([{"\u00e9": 1}, {"e\u0301": 2}])"#)) == both)
        #expect(try eval(#"$count($spread({"\u00e9": 1, "e\u0301": 2}))"#) == 2)
        #expect(names(try eval(#"{"\u00e9": 1} ~> |$|{"e\u0301": 2}|"#)) == both)
        #expect(names(try eval(#"{"\u00e9": 1, "e\u0301": 2} ~> |$|{}, "e\u0301"|"#)) == [[0xE9]])
        #expect(try eval(#"{"\u00e9": 1} = {"e\u0301": 1}"#) == false)
    }

    /// Variables are members of the frame's bindings object, looked up by name. The two names here have the same
    /// length (combining marks in either order, canonically equivalent).
    @Test func variableNamesCompareByCodeUnits() throws {
        let (first, second) = ("a\u{301}\u{316}", "a\u{316}\u{301}")
        #expect(try eval("($\(first) := 1; $\(second))") == nil)
        #expect(try eval("($\(first) := 1; $\(first))") == 1)
        #expect(try eval("($\(first) := 1; $\(second) := 2; [$\(first), $\(second)])") == [1, 2])
    }
}
