/// `$toMillis(timestamp, picture)`: reads a timestamp laid out by a `fn:format-dateTime` picture.
///
/// Matches the text against one pattern per picture part (as the reference matches one case-insensitive
/// regular expression with a group per part), then assembles the
/// captured components following the reference implementation's rules: the date is {Y, M, D} or {Y, d}, the time
/// {H, m, s, f} or {P, h, m, s, f}; components more significant than the first given one default to `now`, less
/// significant ones to their minimum; a gap in between is error D3136.
enum DateTimeParser {
    /// How one picture part is matched and read.
    private struct Matcher {
        var pattern: PicturePattern
        var component: Character?
        var read: ((Substring) -> Double?)?
        /// Name lookups yield `undefined` for unknown names (the component counts as captured but not given);
        /// numeric readers yield NaN (given, but falsy).
        var isNameLookup = false
    }

    /// Parses `timestamp`; `nil` when it does not match the picture or the picture captures nothing.
    ///
    /// - Parameter now: milliseconds since the epoch that supply the components left of the first given one.
    /// - Throws: D3130-D3136 for pictures that cannot be used for parsing.
    static func parse(_ timestamp: String, picture: String, now: Double) throws(JSONataError) -> Double? {
        let spec = try PictureCache.dateTimePicture(picture)
        var matchers: [Matcher] = []
        for part in spec.parts {
            matchers.append(try matcher(for: part))
        }
        guard let ranges = PicturePattern.match(matchers.map(\.pattern), in: timestamp) else { return nil }
        let chars = Array(timestamp)

        var components: [Character: Double] = [:]
        var captured = false
        for (index, matcher) in matchers.enumerated() {
            guard let component = matcher.component, let read = matcher.read else { continue }
            let text = Substring(String(chars[ranges[index]]))
            captured = true
            if let value = read(text) {
                components[component] = value
            } else if matcher.isNameLookup {
                components[component] = nil
            } else {
                components[component] = .nan
            }
        }
        if !captured { return nil }
        return try assemble(&components, now: now)
    }

    private static func matcher(for part: DateTimePicture.Part) throws(JSONataError) -> Matcher {
        guard case .marker(let marker) = part else {
            if case .literal(let text) = part { return Matcher(pattern: .literal(Array(text))) }
            return Matcher(pattern: .literal([]))
        }
        let component = marker.component
        if component == "Z" || component == "z" {
            return timezoneMatcher(marker)
        }
        if let format = marker.integerFormat {
            var m = try integerMatcher(format, isFraction: component == "f")
            m.component = component
            return m
        }
        var lookup: [String: Double] = [:]
        switch component {
        case "M", "x":
            for (i, name) in DateTimeFormatter.monthNames.enumerated() { lookup[truncate(name, marker.width?.max)] = Double(i + 1) }
        case "F":
            for (i, name) in DateTimeFormatter.dayNames.enumerated() { lookup[truncate(name, marker.width?.max)] = Double(i + 1) }
        case "P":
            lookup = ["am": 0, "AM": 0, "pm": 1, "PM": 1]
        default:
            throw JSONataError(code: "D3133", message: "The '\(component)' component cannot be represented as a name")
        }
        let table = lookup
        return Matcher(pattern: .characters(asciiLetters), component: component, read: { table[String($0)] }, isNameLookup: true)
    }

    private static func truncate(_ name: String, _ max: Int?) -> String {
        guard let max, max > 0 else { return name }
        return String(name.prefix(max))
    }

    private static func integerMatcher(_ format: IntegerPicture, isFraction: Bool) throws(JSONataError) -> Matcher {
        switch format.primary {
        case .letters:
            let upper = format.letterCase == .upper
            return Matcher(pattern: .characters(asciiLetters), read: { AlphabeticNumerals.value(of: $0, upper: upper) })
        case .roman:
            let upper = format.letterCase == .upper
            return Matcher(
                pattern: .characters(Set("mdclxvi")),
                read: { RomanNumerals.value(of: upper ? String($0) : $0.uppercased()) })
        case .words:
            return Matcher(pattern: .words, read: { EnglishNumberWords.value(of: $0.lowercased()) })
        case .decimal:
            let pattern = PicturePattern.digits(width: format.parseWidth, ordinal: format.isOrdinal)
            if isFraction {
                // Fractional seconds are a decimal fraction: "5" is 500 ms, "01987" is 19 ms.
                return Matcher(pattern: pattern, read: { text in
                    let digits = Array(text.prefix(while: { $0.isASCII && $0.isNumber })) + ["0", "0", "0"]
                    return Double(String(digits.prefix(3)))
                })
            }
            return Matcher(pattern: pattern, read: { (try? format.parse($0)) ?? nil })
        case .sequence(let token):
            throw JSONataError(code: "D3130", message: "Formatting or parsing an integer as a sequence starting with '\(token)' is not supported")
        }
    }

    private static func timezoneMatcher(_ marker: DateTimePicture.Marker) -> Matcher {
        let isGMT = marker.component == "z"
        var separator: Character?
        if let format = marker.integerFormat, format.regularInterval > 0, let sep = format.separators.first?.character {
            separator = Character(sep)
        }
        return Matcher(pattern: .offset(gmt: isGMT, separator: separator), component: marker.component, read: { captured in
            var text = Substring(captured)
            if isGMT { text = text.dropFirst(3) }
            let negative = text.first == "-"
            let sign: Double = negative ? -1 : 1
            let body = text.dropFirst()
            var hours: Double
            var minutes: Double = 0
            if let separator, let at = body.firstIndex(of: separator) {
                hours = Double(body[..<at]) ?? .nan
                minutes = Double(body[body.index(after: at)...]) ?? .nan
            } else if body.count <= 2 {
                hours = Double(body) ?? .nan
            } else {
                hours = Double(body.prefix(2)) ?? .nan
                minutes = Double(body.dropFirst(2)) ?? .nan
            }
            return sign * (hours * 60 + minutes)
        })
    }

    /// Letters matched by the reference's case-insensitive `[a-z]+`, `[A-Z]+` and `[a-zA-Z]+`.
    private static let asciiLetters = Set("abcdefghijklmnopqrstuvwxyz")

    // MARK: Assembling the components

    private static func isTruthy(_ value: Double?) -> Bool {
        guard let value else { return false }
        return value != 0 && !value.isNaN
    }

    private static func assemble(_ c: inout [Character: Double], now nowMillis: Double) throws(JSONataError) -> Double? {
        func mask(_ letters: String) -> Int {
            letters.reduce(0) { ($0 << 1) | (isTruthy(c[$1]) ? 1 : 0) }
        }
        func matches(_ type: Int, _ mask: Int) -> Bool { (~type & mask) == 0 && (type & mask) != 0 }

        let dateMask = mask("YXMxWwdD")
        let dateA = matches(0b1010_0001, dateMask)
        let dateB = !dateA && matches(0b1000_0010, dateMask)
        let dateC = matches(0b0101_0100, dateMask)
        let dateD = !dateC && matches(0b0100_1000, dateMask)
        let timeMask = mask("PHhmsf")
        let timeA = matches(0b01_0111, timeMask)
        let timeB = !timeA && matches(0b10_1111, timeMask)

        let dateComponents = dateB ? "Yd" : dateC ? "XxwF" : dateD ? "XWF" : "YMD"
        let timeComponents = timeB ? "Phmsf" : "Hmsf"

        let nowWhole = nowMillis.isFinite && abs(nowMillis) <= 8.64e15 ? Int64(nowMillis) : 0
        let now = CalendarFields(millis: nowWhole)
        var startSpecified = false
        var endSpecified = false
        for part in dateComponents + timeComponents {
            if c[part] == nil {
                if startSpecified {
                    c[part] = "MDd".contains(part) ? 1 : 0
                    endSpecified = true
                } else {
                    // P from "now" is a string in the reference, which never equals 1 (pm).
                    c[part] = part == "P" ? 0 : Double(DateTimeFormatter.integerValue(part, now))
                }
            } else {
                startSpecified = true
                if endSpecified {
                    throw JSONataError(code: "D3136", message: "The date/time picture string is missing specifiers required to parse the timestamp")
                }
            }
        }
        let gap = JSONataError(code: "D3136", message: "The date/time picture string is missing specifiers required to parse the timestamp")
        var monthIndex = (c["M"] ?? 0) > 0 ? c["M"]! - 1 : 0
        var day = c["D"] ?? 1
        if dateB {
            guard let year = exact(c["Y"]), let dayOfYear = exact(c["d"]) else { return nil }
            let days = CivilCalendar.days(year: year, month: 1, day: 1) + dayOfYear - 1
            let date = CivilCalendar.civil(fromDays: days)
            monthIndex = Double(date.month - 1)
            day = Double(date.day)
        }
        if dateC || dateD { throw gap }
        var hour = c["H"] ?? 0
        if timeB {
            let h = c["h"] ?? 0
            hour = h == 12 ? 0 : h
            if c["P"] == 1 { hour += 12 }
        }
        guard var year = exact(c["Y"]), let month = exact(monthIndex), let d = exact(day), let hh = exact(hour),
            let mm = exact(c["m"] ?? 0), let ss = exact(c["s"] ?? 0), let ms = exact(c["f"] ?? 0)
        else { return nil }
        // Date.UTC maps years 0...99 to 1900...1999.
        if (0...99).contains(year) { year += 1900 }
        var millis = CivilCalendar.utcMillis(year: year, monthIndex: month, day: d, hours: hh, minutes: mm, seconds: ss, millis: ms)
        let zone = isTruthy(c["Z"]) ? c["Z"] : isTruthy(c["z"]) ? c["z"] : nil
        if let zone, let minutes = exact(zone) { millis -= Double(minutes) * 60_000 }
        guard abs(millis) <= 8.64e15 else { return nil }
        return millis
    }

    /// The value as an integer (truncated, as `Date.UTC` does); nil for NaN or absurd magnitudes.
    private static func exact(_ value: Double?) -> Int64? {
        guard let value, value.isFinite, abs(value) < 1e12 else { return nil }
        return Int64(value.rounded(.towardZero))
    }
}
