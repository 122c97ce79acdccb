import JSONSchema
import JSONValue
import Testing

@Suite("Formats")
struct FormatTests {
    static let cases: [(String, String, Bool)] = [
        ("date-time", "2026-11-21T19:38:00Z", true), ("date-time", "2026-11-21t19:38:00.5+01:00", true),
        ("date-time", "1998-12-31T23:59:60Z", true), ("date-time", "1998-12-31T22:59:60Z", false),
        ("date-time", "2024-02-30T10:00:00Z", false), ("date-time", "2026-11-21T19:38:00", false),
        ("date", "2024-02-29", true), ("date", "2023-02-29", false), ("date", "2024-1-01", false),
        ("time", "23:59:60+00:00", true), ("time", "12:00:00", false),
        ("duration", "P1Y2M3DT4H5M6S", true), ("duration", "P2W", true), ("duration", "PT", false), ("duration", "P1Y2D", false),
        ("email", "ada@example.com", true), ("email", "\"a b\"@example.com", true), ("email", "a..b@example.com", false),
        ("email", "ada@[127.0.0.1]", true), ("email", "ada", false), ("idn-email", "실례@실례.테스트", true),
        ("hostname", "www.example.com", true), ("hostname", "-bad.com", false), ("hostname", "a_b.com", false),
        ("idn-hostname", "bücher.example", true), ("ipv4", "192.168.0.1", true), ("ipv4", "192.168.0.01", false),
        ("ipv6", "::ffff:192.168.0.1", true), ("ipv6", "1::2::3", false), ("ipv6", "12345::", false),
        ("uri", "https://example.com/a?b=c#d", true), ("uri", "/relative", false), ("uri", "http://exa mple.com", false),
        ("uri-reference", "../a/b", true), ("uri-reference", "#frag\\ment", false),
        ("iri", "http://ƒøø.ßår/?∂éœ=πîx", true), ("iri-reference", "âππ", true),
        ("uri-template", "https://example.com/{id}{?q*}", true), ("uri-template", "{unclosed", false),
        ("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true), ("uuid", "2eb8aa08aa9811eab4aa73b441d16380", false),
        ("regex", "^[a-z]+$", true), ("regex", "(", false),
        ("json-pointer", "/a/~0b", true), ("json-pointer", "a", false), ("json-pointer", "/~2", false),
        ("relative-json-pointer", "0#", true), ("relative-json-pointer", "01/a", false),
    ]

    @Test("each format accepts and rejects what its RFC says", arguments: cases)
    func format(name: String, value: String, valid: Bool) throws {
        let s = try JSONSchema.compile(["format": .string(name)])
        #expect(s.isValid(.string(value)) == valid)
        #expect(s.isValid(12))  // formats only constrain strings
    }

    @Test("unknown formats are ignored")
    func unknown() throws {
        #expect(try compile(##"{"format": "credit-card"}"##).accepts(##""anything""##))
    }
}
