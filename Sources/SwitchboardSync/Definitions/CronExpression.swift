import SwitchboardCore

/// A five-field cron expression (`minute hour day-of-month month day-of-week`), evaluated in UTC.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`; months `JAN`-`DEC` and
/// weekdays `SUN`-`SAT` by name; weekday 7 is Sunday. As in Vixie cron, when both day fields are restricted
/// a day matches either of them.
///
/// ```swift
/// let every5 = try CronExpression(parsing: "*/5 * * * *")
/// every5.next(after: now)
/// ```
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public struct ParseError: Error, Sendable, Equatable {
        public var message: String
    }

    public let source: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    public var description: String { source }

    public init(parsing text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "must have 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        source = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], "minute", 0...59, names: [:])
        hours = try Self.field(fields[1], "hour", 0...23, names: [:])
        days = try Self.field(fields[2], "day-of-month", 1...31, names: [:])
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames)
        var dow = try Self.field(fields[4], "day-of-week", 0...7, names: Self.weekdayNames)
        if dow.remove(7) != nil { dow.insert(0) }
        weekdays = dow
        daysRestricted = !fields[2].hasPrefix("*")
        weekdaysRestricted = !fields[4].hasPrefix("*")
    }

    static let monthNames = ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
    static let weekdayNames = ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]

    static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String: Int]) throws(ParseError) -> Set<Int> {
        func value(_ s: Substring) throws(ParseError) -> Int {
            if let v = Int(s), range.contains(v) { return v }
            if let v = names[s.uppercased()] { return v }
            throw ParseError(message: "\(name) field '\(text)': '\(s)' is not a value between \(range.lowerBound) and \(range.upperBound)")
        }
        var out: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw ParseError(message: "\(name) field '\(text)' is malformed") }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s >= 1, s <= range.upperBound + 1 else {
                    throw ParseError(message: "\(name) field '\(text)': step '\(pieces[1])' must be a positive integer within the field's range")
                }
                step = s
            }
            var lower: Int
            var upper: Int
            if pieces[0] == "*" {
                lower = range.lowerBound
                upper = range.upperBound
            } else if let dash = pieces[0].firstIndex(of: "-") {
                lower = try value(pieces[0][..<dash])
                upper = try value(pieces[0][pieces[0].index(after: dash)...])
                guard lower <= upper else { throw ParseError(message: "\(name) field '\(text)': range '\(pieces[0])' is reversed") }
            } else {
                lower = try value(pieces[0])
                upper = pieces.count == 2 ? range.upperBound : lower
            }
            out.formUnion(stride(from: lower, through: upper, by: step))
        }
        return out
    }

    func matchesDay(year: Int64, month: Int64, day: Int64, weekday: Int) -> Bool {
        let domMatch = days.contains(Int(day))
        let dowMatch = weekdays.contains(weekday)
        if daysRestricted && weekdaysRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    /// The first minute strictly after `time` the expression matches; nil if none within eight years (e.g. `0 0 31 2 *`).
    public func next(after time: Timestamp) -> Timestamp? {
        var minute = time.millisecondsSinceEpoch >= 0 ? time.millisecondsSinceEpoch / 60_000 + 1 : (time.millisecondsSinceEpoch - 59_999) / 60_000 + 1
        let limit = minute + 8 * 366 * 1440
        while minute < limit {
            let dayNumber = minute >= 0 ? minute / 1440 : (minute - 1439) / 1440
            let minuteOfDay = minute - dayNumber * 1440
            let (y, m, d) = CivilDate.civil(fromDays: dayNumber)
            if !months.contains(Int(m)) {
                let (ny, nm) = m == 12 ? (y + 1, Int64(1)) : (y, m + 1)
                minute = CivilDate.days(fromCivil: ny, nm, 1) * 1440
                continue
            }
            let weekday = Int(((dayNumber % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
            if !matchesDay(year: y, month: m, day: d, weekday: weekday) {
                minute = (dayNumber + 1) * 1440
                continue
            }
            let hour = Int(minuteOfDay / 60)
            if !hours.contains(hour) {
                minute = dayNumber * 1440 + Int64(hour + 1) * 60
                continue
            }
            if !minutes.contains(Int(minuteOfDay % 60)) {
                minute += 1
                continue
            }
            return Timestamp(millisecondsSinceEpoch: minute * 60_000)
        }
        return nil
    }
}
