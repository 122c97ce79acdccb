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

    /// A member's name is text of the answer too: a response transform (`{url: 1}`) or a provider can put a secret there.
    @Test func redactsSecretsInMemberNames() {
        let r = SecretRedactor(Credentials(type: .apiKey, fields: ["key": "ak-SECRET-123456", "in": "query", "name": "key"]))
        let keyed: JSON = ["http://h/anything?key=ak-SECRET-123456": 1, "list": [["ak-SECRET-123456": "v", "a": 2]], "b": "ok"]
        #expect(r.redactedIfNeeded(keyed) == ["http://h/anything?key=[REDACTED]": 1, "list": [["[REDACTED]": "v", "a": 2]], "b": "ok"])
        #expect(r.redactedIfNeeded(keyed)?.objectValue?.keys == ["http://h/anything?key=[REDACTED]", "list", "b"])  // order kept
        // Two names that differ only by the secret become one member: the last value wins, none is lost silently as a secret.
        let twice: JSON = ["x-ak-SECRET-123456": 1, "x-[REDACTED]": 2]
        #expect(r.redactedIfNeeded(twice) == ["x-[REDACTED]": 2])
        #expect(r.redact(keyed).serialized().contains("ak-SECRET") == false)
    }

    @Test func findsSecretsPercentEncodedAsAnyServerReencodesThem() {
        let r = SecretRedactor(Credentials(type: .apiKey, fields: ["key": "AbC/dEf+GhI=Zq92"]))
        // httpbin re-quotes the URL it was sent, keeping "/" and encoding "+" and "=".
        #expect(r.redact("http://h/anything?k=AbC/dEf%2BGhI%3DZq92&x=1") == "http://h/anything?k=[REDACTED]&x=1")
        #expect(r.redact("k=AbC%2fdEf%2bGhI%3dZq92") == "k=[REDACTED]")  // lower-case hex
        #expect(r.redact("k=%41%62%43%2F%64%45%66%2B%47%68%49%3D%5A%71%39%32") == "k=[REDACTED]")  // every byte
        let spaced = SecretRedactor(Credentials(type: .apiKey, fields: ["key": "K q/+&=%é Zq83"]))
        #expect(spaced.redact("?k=K%20q%2F%2B%26%3D%25%C3%A9%20Zq83") == "?k=[REDACTED]")
        #expect(spaced.redact("k=K+q%2F%2B%26%3D%25%C3%A9+Zq83&") == "k=[REDACTED]&")  // form encoding
        #expect(spaced.redact("K q/+&=%é Zq8") == "K q/+&=%é Zq8")  // a prefix is not the secret
    }

    @Test func findsSecretsJSONEscapedAndAsXMLReferences() {
        let r = SecretRedactor(Credentials(type: .apiKey, fields: ["key": "Kä/+Zq91"]))
        #expect(r.redact(#"{"args":{"k":"K\u00e4\/+Zq91"}}"#) == #"{"args":{"k":"[REDACTED]"}}"#)
        #expect(r.redact(#"{"k":"K\u00E4/+Zq91"}"#) == #"{"k":"[REDACTED]"}"#)
        #expect(r.redact("<k>K&#228;/+Zq91</k> <k>K&#xE4;/+Zq91</k>") == "<k>[REDACTED]</k> <k>[REDACTED]</k>")
        let quoted = SecretRedactor(Credentials(type: .apiKey, fields: ["key": #"KEYh"quote\Zq84"#]))
        #expect(quoted.redact(#"{"k":"KEYh\"quote\\Zq84"}"#) == #"{"k":"[REDACTED]"}"#)
        #expect(quoted.redact("<k>KEYh&quot;quote\\Zq84</k>") == "<k>[REDACTED]</k>")
        let emoji = SecretRedactor(Credentials(type: .bearer, fields: ["token": "tok😀tok"]))
        #expect(emoji.redact(#""tok\ud83d\ude00tok""#) == #""[REDACTED]""#)
        // A JSON answer echoing the secret inside a URL is redacted in the data as well.
        let echoed: JSON = ["url": "http://h/anything?k=AbC/dEf%2BGhI%3DZq92", "args": ["k": "AbC/dEf+GhI=Zq92"]]
        let key = SecretRedactor(Credentials(type: .apiKey, fields: ["key": "AbC/dEf+GhI=Zq92"]))
        #expect(key.redactedIfNeeded(echoed) == ["url": "http://h/anything?k=[REDACTED]", "args": ["k": "[REDACTED]"]])
    }

    @Test func manyEscapableCharactersDoNotMakeTheSearchExponential() {
        let secret = String(repeating: "%", count: 40) + "x"
        let r = SecretRedactor(Credentials(type: .bearer, fields: ["token": secret]))
        let hay = String(repeating: "%25", count: 60) + "y"
        #expect(r.redact(hay) == hay)
        #expect(r.redact(String(repeating: "%25", count: 40) + "x") == "[REDACTED]")
    }

    @Test func loggedBodiesAreCutOnACharacterBoundaryByBytes() {
        let text = String(repeating: "é", count: 9000)  // 18,000 bytes
        let cut = AttemptLog.truncated(text, maxBytes: 8192)
        #expect(cut.utf8.count == 8192)
        #expect(cut == String(repeating: "é", count: 4096))
        #expect(AttemptLog.truncated("aé", maxBytes: 2) == "a")  // never half a character
        #expect(AttemptLog.truncated(String(repeating: "é", count: 4000), maxBytes: 8192).count == 4000)
    }
}
