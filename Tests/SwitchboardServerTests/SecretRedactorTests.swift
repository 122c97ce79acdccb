import JSONValue
import SwitchboardAdapters
import SwitchboardCore
import Testing

@testable import SwitchboardEngine

@Suite struct SecretRedactorTests {
    @Test func hidesEverySecretValueLongestFirstAndLeavesTheRest() {
        let r = SecretRedactor(Credentials(type: .apiKey, fields: ["key": "ak-SECRET-123456", "in": "header", "name": "X-Api-Key"]))
        #expect(r.redact("bad key ak-SECRET-123456 in X-Api-Key") == "bad key [REDACTED] in X-Api-Key")
        let details: JSON = ["echo": ["headers": ["X-Api-Key": "ak-SECRET-123456"]], "list": ["ak-SECRET-123456", 3]]
        #expect(r.redact(details) == ["echo": ["headers": ["X-Api-Key": "[REDACTED]"]], "list": ["[REDACTED]", 3]])

        let basic = SecretRedactor(Credentials(type: .basic, fields: ["username": "ada", "password": "pw-long-enough"]))
        let header = "Basic " + Base64.encode(Array("ada:pw-long-enough".utf8))
        #expect(basic.redact("sent \(header) and pw-long-enough") == "sent Basic [REDACTED] and [REDACTED]")
        #expect(basic.redact("user ada") == "user ada")  // user names and short values are not secrets

        let nested = SecretRedactor(Credentials(type: .custom, fields: ["a": "abcd", "b": "abcdefgh"]))
        #expect(nested.redact("abcdefgh") == "[REDACTED]")  // the longer secret first, not "[REDACTED]efgh"
        #expect(SecretRedactor(nil).redact("nothing to hide") == "nothing to hide")
    }

    @Test func redactsAnErrorsMessageAndDetailsOnlyWhenThereAreSecrets() {
        let e = SwitchboardError(
            code: "UPSTREAM_AUTH_ERROR", message: "token tok-0123456789 refused", details: [["body": "tok-0123456789"]], status: 502)
        let out = MethodExecutor.redacted(e, SecretRedactor(Credentials(type: .bearer, fields: ["token": "tok-0123456789"])))
        #expect(out.message == "token [REDACTED] refused")
        #expect(out.details == [["body": "[REDACTED]"]])
        #expect(MethodExecutor.redacted(e, SecretRedactor(nil)).message == e.message)
    }

    @Test func answersAreRebuiltOnlyWhereASecretOccurs() {
        let r = SecretRedactor(Credentials(type: .bearer, fields: ["token": "tok-0123456789"]))
        let clean: JSON = ["a": ["b": "tok-01234", "c": [1, "x"]], "d": true]
        #expect(r.redactedIfNeeded(clean) == nil)  // nothing found: nothing rebuilt
        let echoed: JSON = ["headers": ["Authorization": "Bearer tok-0123456789", "Accept": "application/json"], "list": [2, "tok-0123456789"]]
        #expect(
            r.redactedIfNeeded(echoed) == ["headers": ["Authorization": "Bearer [REDACTED]", "Accept": "application/json"], "list": [2, "[REDACTED]"]])
        #expect(r.redactedIfNeeded("é tok-0123456789") == "é [REDACTED]")
        #expect(SecretRedactor(nil).redactedIfNeeded(echoed) == nil)
    }
}
