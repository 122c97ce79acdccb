import SwitchboardCore
import Testing

@testable import SwitchboardSync

@Suite struct CronExpressionTests {
    func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    @Test func everyFiveMinutesFiresOnTheNextMultipleOfFive() throws {
        let cron = try CronExpression(parsing: "*/5 * * * *")
        #expect(cron.next(after: at("2026-11-21T20:53:44Z")) == at("2026-11-21T20:55:00Z"))
        #expect(cron.next(after: at("2026-11-21T20:55:00Z")) == at("2026-11-21T21:00:00Z"))
        #expect(cron.next(after: at("2026-12-31T23:58:10Z")) == at("2027-01-01T00:00:00Z"))
    }

    @Test func fixedTimesListsRangesAndSteps() throws {
        #expect(try CronExpression(parsing: "30 2 * * *").next(after: at("2026-11-21T03:00:00Z")) == at("2026-11-22T02:30:00Z"))
        #expect(try CronExpression(parsing: "0 9-17/4 * * *").next(after: at("2026-11-21T13:00:00Z")) == at("2026-11-21T17:00:00Z"))
        #expect(try CronExpression(parsing: "15,45 * * * *").next(after: at("2026-11-21T10:20:00Z")) == at("2026-11-21T10:45:00Z"))
        #expect(try CronExpression(parsing: "0 0 1 JAN,jul *").next(after: at("2026-02-01T00:00:00Z")) == at("2026-07-01T00:00:00Z"))
    }

    @Test func weekdaysByNumberAndNameWithSevenAsSunday() throws {
        // 2026-11-21 is a Saturday.
        #expect(try CronExpression(parsing: "0 8 * * MON-FRI").next(after: at("2026-11-21T09:00:00Z")) == at("2026-11-23T08:00:00Z"))
        #expect(try CronExpression(parsing: "0 0 * * 7").next(after: at("2026-11-21T09:00:00Z")) == at("2026-11-22T00:00:00Z"))
        #expect(try CronExpression(parsing: "0 0 * * 0").next(after: at("2026-11-21T09:00:00Z")) == at("2026-11-22T00:00:00Z"))
    }

    @Test func restrictedDayOfMonthAndWeekdayMatchEither() throws {
        // The 1st of the month or any Monday: after Saturday 21 November, Monday the 23rd comes first.
        #expect(try CronExpression(parsing: "0 0 1 * 1").next(after: at("2026-11-21T00:00:00Z")) == at("2026-11-23T00:00:00Z"))
    }

    @Test func leapDayAndImpossibleDates() throws {
        #expect(try CronExpression(parsing: "0 0 29 2 *").next(after: at("2026-03-01T00:00:00Z")) == at("2028-02-29T00:00:00Z"))
        #expect(try CronExpression(parsing: "0 0 31 2 *").next(after: at("2026-03-01T00:00:00Z")) == nil)
    }

    @Test(arguments: ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", ", * * * *"])
    func malformedExpressionsAreRefused(_ text: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(parsing: text) }
    }
}
