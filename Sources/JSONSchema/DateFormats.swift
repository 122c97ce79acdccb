/// RFC 3339 `date-time`, `full-date`, `full-time` and appendix A `duration`, checked byte by byte.
enum DateFormats {
    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    @inline(__always)
    static func digits(_ b: Bytes, _ at: Int, _ count: Int) -> Int? {
        var value = 0
        for i in at..<(at + count) {
            guard i < b.endIndex, b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            value = value * 10 + Int(b[i] - 0x30)
        }
        return value
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYYY-MM-DD` with a real day of the month.
    static func isDate(_ b: Bytes) -> Bool {
        guard b.count == 10 else { return false }
        let s = b.startIndex
        guard let year = digits(b, s, 4), b[s + 4] == UInt8(ascii: "-"), let month = digits(b, s + 5, 2), b[s + 7] == UInt8(ascii: "-"),
            let day = digits(b, s + 8, 2)
        else { return false }
        return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month, year: year)
    }

    /// `HH:MM:SS[.frac](Z|±HH:MM)`; a leap second must fall at 23:59:60 UTC.
    static func isTime(_ b: Bytes) -> Bool {
        let s = b.startIndex
        guard b.count >= 9, let hour = digits(b, s, 2), b[s + 2] == UInt8(ascii: ":"), let minute = digits(b, s + 3, 2),
            b[s + 5] == UInt8(ascii: ":"), let second = digits(b, s + 6, 2)
        else { return false }
        guard hour <= 23, minute <= 59, second <= 60 else { return false }
        var i = s + 8
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.endIndex, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start else { return false }
        }
        guard i < b.endIndex else { return false }
        var offsetMinutes = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == b.endIndex else { return false }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.endIndex - i == 6, let oh = digits(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = digits(b, i + 4, 2),
                oh <= 23, om <= 59
            else { return false }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return false
        }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 20 else { return false }
        let t = b[10]
        guard t == UInt8(ascii: "T") || t == UInt8(ascii: "t") else { return false }
        return isDate(b[0..<10]) && isTime(b[11...])
    }

    /// `P[nY][nM][nD][T[nH][nM][nS]]` or `PnW`: components in order without gaps, at least one, and at least one after `T`.
    static func isDuration(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 3, b[0] == UInt8(ascii: "P") else { return false }
        var i = 1
        var components = 0
        var inTime = false
        var timeComponents = 0
        var lastRank = 0
        let dateUnits: [UInt8: Int] = [UInt8(ascii: "Y"): 1, UInt8(ascii: "M"): 2, UInt8(ascii: "D"): 3]
        let timeUnits: [UInt8: Int] = [UInt8(ascii: "H"): 5, UInt8(ascii: "M"): 6, UInt8(ascii: "S"): 7]
        while i < b.count {
            if b[i] == UInt8(ascii: "T") {
                guard !inTime else { return false }
                inTime = true
                lastRank = 4
                i += 1
                continue
            }
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start, i < b.count else { return false }
            let unit = b[i]
            i += 1
            if unit == UInt8(ascii: "W") {
                return !inTime && components == 0 && i == b.count
            }
            // RFC 3339 appendix A: Y[M[D]], M[D], D and H[M[S]], M[S], S; no gaps inside a section.
            guard let rank = (inTime ? timeUnits : dateUnits)[unit], rank > lastRank else { return false }
            let sectionStart = inTime ? 4 : 0
            if lastRank != sectionStart && rank != lastRank + 1 { return false }
            lastRank = rank
            components += 1
            if inTime { timeComponents += 1 }
        }
        return components > 0 && (!inTime || timeComponents > 0)
    }
}
