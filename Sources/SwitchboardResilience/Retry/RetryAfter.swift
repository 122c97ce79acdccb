/// Reads a `Retry-After` header value (RFC 9110 section 10.2.3) as a delay from `now`.
///
/// Both forms are accepted: delay-seconds (`120`) and an HTTP-date in any of the three formats
/// ``HTTPDate`` parses. A date in the past gives a zero delay.
///
/// ```swift
/// RetryAfter.delay(from: "120", now: now)                            // .seconds(120)
/// RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:37 GMT", now: now)  // date - now, or .zero
/// ```
public enum RetryAfter {
    /// The delay the value asks for, or `nil` when it is neither form.
    public static func delay(from value: String, now: ResilienceInstant) -> Duration? {
        let trimmed = value.trimmingSpaces()
        if let seconds = parseDeltaSeconds(trimmed) { return .seconds(seconds) }
        guard let date = HTTPDate.parse(trimmed, now: now) else { return nil }
        let delay = date - now
        return delay > .zero ? delay : .zero
    }

    /// `1*DIGIT`, saturating at a large value instead of failing on overflow (RFC 9111 section 1.2.2).
    static func parseDeltaSeconds(_ s: String) -> Int64? {
        guard !s.isEmpty else { return nil }
        var n: Int64 = 0
        for b in s.utf8 {
            guard b >= 48, b <= 57 else { return nil }
            n = n > 100_000_000_000 ? n : n * 10 + Int64(b - 48)
        }
        return n
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
