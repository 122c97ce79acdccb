import JSONValue
import Testing

@testable import JSONata

/// `$fromMillis` and `$toMillis` beyond the conformance cases.
@Suite("Date/time formatting")
struct DateTimeFormattingTests {
    /// 2018-03-23T10:33:36.617Z, a Friday.
    private let friday = 1_521_801_216_617.0
    /// A fixed `$now()`: 2026-04-08T10:00:00Z.
    private let now = 1_775_642_400_000.0

    private func format(_ millis: Double, _ picture: String?, _ timezone: String? = nil) throws -> String {
        try JSONataFormatting.fromMillis(millis, picture: picture, timezone: timezone)
    }

    private func parse(_ text: String, _ picture: String?) throws -> Double? {
        try JSONataFormatting.toMillis(text, picture: picture, now: now)
    }

    private func code(_ body: () throws(JSONataError) -> Any?) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test("the default picture is ISO 8601 with milliseconds in UTC")
    func defaultPicture() throws {
        #expect(try format(1_510_067_274_972, nil) == "2017-11-07T15:07:54.972Z")
        #expect(try format(0, nil) == "1970-01-01T00:00:00.000Z")
        #expect(try format(-1, nil) == "1969-12-31T23:59:59.999Z")
        #expect(try format(1.9, nil) == "1970-01-01T00:00:00.001Z")
        #expect(try format(951_782_400_000, nil) == "2000-02-29T00:00:00.000Z")
        #expect(try format(-62_135_596_800_000, nil) == "0001-01-01T00:00:00.000Z")
    }

    @Test("documentation examples of $fromMillis")
    func fromMillisDocExamples() throws {
        #expect(try format(1_510_067_274_972, "[M01]/[D01]/[Y0001] [h#1]:[m01][P]") == "11/07/2017 3:07pm")
        #expect(try format(1_510_067_274_972, "[H01]:[m01]:[s01] [z]", "-0500") == "10:07:54 GMT-05:00")
    }

    @Test("documentation examples of date/time conversion (date-time.md, date-time-functions.md)")
    func dateTimeDocExamples() throws {
        #expect(try format(1_510_067_557_121, nil) == "2017-11-07T15:12:37.121Z")
        #expect(try format(1_510_067_557_121, "[M01]/[D01]/[Y0001] [h#1]:[m01][P]") == "11/07/2017 3:12pm")
        #expect(try format(1_510_067_557_121, "[H01]:[m01]:[s01] [z]", "-0500") == "10:12:37 GMT-05:00")
        #expect(try parse("2017-11-07T15:07:54.972Z", nil) == 1_510_067_274_972)
        let european = try #require(try parse("10/12/2018", "[D]/[M]/[Y]"))
        #expect(try format(european, "[M]/[D]/[Y]") == "12/10/2018")
        #expect(try format(european, "[FNn], [D1o] [MNn] [YI]") == "Monday, 10th December MMXVIII")
    }

    @Test("names, widths and case of month and day names")
    func names() throws {
        #expect(try format(friday, "[FN], [MN]") == "FRIDAY, MARCH")
        #expect(try format(friday, "[Fn,*-2] [Mn,3]") == "fr march")
        #expect(try format(friday, "[FNn,2-2]") == "Fr")
    }

    @Test("12-hour clock and am/pm markers")
    func twelveHourClock() throws {
        let midnight = 1_199_664_000_000.0  // 2008-01-07T00:00:00Z
        #expect(try format(midnight, "[h]:[m01] [P]") == "12:00 am")
        #expect(try format(midnight + 13 * 3_600_000, "[h]:[m01] [PN]") == "1:00 PM")
        #expect(try format(midnight + 12 * 3_600_000, "[h01][P]") == "12pm")
    }

    @Test("fractional seconds are a decimal fraction")
    func fractionalSeconds() throws {
        let base = 1_531_310_400_000.0
        #expect(try format(base + 617, "[f001]") == "617")
        #expect(try format(base + 5, "[f001]") == "005")
        #expect(try format(base + 617, "[f01]") == "61")
        #expect(try format(base + 500, "[f1]") == "5")
        #expect(try format(base + 5, "[f]") == "005")
        #expect(try format(base + 50, "[f0001]") == "0500")
    }

    @Test("time zones: offsets, GMT form, Z for UTC and negative half hours")
    func timeZones() throws {
        let noon = 1_531_310_400_000.0  // 2018-07-11T12:00:00Z
        #expect(try format(noon, "[H01]:[m01][Z]", "-0330") == "08:30-03:30")
        #expect(try format(noon, "[H01]:[m01][Z0]", "-0330") == "08:30-3:30")
        #expect(try format(noon, "[H01]:[m01][Z0101]", "+0100") == "13:00+0100")
        #expect(try format(noon, "[Z]") == "+00:00")
        #expect(try format(noon, "[Z01:01t]") == "Z")
        #expect(try format(noon, "[z]", "+0000") == "GMT+00:00")
        #expect(try format(noon, "[D01] [H01]", "+1400") == "12 02")
    }

    @Test("ordinals, words and roman numerals for components")
    func integerPresentations() throws {
        #expect(try format(friday, "[D1o] [MI] [YI]") == "23rd III MMXVIII")
        #expect(try format(friday, "[Yw]") == "two thousand and eighteen")
        #expect(try format(friday, "[DWwo]") == "Twenty-Third")
        #expect(try format(friday, "[Da]") == "w")
    }

    @Test("day of year, weeks and ISO week-numbering year")
    func weeks() throws {
        #expect(try format(friday, "[d] [W] [w] [X] [x]") == "82 12 4 2018 3")
        // Saturday 1 January 2005 belongs to week 53 of 2004 and week 5 of December 2004.
        let jan1st2005 = 1_104_537_600_000.0
        #expect(try format(jan1st2005, "[X]-W[W01]-[F1] [w] [xNn]") == "2004-W53-6 5 December")
    }

    @Test("literal brackets and whitespace inside markers")
    func literalBrackets() throws {
        #expect(try format(friday, "[[[Y0001]]] [ M 01 ]") == "[2018] 03")
    }

    @Test("picture errors carry the reference codes")
    func pictureErrors() {
        #expect(code { () throws(JSONataError) in try JSONataFormatting.fromMillis(0, picture: "[Q]", timezone: nil) } == "D3132")
        #expect(code { () throws(JSONataError) in try JSONataFormatting.fromMillis(0, picture: "[Y0001", timezone: nil) } == "D3135")
        #expect(code { () throws(JSONataError) in try JSONataFormatting.fromMillis(0, picture: "[Z00000]", timezone: nil) } == "D3134")
        #expect(code { () throws(JSONataError) in try JSONataFormatting.fromMillis(0, picture: "[DNn]", timezone: nil) } == "D3133")
        #expect(code { () throws(JSONataError) in try JSONataFormatting.fromMillis(0, picture: "[Yα]", timezone: nil) } == "D3130")
        #expect(code { () throws(JSONataError) in try JSONataFormatting.fromMillis(9e15, picture: nil, timezone: nil) } == "D3137")
    }

    @Test("ISO 8601 forms without a picture")
    func iso8601() throws {
        #expect(try parse("2017", nil) == 1_483_228_800_000)
        #expect(try parse("2017-11", nil) == 1_509_494_400_000)
        #expect(try parse("2017-11-07T15:07:54Z", nil) == 1_510_067_274_000)
        #expect(try parse("2017-11-07T15:07:54.972Z", nil) == 1_510_067_274_972)
        #expect(try parse("2017-11-07T15:07:54.9726789Z", nil) == 1_510_067_274_972)
        #expect(try parse("2017-11-07T15:07:54.5Z", nil) == 1_510_067_274_500)
        #expect(try parse("2017-11-07T15:07:54+05:30", nil) == 1_510_047_474_000)
        #expect(try parse("2017-11-07T15:07:54-0800", nil) == 1_510_096_074_000)
        #expect(try parse("2017-11-07T15:07:54", nil) == 1_510_067_274_000)
        #expect(try parse("2019-02-30", nil) == 1_551_484_800_000)  // rolls over to 2 March, as V8 does
        #expect(try parse("2017-13-01", nil) == nil)
        #expect(try parse("2017-01-01T25:00:00Z", nil) == nil)
        #expect(code { () throws(JSONataError) in try JSONataFormatting.toMillis("2017/11/07", picture: nil) } == "D3110")
        #expect(code { () throws(JSONataError) in try JSONataFormatting.toMillis("17-11-07", picture: nil) } == "D3110")
    }

    @Test("pictures that leave out leading components take them from now")
    func defaultsFromNow() throws {
        // now is 2026-04-08T10:00:00Z
        #expect(try parse("14:30", "[H01]:[m01]") == 1_775_658_600_000)
        #expect(try parse("25 12", "[D] [M]") == 1_798_156_800_000)
        #expect(try parse("2:05 pm", "[h]:[m01] [P]") == 1_775_657_100_000)
    }

    @Test("year-only two-digit years follow Date.UTC (1900 + year)")
    func twoDigitYears() throws {
        #expect(try parse("18-03-23", "[Y01]-[M01]-[D01]") == -1_633_996_800_000)
    }

    @Test("text that does not match the picture is undefined")
    func noMatch() throws {
        #expect(try parse("2018-03", "[Y0001]-[M01]-[D01]") == nil)
    }

    @Test("an unknown month name leaves the month out, as in the reference")
    func unknownName() throws {
        #expect(try parse("Smarch 2018", "[MNn] [Y]") == 1_514_764_800_000)
    }

    @Test(
        "format then parse gives the instant back",
        arguments: [
            "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01].[f001]",
            "[D1o] [MNn] [Y0001] [h]:[m01]:[s01].[f001] [P]",
            "[Y0001]-[d001] [H01][m01][s01][f001]",
            "[FNn], [D1] [MNn,3-3] [Y] [H01]:[m01]:[s01].[f001] [Z]",
            "[Dw] [MNn] [Yw] [H01]:[m01]:[s01].[f001] [z]",
            "[Y0001][M01][D01][H01][m01][s01][f001]",
            "[DI] [Mi] [YI] [H01]:[m01]:[s01].[f001]",
        ])
    func dateTimeRoundTrip(picture: String) throws {
        var millis = -2_208_988_800_000.0  // 1900-01-01
        let step = 123_456_789_012.0  // about 3.9 years, with every field changing
        // Pictures without a zone marker read the text as UTC, so only they are formatted in UTC alone.
        let hasZone = picture.contains("[Z") || picture.contains("[z")
        for timezone in hasZone ? [nil, "+0530", "-0330"] : [nil] {
            while millis < 4_102_444_800_000 {  // 2100-01-01
                let text = try format(millis, picture, timezone)
                #expect(try parse(text, picture) == millis, "\(text)")
                millis += step
            }
            millis = -2_208_988_800_000.0 + 12_345
        }
    }

    @Test("ISO 8601 output parses back without a picture")
    func isoRoundTrip() throws {
        var millis = -62_135_596_800_000.0  // 0001-01-01
        while millis < 253_402_300_799_999 {  // 9999-12-31
            let text = try format(millis, nil)
            #expect(try parse(text, nil) == millis, "\(text)")
            millis += 98_765_432_109
        }
    }
}
