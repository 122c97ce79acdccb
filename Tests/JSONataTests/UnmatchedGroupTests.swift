import JSONValue
import Testing

@testable import JSONata

/// A capture group that takes no part in a match is `undefined` in JavaScript's match array, and jsonata-js keeps it so:
/// `evaluateRegex` (src/jsonata.js) builds a match's groups with `result.groups.push(match[i])` for every group, and
/// `$match` (src/functions.js) returns that array as it is (`groups: matches.groups`). These tests pin what JSONata
/// then does with such an undefined array item, each against the jsonata-js code that decides it.
@Suite struct UnmatchedGroupTests {
    /// JSON writes an undefined array item as `null`, as `JSON.stringify` does, and the item keeps its position:
    /// `groups[1]` is the second group's text, not shifted.
    @Test func matchKeepsAnUndefinedGroupInItsPlace() throws {
        #expect(try eval(#"$match("a", /(b)?a/)"#) == ["match": "a", "index": 0, "groups": [nil]])
        #expect(try eval(#"$match("a", /(b)?(a)/).groups[1]"#) == "a")
        #expect(try eval(#"$count($match("a", /(b)?(a)/).groups)"#) == 2)
        // string(): JSON.stringify writes an undefined array item as null.
        #expect(try eval(#"$string($match("a", /(b)?(a)/).groups)"#) == #"[null,"a"]"#)
    }

    /// Selecting the item gives undefined: evaluateFilter's number predicate keeps an item only
    /// `if(typeof item !== 'undefined')`, so it does not exist and equals nothing.
    @Test func anUndefinedGroupIsUndefinedWhenSelected() throws {
        #expect(try eval(#"$match("a", /(b)?a/).groups[0]"#) == nil)
        #expect(try eval(#"$exists($match("a", /(b)?a/).groups[0])"#) == false)
        #expect(try eval(#"$match("a", /(b)?a/).groups[0] = """#) == false)
        #expect(try eval(#"$match("ab", /(a)|(b)/).groups"#) == ["a", nil, nil, "b"])
    }

    /// A function replacement receives the match object with the undefined group (`replacer.apply(self, [matches])`);
    /// `$1` of that group adds nothing (`if (typeof submatch !== 'undefined') { substitute += submatch; }`), as before.
    @Test func replaceTreatsTheUndefinedGroupAsJavaScriptDoes() throws {
        let yesNo = #"$replace("ac", /(b)?(a)/, function($m){ ($exists($m.groups[0]) ? "y" : "n") & $m.groups[1] })"#
        #expect(try eval(yesNo) == "nac")
        #expect(try eval(#"$replace("a", /(b)?a/, function($m){ $string($m.groups) })"#) == "[null]")
        #expect(try eval(#"$replace("xay", /(b)?a/, "[$1]")"#) == "x[]y")
    }

    /// Applying the regex (`~>`, or calling it) gives evaluateRegex's match object as it is.
    @Test func applyingTheRegexGivesTheUndefinedGroup() throws {
        #expect(try eval(#"("a" ~> /(b)?(a)/).groups"#) == [nil, "a"])
        #expect(try eval(#"$exists(("a" ~> /(b)?a/).groups[0])"#) == false)
    }

    /// Functions handed the array see the undefined item as jsonata-js's functions.js does.
    @Test func functionsTreatTheUndefinedItemAsJavaScriptDoes() throws {
        // map: hofFuncArgs passes arr[i], undefined, to the callback.
        #expect(try eval(#"$map($match("a", /(b)?(a)/).groups, function($g){ $exists($g) })"#) == [false, true])
        // signature.js getSymbol(undefined) is 'm', which is not the 's' of a<s>: T0412.
        #expect(errorCode(#"$join($match("a", /(b)?(a)/).groups)"#) == "T0412")
        // boolean([undefined]) is boolean(undefined), undefined; not() of a defined argument is !boolean(arg), true.
        #expect(try eval(#"$boolean($match("a", /(b)?a/).groups)"#) == nil)
        #expect(try eval(#"$not($match("a", /(b)?a/).groups)"#) == true)
        // filter predicates push the item itself (results.push(item)); a path step over it finds nothing.
        #expect(try eval(#"$match("a", /(b)?(a)/).groups[true]"#) == [nil, "a"])
        #expect(try eval(#"$match("a", /(b)?(a)/).groups.$"#) == "a")
        // isDeepEqual(undefined, undefined) is lhs === rhs.
        #expect(try eval(#"$match("a", /(b)?a/).groups = $match("c", /(d)?c/).groups"#) == true)
        #expect(try eval(#"$match("a", /(b)?a/).groups = [null]"#) == false)
    }
}
