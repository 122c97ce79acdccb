import JSONValue
import Testing

@testable import JSONata

@Suite struct PathTests {
    @Test func pathsMapOverArraysAndFlatten() throws {
        #expect(try eval("Account.Name", invoice) == "Firefly")
        #expect(try eval("Account.Order.OrderID", invoice) == ["order103", "order104"])
        #expect(try eval("Account.Order.Product.Price", invoice) == [34.45, 21.67, 34.45, 107.99])
        #expect(try eval("Account.Missing.Field", invoice) == nil)
    }

    @Test func leadingFieldStepsThroughObjectsMatchTheGeneralPath() throws {
        // Paths whose leading steps are plain fields over input objects are walked directly; these
        // cover the points where the walk stops: arrays, scalars, missing members, grouping and kept arrays.
        let doc: JSON = ["a": ["b": ["c": [["d": 1, "e": true], ["d": 2, "e": false]], "s": "x", "n": nil], "arr": [["c": 3], ["c": 4]]]]
        #expect(try eval("a.b.c[e].d", doc) == 1)
        #expect(try eval("a.b.c.d", doc) == [1, 2])
        #expect(try eval("a.b.c[e].{'d': d}", doc) == ["d": 1])
        #expect(try eval("a.b.c.{'d': d}", doc) == [["d": 1], ["d": 2]])
        #expect(try eval("a.arr.c[$ > 3]", doc) == 4)
        #expect(try eval("a.b.s.x[0]", doc) == nil)
        #expect(try eval("a.b.missing.x[0]", doc) == nil)
        #expect(try eval("a.b.missing{'k': 1}", doc) == ["k": 1])
        #expect(try eval("a.b.missing.{'k': 1}", doc) == nil)
        #expect(try eval("a.b.c[]", doc) == [["d": 1, "e": true], ["d": 2, "e": false]])
        #expect(try eval("a.b.s[]", doc) == ["x"])
        #expect(try eval("a.b.c{$string(d): e}", doc) == ["1": true, "2": false])
        #expect(try eval("a.arr{'k': c}", doc) == ["k": [3, 4]])
        #expect(try eval("a.b.n", doc) == nil as JSON)
        #expect(try eval("a.b.(s & 'y')", doc) == "xy")
    }

    @Test func singletonSequencesUnwrapUnlessKept() throws {
        #expect(try eval("Account.Order[0].OrderID", invoice) == "order103")
        #expect(try eval("Account.Order[0].OrderID[]", invoice) == ["order103"])
        #expect(try eval("$.a", ["a": [1]]) == [1])
    }

    @Test func predicatesFilterAndIndex() throws {
        #expect(try eval("Account.Order.Product[Price > 30].Name", invoice) == ["Bowler Hat", "Bowler Hat", "Cloak"])
        #expect(try eval("Account.Order.Product[-1].Name", invoice) == ["Trilby hat", "Cloak"])
        #expect(try eval("(Account.Order.Product)[-1].Name", invoice) == "Cloak")
        #expect(try eval("Account.Order[[0, 1]].OrderID", invoice) == ["order103", "order104"])
    }

    @Test func wildcardsAndDescendants() throws {
        #expect(try eval("Account.*", ["Account": ["a": 1, "b": [2, 3]]]) == [1, 2, 3])
        #expect(try eval("**.Price", invoice) == [34.45, 21.67, 34.45, 107.99])
    }

    @Test func arrayInputIsOneValue() throws {
        #expect(try eval("$[1]", [10, 20, 30]) == 20)
        #expect(try eval("$count($)", [1, 2, 3]) == 3)
        #expect(try eval("$$[0]", [5]) == 5)
    }

    @Test func objectConstructorsAndGrouping() throws {
        #expect(try eval("{'a': 1, 'b': nothing}") == ["a": 1])
        #expect(
            try eval("Account.Order.Product{Name: $sum(Price)}", invoice) == ["Bowler Hat": 68.9, "Trilby hat": 21.67, "Cloak": 107.99])
        #expect(errorCode("{1: 2}") == "T1003")
        #expect(errorCode("{'a': 1, 'a': 2}") == "D1009")
        #expect(errorCode("[{'k': 'x'}, {'k': 'x'}]{k: 1, 'x': 2}") == "D1009")
    }

    @Test func sortingIsStableAndTyped() throws {
        #expect(try eval("Account.Order.Product^(>Price).Name", invoice) == ["Cloak", "Bowler Hat", "Bowler Hat", "Trilby hat"])
        #expect(try eval("[3, 1, 2]^($)") == [1, 2, 3])
        #expect(errorCode("[1, 'a']^($)") == "T2007")
    }

    @Test func focusIndexAndParentBindings() throws {
        #expect(
            try eval("Account.Order@$o.{'id': $o.OrderID, 'name': Name}", invoice) == [
                ["id": "order103", "name": "Firefly"], ["id": "order104", "name": "Firefly"],
            ])
        #expect(try eval("Account.Order#$i.{'i': $i, 'id': OrderID}", invoice) == [["i": 0, "id": "order103"], ["i": 1, "id": "order104"]])
        #expect(try eval("Account.Order.Product.{'name': Name, 'order': %.OrderID}[3]", invoice) == ["name": "Cloak", "order": "order104"])
        #expect(errorCode("%") == "S0217")
    }
}
