/// `$toMillis(timestamp)` without a picture: the ISO 8601 forms the reference accepts, read as JavaScript's
/// `Date.parse` reads them.
enum ISO8601Timestamp {
    /// Milliseconds since the epoch; `nil` when the text passes the gate but is no valid date (JavaScript's NaN).
    ///
    /// Date-times without an offset are read as UTC (JavaScript would use the host's time zone).
    /// - Throws: D3110 when the text is not an ISO 8601 timestamp at all.
    static func parse(_ text: String) throws(JSONataError) -> Double? {
        guard passesGate(Array(text.utf8)) else {
            throw JSONataError(code: "D3110", message: "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given \(text)")
        }
        var scanner = Scanner(chars: Array(text.utf8))
        guard let year = scanner.number(digits: 4) else { return nil }
        var month: Int64 = 1
        var day: Int64 = 1
        if scanner.skip("-") {
            guard let m = scanner.number(digits: 2) else { return nil }
            month = m
            if scanner.skip("-") {
                guard let d = scanner.number(digits: 2) else { return nil }
                day = d
            }
        }
        var hour: Int64 = 0
        var minute: Int64 = 0
        var second: Int64 = 0
        var millis: Int64 = 0
        if scanner.skip("T") {
            guard let h = scanner.number(digits: 2), scanner.skip(":"), let m = scanner.number(digits: 2), scanner.skip(":"),
                let s = scanner.number(digits: 2)
            else { return nil }
            (hour, minute, second) = (h, m, s)
            if scanner.skip(".") {
                var digits = 0
                while let d = scanner.digit() {
                    if digits < 3 { millis = millis * 10 + d }
                    digits += 1
                }
                for _ in digits..<max(digits, 3) { millis *= 10 }
            }
        }
        var offsetMinutes: Int64 = 0
        if scanner.skip("Z") {
            offsetMinutes = 0
        } else if let sign = scanner.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            scanner.index += 1
            guard let h = scanner.number(digits: 2) else { return nil }
            _ = scanner.skip(":")
            guard let m = scanner.number(digits: 2) else { return nil }
            offsetMinutes = (sign == UInt8(ascii: "-") ? -1 : 1) * (h * 60 + m)
        }
        guard scanner.atEnd, (1...12).contains(month), (1...31).contains(day), minute < 60, second < 60,
            hour < 24 || (hour == 24 && minute == 0 && second == 0 && millis == 0)
        else { return nil }
        let utc = CivilCalendar.utcMillis(
            year: year, monthIndex: month - 1, day: day, hours: hour, minutes: minute, seconds: second, millis: millis)
        return utc - Double(offsetMinutes * 60_000)
    }

    /// The reference's gate, `^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$`,
    /// matched greedily (each group's language contains the previous one's, so greed loses nothing).
    private static func passesGate(_ chars: [UInt8]) -> Bool {
        var i = 0
        func digit(_ range: ClosedRange<UInt8> = 0x30...0x39) -> Bool {
            guard i < chars.count, range.contains(chars[i]) else { return false }
            i += 1
            return true
        }
        func literal(_ c: Character) -> Bool {
            guard i < chars.count, chars[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        func attempt(_ body: () -> Bool) -> Bool {
            let saved = i
            if body() { return true }
            i = saved
            return false
        }
        guard digit(), digit(), digit(), digit() else { return false }
        while attempt({ literal("-") && digit(0x30...0x31) && digit() }) {}
        while attempt({ literal("-") && digit(0x30...0x33) && digit() }) {}
        while attempt({
            literal("T") && digit(0x30...0x32) && digit() && literal(":") && digit(0x30...0x35) && digit() && literal(":")
                && digit(0x30...0x35) && digit()
        }) {}
        _ = attempt({
            guard literal(".") && digit() else { return false }
            while digit() {}
            return true
        })
        _ = attempt({ literal("Z") }) || attempt({
            (literal("+") || literal("-")) && digit(0x30...0x32) && digit() && (literal(":") || true) && digit(0x30...0x35) && digit()
        })
        return i == chars.count
    }

    private struct Scanner {
        let chars: [UInt8]
        var index = 0
        var atEnd: Bool { index == chars.count }

        func peek() -> UInt8? { index < chars.count ? chars[index] : nil }

        mutating func skip(_ c: Character) -> Bool {
            guard let p = peek(), let a = c.asciiValue, p == a else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard let p = peek(), p >= 0x30, p <= 0x39 else { return nil }
            index += 1
            return Int64(p - 0x30)
        }

        mutating func number(digits: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<digits {
                guard let d = digit() else { return nil }
                value = value * 10 + d
            }
            return value
        }
    }
}
