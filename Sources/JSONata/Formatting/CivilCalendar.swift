/// Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (UTC), as JavaScript's `Date` does it.
enum CivilCalendar {
    static let millisPerDay: Int64 = 86_400_000

    /// Days since the epoch of year-month-day (month 1...12, day 1...31; larger days roll forward).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12  // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468 + (day - 1)
    }

    /// Year, month (1...12) and day of a day count since the epoch.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO day of week: 1 = Monday ... 7 = Sunday.
    static func isoWeekday(ofDays days: Int64) -> Int64 {
        // 1970-01-01 was a Thursday (4).
        let r = (days + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// JavaScript's `Date.UTC(year, monthIndex, day, h, m, s, ms)`: month index from 0, every field may overflow.
    ///
    /// Fields up to about 10^12 in magnitude are safe; the sum is formed in floating point so it cannot trap.
    static func utcMillis(year: Int64, monthIndex: Int64, day: Int64, hours: Int64, minutes: Int64, seconds: Int64, millis: Int64) -> Double {
        let y = year + floorDiv(monthIndex, 12)
        let m = monthIndex - floorDiv(monthIndex, 12) * 12
        let d = days(year: y, month: m + 1, day: 1) + day - 1
        return Double(d) * Double(millisPerDay) + Double(hours) * 3_600_000 + Double(minutes) * 60_000 + Double(seconds) * 1000
            + Double(millis)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// The first day of ISO week 1 of a year (or, as XPath extends it, of a month): the Monday of the week
    /// holding the month's first Thursday.
    static func startOfFirstWeek(year: Int64, monthIndex: Int64) -> Int64 {
        let y = year + floorDiv(monthIndex, 12)
        let m = monthIndex - floorDiv(monthIndex, 12) * 12
        let first = days(year: y, month: m + 1, day: 1)
        let weekday = isoWeekday(ofDays: first)
        return weekday > 4 ? first + (8 - weekday) : first - (weekday - 1)
    }
}

/// A UTC instant broken into calendar fields, with the derived XPath components.
struct CalendarFields: Sendable, Equatable {
    let millis: Int64
    let days: Int64
    let year: Int64
    let month: Int64
    let day: Int64
    let hour: Int64
    let minute: Int64
    let second: Int64
    let millisecond: Int64

    init(millis: Int64) {
        self.millis = millis
        days = CivilCalendar.floorDiv(millis, CivilCalendar.millisPerDay)
        let msOfDay = millis - days * CivilCalendar.millisPerDay
        (year, month, day) = CivilCalendar.civil(fromDays: days)
        hour = msOfDay / 3_600_000
        minute = msOfDay / 60_000 % 60
        second = msOfDay / 1000 % 60
        millisecond = msOfDay % 1000
    }

    /// Day of the year, from 1.
    var dayOfYear: Int64 { days - CivilCalendar.days(year: year, month: 1, day: 1) + 1 }

    /// ISO day of week, 1 = Monday.
    var weekday: Int64 { CivilCalendar.isoWeekday(ofDays: days) }

    /// ISO week of the year (1...53).
    var weekOfYear: Int64 {
        let elapsed = days - CivilCalendar.startOfFirstWeek(year: year, monthIndex: 0)
        var week = CivilCalendar.floorDiv(elapsed, 7) + 1
        // The reference compares the fractional week count (elapsed / 7 + 1) with 52 and 1.
        if elapsed > 51 * 7 {
            if days >= CivilCalendar.startOfFirstWeek(year: year + 1, monthIndex: 0) { week = 1 }
        } else if elapsed < 0 {
            week = CivilCalendar.floorDiv(days - CivilCalendar.startOfFirstWeek(year: year - 1, monthIndex: 0), 7) + 1
        }
        return week
    }

    /// Week of the month, with ISO rules applied to months (XPath F&O).
    var weekOfMonth: Int64 {
        let monthIndex = month - 1
        let elapsed = days - CivilCalendar.startOfFirstWeek(year: year, monthIndex: monthIndex)
        var week = CivilCalendar.floorDiv(elapsed, 7) + 1
        if elapsed > 3 * 7 {
            if days >= CivilCalendar.startOfFirstWeek(year: year, monthIndex: monthIndex + 1) { week = 1 }
        } else if elapsed < 0 {
            week = CivilCalendar.floorDiv(days - CivilCalendar.startOfFirstWeek(year: year, monthIndex: monthIndex - 1), 7) + 1
        }
        return week
    }

    /// The ISO week-numbering year (`X`): 2004 for Saturday 1 January 2005.
    var isoWeekYear: Int64 {
        if days < CivilCalendar.startOfFirstWeek(year: year, monthIndex: 0) { return year - 1 }
        if days >= CivilCalendar.startOfFirstWeek(year: year + 1, monthIndex: 0) { return year + 1 }
        return year
    }

    /// The month (1...12) that owns this day's week-of-month (`x`).
    var weekMonth: Int64 {
        let monthIndex = month - 1
        if days < CivilCalendar.startOfFirstWeek(year: year, monthIndex: monthIndex) { return monthIndex == 0 ? 12 : month - 1 }
        if days >= CivilCalendar.startOfFirstWeek(year: year, monthIndex: monthIndex + 1) { return monthIndex == 11 ? 1 : month + 1 }
        return month
    }
}
