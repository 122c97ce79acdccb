import JSONValue
import Testing

@testable import JSONata

/// The conformance groups function-fromMillis and function-tomillis, as direct calls.
@Suite("Date/time conformance")
struct DateTimeConformanceTests {
    /// A fixed `$now()` for pictures that leave out leading components: 2026-04-08T10:00:00Z.
    static let now = 1_775_642_400_000.0

    @Test("fromMillis", arguments: ConformanceCases.fromMillis)
    func fromMillis(_ c: FromMillisCase) {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.fromMillis(c.millis, picture: c.picture, timezone: c.timezone) }
        #expect(result == c.expected)
    }

    @Test("toMillis", arguments: ConformanceCases.toMillis)
    func toMillis(_ c: ToMillisCase) {
        let result = outcome { () throws(JSONataError) in try JSONataFormatting.toMillis(c.timestamp, picture: c.picture, now: Self.now) }
        #expect(result == c.expected)
    }

    @Test("toMillis then fromMillis", arguments: ConformanceCases.toMillisThenFromMillis)
    func toMillisThenFromMillis(_ c: ToMillisThenFromMillisCase) {
        let result = outcome { () throws(JSONataError) -> String? in
            guard let millis = try JSONataFormatting.toMillis(c.timestamp, picture: c.picture, now: Self.now) else { return nil }
            return try JSONataFormatting.fromMillis(millis, picture: nil, timezone: nil)
        }
        #expect(result == c.expected)
    }

    @Test("ISO week dates", arguments: ConformanceCases.isoWeekDate)
    func isoWeekDate(_ c: ISOWeekDateCase) {
        let result = outcome { () throws(JSONataError) -> String? in
            guard let millis = try JSONataFormatting.toMillis(c.date, picture: "[Y]-[M]-[D]", now: Self.now) else { return nil }
            return try JSONataFormatting.fromMillis(millis, picture: "[X0001]-W[W01]-[F1]", timezone: nil)
        }
        #expect(result == c.expected)
    }

    /// function-fromMillis/formatDateTime.json#40: the default picture in UTC and at two offsets.
    @Test("fromMillis without a picture, with and without a timezone")
    func defaultPictureWithTimezones() throws {
        let millis = try #require(try JSONataFormatting.toMillis("2018-10-21T13:05:00Z", picture: nil))
        #expect(try JSONataFormatting.fromMillis(millis, picture: nil, timezone: nil) == "2018-10-21T13:05:00.000Z")
        #expect(try JSONataFormatting.fromMillis(millis, picture: nil, timezone: "-0500") == "2018-10-21T08:05:00.000-05:00")
        #expect(try JSONataFormatting.fromMillis(millis, picture: nil, timezone: "0000") == "2018-10-21T13:05:00.000Z")
    }

    /// function-tomillis/case013.json: a compact picture reads the same instant as ISO 8601.
    @Test("compact picture equals ISO 8601")
    func compactPicture() throws {
        let iso = try JSONataFormatting.toMillis("2024-01-01T12:38:49Z", picture: nil)
        let compact = try JSONataFormatting.toMillis("20240101123849", picture: "[Y0000][M00][D00][H00][m00][s00]")
        #expect(iso != nil)
        #expect(iso == compact)
    }
}
