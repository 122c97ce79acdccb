import JSONValue
import Testing

@testable import JSONata

@Suite struct OperatorTests {
    @Test func arithmeticFollowsDoublesAndPrecedence() throws {
        #expect(try eval("1 + 2 * 3") == 7)
        #expect(try eval("(1 + 2) * 3") == 9)
        #expect(try eval("7 % 3") == 1)
        #expect(try eval("-7 % 3") == -1)
        #expect(try eval("10 / 4") == 2.5)
        #expect(try eval("-(1 + 2)") == -3)
    }

    @Test func arithmeticOnUndefinedIsUndefinedAndOnStringsIsAnError() throws {
        #expect(try eval("nothing + 1") == nil)
        #expect(errorCode("'a' + 1") == "T2001")
        #expect(errorCode("1 + 'a'") == "T2002")
        #expect(errorCode("1/0") == "D1001")
        #expect(errorCode("-'a'") == "D1002")
    }

    @Test func comparisonsRequireMatchingTypes() throws {
        #expect(try eval("1 < 2") == true)
        #expect(try eval("'a' < 'b'") == true)
        #expect(try eval("'10' < '9'") == true)
        #expect(errorCode("1 < 'a'") == "T2009")
        #expect(errorCode("{} < 1") == "T2010")
        #expect(try eval("nothing < 1") == nil)
    }

    @Test func equalityIsDeepAndUndefinedIsNeverEqual() throws {
        #expect(try eval("[1, {'a': [2]}] = [1, {'a': [2]}]") == true)
        #expect(try eval("{'a': 1, 'b': 2} = {'b': 2, 'a': 1}") == true)
        #expect(try eval("1 = '1'") == false)
        #expect(try eval("nothing = nothing") == false)
        #expect(try eval("nothing != 1") == false)
    }

    @Test func booleanOperatorsShortCircuitOnTruthiness() throws {
        #expect(try eval("'' or 0") == false)
        #expect(try eval("'x' and [0, 1]") == true)
        #expect(try eval("false and $error('never')") == false)
        #expect(try eval("true or $error('never')") == true)
    }

    @Test func concatenationStringifiesOperands() throws {
        #expect(try eval("'a' & 1 & true & null & nothing") == "a1truenull")
        #expect(try eval("'x' & [1, 2] & {'k': 0.1}") == #"x[1,2]{"k":0.1}"#)
    }

    @Test func rangesAndInclusion() throws {
        #expect(try eval("[1..4]") == [1, 2, 3, 4])
        #expect(try eval("[3..1]") == [])
        #expect(errorCode("[1.5..3]") == "T2003")
        #expect(errorCode("[1..'x']") == "T2004")
        #expect(try eval("2 in [1, 2, 3]") == true)
        #expect(try eval("'b' in 'abc'") == false)
    }

    @Test func conditionalsDefaultsAndCoalescing() throws {
        #expect(try eval("1 > 2 ? 'yes' : 'no'") == "no")
        #expect(try eval("false ? 'yes'") == nil)
        #expect(try eval("0 ?: 'fallback'") == "fallback")
        #expect(try eval("'set' ?: 'fallback'") == "set")
        #expect(try eval("0 ?? 'fallback'") == 0)
        #expect(try eval("nothing ?? 'fallback'") == "fallback")
    }

    @Test func variablesBlocksAndClosures() throws {
        #expect(try eval("($x := 2; $y := $x * 3; $x + $y)") == 8)
        #expect(try eval("($add := function($a){ function($b){ $a + $b } }; $add(2)(3))") == 5)
        #expect(try eval("(($x := 1); $x)") == nil, "a block's bindings stay inside it")
        #expect(try eval("$v * 2", bindings: ["v": 21]) == 42)
    }

    @Test func lambdasPartialApplicationAndChaining() throws {
        #expect(try eval("λ($x){ $x * $x }(4)") == 16)
        #expect(try eval("($first := $substring(?, 0, 3); $first('Switchboard'))") == "Swi")
        #expect(try eval("'  Ada ' ~> $trim() ~> $uppercase()") == "ADA")
        #expect(try eval("($f := $uppercase ~> $substring(?, 0, 2); $f('hello'))") == "HE")
        #expect(errorCode("1 ~> 2") == "T2006")
    }

    @Test func signaturesValidateArguments() throws {
        #expect(try eval("function($a, $b)<nn:n>{ $a + $b }(1, 2)") == 3)
        #expect(errorCode("function($a)<n:n>{ $a }('x')") == "T0410")
        #expect(errorCode("$sum(['a'])") == "T0412")
        #expect(errorCode("$uppercase(1)") == "T0410")
    }

    @Test func transformCopiesAndUpdates() throws {
        let input: JSON = ["a": ["b": 1, "c": 2], "d": [["b": 3]]]
        #expect(try eval("$ ~> |a| {'b': 10}, ['c'] |", input) == ["a": ["b": 10], "d": [["b": 3]]])
        #expect(try eval("$ ~> |**[$exists(b)]| {'seen': true} |", input) == ["a": ["b": 1, "c": 2, "seen": true], "d": [["b": 3, "seen": true]]])
        #expect(try eval("($ ~> |a| {'b': 10}|; a.b)", input) == 1, "the input is not modified")
        #expect(errorCode("$ ~> |a| 5 |", input) == "T2011")
    }
}
