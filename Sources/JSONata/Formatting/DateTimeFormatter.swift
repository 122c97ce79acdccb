/// `$fromMillis`: formats an instant with a `fn:format-dateTime` picture in a fixed UTC offset.
enum DateTimeFormatter {
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// A UTC offset parsed from `±HHMM` the way the reference reads it (JavaScript `parseInt`, then hours and minutes).
    struct Offset: Sendable, Equatable {
        var hours: Int64
        var minutes: Int64
        var totalMinutes: Int64 { hours * 60 + minutes }

        static let utc = Offset(hours: 0, minutes: 0)

        /// `-0500` → -5 h, `+0530` → 5 h 30 min, `0000` → UTC. Text without leading digits means UTC.
        init(parsing text: String) {
            var chars = Substring(text).drop(while: \.isWhitespace)
            var negative = false
            if let sign = chars.first, sign == "-" || sign == "+" {
                negative = sign == "-"
                chars = chars.dropFirst()
            }
            var value: Int64 = 0
            for c in chars {
                guard c.isASCII, let d = c.wholeNumberValue, value < 100_000_000 else { break }
                value = value * 10 + Int64(d)
            }
            hours = (negative ? -1 : 1) * (value / 100)
            minutes = (negative ? -1 : 1) * (value % 100)
        }

        init(hours: Int64, minutes: Int64) {
            self.hours = hours
            self.minutes = minutes
        }
    }

    /// Formats `millis` (since the epoch, UTC) with `picture` (ISO 8601 when nil) at `timezone` (`±HHMM`, UTC when nil).
    ///
    /// - Throws: D3130-D3135 for invalid pictures, D3137 when the instant is outside JavaScript's date range.
    static func format(_ millis: Double, picture: String?, timezone: String?) throws(JSONataError) -> String {
        let offset = timezone.map(Offset.init(parsing:)) ?? .utc
        // JavaScript's Date keeps whole milliseconds (truncated) within ±8.64e15.
        let whole = millis.rounded(.towardZero)
        guard whole.isFinite, abs(whole) <= 8.64e15 else {
            throw JSONataError(code: "D3137", message: "The timestamp \(millis) is outside the supported date range")
        }
        let fields = CalendarFields(millis: Int64(whole) + offset.totalMinutes * 60_000)
        guard let picture else { return iso8601(fields, offset: offset) }
        let spec = try PictureCache.dateTimePicture(picture)
        var out = ""
        for part in spec.parts {
            switch part {
            case .literal(let text): out += text
            case .marker(let marker): out += try format(marker, fields: fields, offset: offset)
            }
        }
        return out
    }

    /// The default picture, `[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]`, written directly.
    private static func iso8601(_ f: CalendarFields, offset: Offset) -> String {
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(abs(value))
            let padded = digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
            return value < 0 ? "-" + padded : padded
        }
        var out = pad(f.year, 4) + "-" + pad(f.month, 2) + "-" + pad(f.day, 2)
        out += "T" + pad(f.hour, 2) + ":" + pad(f.minute, 2) + ":" + pad(f.second, 2) + "." + pad(f.millisecond, 3)
        let total = offset.totalMinutes
        if total == 0 { return out + "Z" }
        return out + (total < 0 ? "-" : "+") + pad(abs(total) / 60, 2) + ":" + pad(abs(total) % 60, 2)
    }

    private static func format(_ marker: DateTimePicture.Marker, fields: CalendarFields, offset: Offset) throws(JSONataError) -> String {
        switch marker.component {
        case "Y", "M", "D", "d", "F", "W", "w", "X", "x", "H", "h", "m", "s":
            var value = integerValue(marker.component, fields)
            if marker.component == "Y", let digits = marker.yearDigits {
                value = value % power10(digits)
            }
            if let names = marker.names {
                var name: String
                switch marker.component {
                case "M", "x": name = monthNames[Int(value - 1)]
                case "F": name = dayNames[Int(value - 1)]
                default:
                    throw JSONataError(code: "D3133", message: "The '\(marker.component)' component cannot be represented as a name")
                }
                name = applyCase(names, to: name)
                if let max = marker.width?.max, name.count > max { name = String(name.prefix(max)) }
                return name
            }
            return try (marker.integerFormat ?? IntegerPicture.plainDecimal).format(Double(value))
        case "f":
            return try formatFraction(fields.millisecond, marker: marker)
        case "Z", "z":
            return try formatOffset(offset, marker: marker)
        case "P":
            let text = fields.hour >= 12 ? "pm" : "am"
            return marker.names == .upper ? text.uppercased() : text
        case "C", "E":
            return "ISO"
        default:
            throw JSONataError(code: "D3132", message: "Unknown component specifier '\(marker.component)' in date/time picture string")
        }
    }

    /// The integer value of component `c`.
    static func integerValue(_ c: Character, _ fields: CalendarFields) -> Int64 {
        switch c {
        case "Y": fields.year
        case "M": fields.month
        case "D": fields.day
        case "d": fields.dayOfYear
        case "F": fields.weekday
        case "W": fields.weekOfYear
        case "w": fields.weekOfMonth
        case "X": fields.isoWeekYear
        case "x": fields.weekMonth
        case "H": fields.hour
        case "h": fields.hour % 12 == 0 ? 12 : fields.hour % 12
        case "m": fields.minute
        case "s": fields.second
        case "f": fields.millisecond
        default: 0
        }
    }

    static func applyCase(_ nameCase: DateTimePicture.NameCase, to name: String) -> String {
        switch nameCase {
        case .upper: name.uppercased()
        case .lower: name.lowercased()
        case .title: name
        }
    }

    private static func power10(_ n: Int) -> Int64 {
        var p: Int64 = 1
        for _ in 0..<min(n, 18) { p *= 10 }
        return p
    }

    /// Fractional seconds as a decimal fraction (§9.8.4.5): `[f001]` → `617`, `[f1]` → `617` or `5` for 500 ms,
    /// `[f01]` → `61`. Other presentations (`[fw]`, ...) format the millisecond count as an integer.
    private static func formatFraction(_ millisecond: Int64, marker: DateTimePicture.Marker) throws(JSONataError) -> String {
        guard let format = marker.integerFormat, format.primary == .decimal, format.separators.isEmpty, !format.isOrdinal else {
            return try (marker.integerFormat ?? IntegerPicture.plainDecimal).format(Double(millisecond))
        }
        let minDigits = max(format.mandatoryDigits, 1)
        var maxDigits = format.mandatoryDigits + format.optionalDigits
        if let widthMax = marker.width?.max { maxDigits = max(widthMax, minDigits) } else if maxDigits == 1 { maxDigits = 3 }
        var digits = Array(String(millisecond + 1000).dropFirst())  // exactly three digits
        if digits.count > maxDigits { digits = Array(digits.prefix(maxDigits)) }
        while digits.count > minDigits && digits.last == "0" { digits.removeLast() }
        while digits.count < minDigits { digits.append("0") }
        let text = String(digits)
        guard format.zeroCode != 0x30 else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { Unicode.Scalar($0.value - 0x30 + format.zeroCode) ?? $0 }))
    }

    /// A time-zone marker (§9.8.4.6): `[Z]` → `+05:30`, `[Z0]` → `+5:30`, `[Z0101]` → `+0530`, `[z]` → `GMT+05:30`,
    /// `[Z01:01t]` → `Z` for UTC.
    private static func formatOffset(_ offset: Offset, marker: DateTimePicture.Marker) throws(JSONataError) -> String {
        let format = marker.integerFormat ?? IntegerPicture.plainDecimal
        let total = offset.totalMinutes
        let hours = abs(total) / 60
        let minutes = abs(total) % 60
        var text: String
        if format.regularInterval > 0 {
            text = try format.format(Double(hours * 100 + minutes))
        } else {
            switch format.mandatoryDigits {
            case 1, 2:
                text = try format.format(Double(hours))
                if minutes != 0 { text += ":" + (minutes < 10 ? "0" : "") + String(minutes) }
            case 3, 4:
                text = try format.format(Double(hours * 100 + minutes))
            default:
                throw JSONataError(code: "D3134", message: "The timezone integer format specifier cannot have more than four digits")
            }
        }
        text = (total < 0 ? "-" : "+") + text
        if marker.component == "z" { text = "GMT" + text }
        if total == 0 && marker.presentation2 == "t" { text = "Z" }
        return text
    }
}
