/// Parses HTTP-dates (RFC 9110 section 5.6.7) into seconds since the Unix epoch.
///
/// Accepts the preferred IMF-fixdate and, as recipients must, the two obsolete forms:
///
/// ```
/// Sun, 06 Nov 1994 08:49:37 GMT    ; IMF-fixdate
/// Sunday, 06-Nov-94 08:49:37 GMT   ; obsolete RFC 850 format
/// Sun Nov  6 08:49:37 1994         ; ANSI C's asctime() format
/// ```
///
/// The weekday must be a valid name for the form but is not checked against the date.
/// A two-digit RFC 850 year is read as the most recent year with those digits that is not
/// more than 50 years in the future of `now` (RFC 9110).
public enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let shortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// The instant `text` names, or `nil` when it is not an HTTP-date.
    ///
    /// - Parameter now: used only to resolve two-digit RFC 850 years.
    public static func parse(_ text: String, now: ResilienceInstant) -> ResilienceInstant? {
        let tokens = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = tokens.first else { return nil }
        if first.hasSuffix(",") {
            let dayName = String(first.dropLast())
            if tokens.count == 6, shortDays.contains(dayName), tokens[5] == "GMT" {
                // IMF-fixdate: day month year time GMT
                guard tokens[1].utf8.count == 2, let day = Int(tokens[1]), let month = monthNumber(tokens[2]),
                    tokens[3].utf8.count == 4, let year = Int(tokens[3])
                else { return nil }
                return make(year: year, month: month, day: day, time: tokens[4])
            }
            if tokens.count == 4, longDays.contains(dayName), tokens[3] == "GMT" {
                // RFC 850: dd-Mon-yy time GMT
                let parts = tokens[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, parts[0].utf8.count == 2, let day = Int(parts[0]),
                    let month = monthNumber(parts[1]), parts[2].utf8.count == 2, let yy = Int(parts[2])
                else { return nil }
                return make(year: resolveTwoDigitYear(yy, now: now), month: month, day: day, time: tokens[2])
            }
            return nil
        }
        // asctime: wkday month day time year (day is space-padded, hence the empty-omitting split)
        guard tokens.count == 5, shortDays.contains(first), let month = monthNumber(tokens[1]),
            (1...2).contains(tokens[2].utf8.count), let day = Int(tokens[2]),
            tokens[4].utf8.count == 4, let year = Int(tokens[4])
        else { return nil }
        return make(year: year, month: month, day: day, time: tokens[3])
    }

    /// Formats `instant` as an IMF-fixdate (for tests and for `Retry-After` answers).
    public static func format(_ instant: ResilienceInstant) -> String {
        let secs = instant.secondsSinceEpoch
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        let weekday = Int((days % 7 + 7 + 3) % 7)  // 1970-01-01 was a Thursday (index 3 from Monday)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(shortDays[weekday]), \(two(d)) \(months[Int(m) - 1]) \(y) \(two(rem / 3600)):\(two(rem / 60 % 60)):\(two(rem % 60)) GMT"
    }

    private static func monthNumber(_ name: String) -> Int? {
        months.firstIndex(of: name).map { $0 + 1 }
    }

    private static func resolveTwoDigitYear(_ yy: Int, now: ResilienceInstant) -> Int {
        let currentYear = Int(civil(fromDays: now.secondsSinceEpoch / 86_400).year)
        var year = currentYear - currentYear % 100 + yy
        if year > currentYear + 50 { year -= 100 }
        return year
    }

    private static func make(year: Int, month: Int, day: Int, time: String) -> ResilienceInstant? {
        let hms = time.split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 3, hms.allSatisfy({ $0.utf8.count == 2 }),
            let h = Int(hms[0]), let mi = Int(hms[1]), let s = Int(hms[2]),
            (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s),
            (1...31).contains(day), day <= daysIn(month: month, year: year)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        return ResilienceInstant(secondsSinceEpoch: days * 86_400 + Int64(h * 3600 + mi * 60 + s))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
