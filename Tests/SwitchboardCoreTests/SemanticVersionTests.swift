import SwitchboardCore
import Testing

@Suite struct SemanticVersionTests {
    @Test(arguments: ["1.0.0", "0.0.1", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0+build.1", "1.0.0-rc.1+exp.sha.5114f85"])
    func parsesValidVersions(_ text: String) throws {
        let v = try #require(SemanticVersion(text))
        #expect(v.description == text)
    }

    @Test(arguments: ["1", "1.0", "01.0.0", "1.02.0", "1.0.0-", "1.0.0-01", "1.0.0+", "a.b.c", "1.0.0-al pha", "", "1.0.0.0"])
    func rejectsInvalidVersions(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test func ordersAsSemverSection11() {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
            "1.1.0", "2.0.0",
        ]
        let versions = ordered.compactMap(SemanticVersion.init)
        #expect(versions.count == ordered.count)
        #expect(versions.shuffled().sorted() == versions)
        #expect(SemanticVersion("1.0.0+a") == SemanticVersion("1.0.0+b"))
    }
}

@Suite struct PathTemplateTests {
    @Test func extractsVariables() throws {
        let t = try PathTemplate.parse("/users/{id}/posts/{config.region}").get()
        #expect(t.variables == ["id", "config.region"])
        #expect(t.segments.first == .literal("/users/"))
    }

    @Test(arguments: ["/a/{", "/a/}", "/a/{}", "/a/{b c}", "users", "/a?x=1"])
    func rejectsMalformedTemplates(_ text: String) {
        if case .success = PathTemplate.parse(text) { Issue.record("\(text) should not parse") }
    }

    @Test func saysHowToWriteAPathVariableWhenGivenTheTemplateSyntaxOfOtherParts() {
        guard case .failure(let e) = PathTemplate.parse("/status/{{params.code}}") else {
            Issue.record("should not parse")
            return
        }
        #expect(e.message == "uses '{{...}}': path variables are written '{name}' (a parameter) or '{config.name}'")
    }
}

@Suite struct TimestampTests {
    @Test func formatsAndParsesRFC3339() throws {
        let t = Timestamp(millisecondsSinceEpoch: 1_763_753_580_123)
        #expect(t.iso8601 == "2025-11-21T19:33:00.123Z")
        #expect(Timestamp(iso8601: t.iso8601) == t)
        #expect(Timestamp(iso8601: "2025-11-21T21:33:00.123+02:00") == t)
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(iso8601: "2025-02-30T00:00:00Z") == nil)
        #expect(Timestamp(iso8601: "2025-11-21") == nil)
    }

    /// Python's `isoformat()` and Go's RFC3339Nano write micro- and nanoseconds: the parse used to trap on them.
    @Test func readsFractionsOfAnyLength() throws {
        let t = Timestamp(millisecondsSinceEpoch: 1_763_753_580_123)
        #expect(Timestamp(iso8601: "2025-11-21T19:33:00.1234Z") == t)
        #expect(Timestamp(iso8601: "2025-11-21T19:33:00.123999Z") == t)
        #expect(Timestamp(iso8601: "2025-11-21T21:33:00.123456789+02:00") == t)
        #expect(Timestamp(iso8601: "2025-11-21T19:33:00.1Z") == Timestamp(millisecondsSinceEpoch: 1_763_753_580_100))
        #expect(Timestamp(iso8601: "2025-11-21T19:33:00.Z") == nil)
    }
}

@Suite struct CursorTests {
    @Test func roundTripsAndRejectsForeignText() throws {
        let c = Cursor(position: ["abc", 3])
        #expect(try Cursor(decoding: c.encoded) == c)
        #expect(throws: SwitchboardError.self) { try Cursor(decoding: "not a cursor!") }
        #expect(throws: SwitchboardError.self) { try Cursor(decoding: Base64URL.encode(Array("{}".utf8))) }
    }

    @Test func base64URLRoundTripsEveryLength() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37 + 11) % 256) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}

@Suite struct IdentifierTests {
    @Test func makesTimeOrderedWellFormedIds() {
        let a = Identifier.make(prefix: "conn_", now: Timestamp(millisecondsSinceEpoch: 1000))
        let b = Identifier.make(prefix: "conn_", now: Timestamp(millisecondsSinceEpoch: 2000))
        #expect(Identifier.isWellFormed(a, prefix: "conn_"))
        #expect(a < b)
        #expect(!Identifier.isWellFormed("conn_../../etc", prefix: "conn_"))
        #expect(!Identifier.isWellFormed(a, prefix: "exec_"))
    }

    @Test func encodesTheTimeVersionAndVariantAndNeverRepeats() {
        let now = Timestamp(millisecondsSinceEpoch: 0x0190_1234_5678)
        let ids = (0..<3000).map { _ in Identifier.make(now: now) }
        #expect(Set(ids).count == ids.count)  // more than one refill of the random pool
        for id in ids.prefix(600) {
            #expect(Identifier.isWellFormed(id))
            #expect(id.hasPrefix("01901234-5678-7"))
            #expect("89ab".contains(id[id.index(id.startIndex, offsetBy: 19)]))
        }
        #expect(Identifier.make(prefix: "exec_", now: now).hasPrefix("exec_01901234-5678-7"))
    }
}
