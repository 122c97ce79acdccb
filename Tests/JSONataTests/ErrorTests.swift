import JSONValue
import Testing

@testable import JSONata

@Suite struct ErrorTests {
    @Test func syntaxErrorsCarryCodesAndPositions() throws {
        #expect(errorCode("1 +") == "S0207")
        #expect(errorCode("(1") == "S0203")
        #expect(errorCode("[1, 2") == "S0203")
        #expect(errorCode("'unterminated") == "S0101")
        #expect(errorCode("1 ! 2") == "S0204")
        #expect(errorCode("$x := ") == "S0207")
        #expect(errorCode("/* open") == "S0106")
        #expect(errorCode("a.1") == "S0213")
        #expect(errorCode("1 := 2") == "S0212")
        #expect(errorCode("function(a){1}") == "S0208")
        do {
            _ = try JSONataExpression(compiling: "a + )")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == "S0211")
            #expect(error.position == 5)
            #expect(error.token == ")")
        }
    }

    @Test func invokingNonFunctionsFails() throws {
        #expect(errorCode("$nothing()") == "T1006")
        #expect(errorCode("$foo := 1; $foo()") != nil)
        #expect(errorCode("a()", ["a": 1]) == "T1006")
        #expect(errorCode("uppercase('x')") == "T1005")
    }

    @Test func evaluationErrorsNameTheFunction() throws {
        do {
            _ = try eval("$uppercase(1)")
            Issue.record("expected a type error")
        } catch let error as JSONataError {
            #expect(error.code == "T0410")
            #expect(error.token == "uppercase")
        }
    }
}
