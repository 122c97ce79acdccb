/// A fast matcher for the anchored patterns schemas use most (`^[A-Z]{2}$`, `^\+[0-9]{1,3}-[0-9]{3}$`):
/// a sequence of ASCII character sets with counted repetitions, matched greedily in one pass.
///
/// Only patterns where greedy matching cannot be wrong are accepted: every element with a variable
/// count must share no character with the elements that may follow it, so there is never anything to
/// backtrack to. Everything else (groups, alternation, `.`, `\s`, lazy quantifiers, non-ASCII) is left to
/// `ECMARegex`, which has also already checked the syntax.
struct SimplePattern: Sendable {
    struct Element: Sendable {
        var low: UInt64
        var high: UInt64
        var min: Int
        var max: Int

        @inline(__always)
        func contains(_ c: UInt8) -> Bool {
            c < 64 ? low & (1 << UInt64(c)) != 0 : (c < 128 && high & (1 << UInt64(c - 64)) != 0)
        }
    }

    var elements: [Element]
    var anchoredEnd: Bool

    /// Whether `string` matches; the same answer `ECMARegex` gives for the accepted patterns.
    func matches(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { bytes in
            var i = 0
            for element in elements {
                var count = 0
                while count < element.max && i < bytes.count && element.contains(bytes[i]) {
                    count += 1
                    i += 1
                }
                if count < element.min { return false }
            }
            return !anchoredEnd || i == bytes.count
        }
    }

    /// The simple form of `source`, or `nil` when the pattern needs the full engine.
    init?(_ source: String) {
        let chars = Array(source.utf8)
        guard chars.first == UInt8(ascii: "^"), chars.allSatisfy({ $0 < 0x80 }) else { return nil }
        var i = 1
        var end = chars.count
        anchoredEnd = false
        if end > 1 && chars[end - 1] == UInt8(ascii: "$") && chars[end - 2] != UInt8(ascii: "\\") {
            anchoredEnd = true
            end -= 1
        }
        elements = []
        while i < end {
            var element = Element(low: 0, high: 0, min: 1, max: 1)
            let c = chars[i]
            switch c {
            case UInt8(ascii: "["):
                i += 1
                guard i < end, chars[i] != UInt8(ascii: "^") else { return nil }
                var closed = false
                while i < end {
                    if chars[i] == UInt8(ascii: "]") {
                        closed = true
                        i += 1
                        break
                    }
                    guard let (first, afterFirst) = Self.classAtom(chars, i, end) else { return nil }
                    if afterFirst + 1 < end, chars[afterFirst] == UInt8(ascii: "-"), chars[afterFirst + 1] != UInt8(ascii: "]") {
                        guard let (last, afterLast) = Self.classAtom(chars, afterFirst + 1, end), first.count == 1, last.count == 1,
                            first[0] <= last[0]
                        else { return nil }
                        for b in first[0]...last[0] { Self.insert(b, into: &element) }
                        i = afterLast
                    } else {
                        for b in first { Self.insert(b, into: &element) }
                        i = afterFirst
                    }
                }
                guard closed else { return nil }
            case UInt8(ascii: "\\"):
                guard i + 1 < end, let set = Self.escape(chars[i + 1], inClass: false) else { return nil }
                for b in set { Self.insert(b, into: &element) }
                i += 2
            case UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "?"), UInt8(ascii: "*"),
                UInt8(ascii: "+"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "$"):
                return nil
            default:
                Self.insert(c, into: &element)
                i += 1
            }
            // Quantifier.
            if i < end {
                switch chars[i] {
                case UInt8(ascii: "?"): (element.min, element.max, i) = (0, 1, i + 1)
                case UInt8(ascii: "*"): (element.min, element.max, i) = (0, Int.max, i + 1)
                case UInt8(ascii: "+"): (element.min, element.max, i) = (1, Int.max, i + 1)
                case UInt8(ascii: "{"):
                    guard let (min, max, next) = Self.counts(chars, i + 1, end) else { return nil }
                    (element.min, element.max, i) = (min, max, next)
                default: break
                }
                if i < end
                    && (chars[i] == UInt8(ascii: "?") || chars[i] == UInt8(ascii: "*") || chars[i] == UInt8(ascii: "+")
                        || chars[i] == UInt8(ascii: "{"))
                {
                    return nil  // lazy or stacked quantifiers
                }
            }
            elements.append(element)
        }
        // Greedy is exact only if a variable element shares no character with what may follow it: the next
        // elements up to and including the first one that must match at least one character.
        for (k, element) in elements.enumerated() where element.min != element.max {
            for later in elements[(k + 1)...] {
                if element.low & later.low != 0 || element.high & later.high != 0 { return nil }
                if later.min >= 1 { break }
            }
        }
    }

    static func insert(_ c: UInt8, into element: inout Element) {
        if c < 64 { element.low |= 1 << UInt64(c) } else { element.high |= 1 << UInt64(c - 64) }
    }

    static let digits = Array(UInt8(ascii: "0")...UInt8(ascii: "9"))
    static let word = Array(UInt8(ascii: "a")...UInt8(ascii: "z")) + Array(UInt8(ascii: "A")...UInt8(ascii: "Z")) + digits + [UInt8(ascii: "_")]

    /// The characters an escape stands for: `\d`, `\w`, or an escaped syntax character.
    static func escape(_ c: UInt8, inClass: Bool) -> [UInt8]? {
        switch c {
        case UInt8(ascii: "d"): return digits
        case UInt8(ascii: "w"): return word
        default:
            let syntax = "^$\\.*+?()[]{}|/" + (inClass ? "-" : "")
            return syntax.utf8.contains(c) ? [c] : nil
        }
    }

    /// One item of a character class: a literal or an escape, and the index after it.
    static func classAtom(_ chars: [UInt8], _ i: Int, _ end: Int) -> ([UInt8], Int)? {
        if chars[i] == UInt8(ascii: "\\") {
            guard i + 1 < end, let set = escape(chars[i + 1], inClass: true) else { return nil }
            return (set, i + 2)
        }
        if chars[i] == UInt8(ascii: "[") { return nil }
        return ([chars[i]], i + 1)
    }

    /// `{n}`, `{n,}` or `{n,m}` starting after the brace.
    static func counts(_ chars: [UInt8], _ start: Int, _ end: Int) -> (Int, Int, Int)? {
        var i = start
        func number() -> Int? {
            let s = i
            var value = 0
            while i < end, chars[i] >= 0x30, chars[i] <= 0x39, i - s < 6 {
                value = value * 10 + Int(chars[i] - 0x30)
                i += 1
            }
            return i > s ? value : nil
        }
        guard let min = number() else { return nil }
        var max = min
        if i < end && chars[i] == UInt8(ascii: ",") {
            i += 1
            if i < end && chars[i] == UInt8(ascii: "}") {
                max = Int.max
            } else {
                guard let m = number(), m >= min else { return nil }
                max = m
            }
        }
        guard i < end, chars[i] == UInt8(ascii: "}") else { return nil }
        return (min, max, i + 1)
    }
}
