import JSONValue

/// English cardinal and ordinal number words (`w`, `W`, `Ww` presentations), in the reference
/// implementation's style: "four million, three hundred and twenty-seven thousand, seven hundred and thirty".
enum EnglishNumberWords {
    private static let few = [
        "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
        "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen",
    ]
    private static let ordinals = [
        "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
        "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth",
    ]
    private static let decades = ["Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"]
    private static let magnitudes = ["Thousand", "Million", "Billion", "Trillion"]

    /// Title-case words for a non-negative integer, such as "Nine Hundred and Nineteenth".
    static func words(for value: Double, ordinal: Bool) -> String {
        lookup(value.rounded(.down), afterPrevious: false, ordinal: ordinal)
    }

    private static func lookup(_ num: Double, afterPrevious prev: Bool, ordinal: Bool) -> String {
        if num <= 19 {
            let i = Int(num)
            return (prev ? " and " : "") + (ordinal ? ordinals[i] : few[i])
        }
        if num < 100 {
            let tens = Int(num / 10)
            let remainder = num.truncatingRemainder(dividingBy: 10)
            var words = (prev ? " and " : "") + decades[tens - 2]
            if remainder > 0 {
                words += "-" + lookup(remainder, afterPrevious: false, ordinal: ordinal)
            } else if ordinal {
                words = words.dropLast() + "ieth"
            }
            return words
        }
        if num < 1000 {
            let hundreds = Int(num / 100)
            let remainder = num.truncatingRemainder(dividingBy: 100)
            var words = (prev ? ", " : "") + few[hundreds] + " Hundred"
            if remainder > 0 {
                words += lookup(remainder, afterPrevious: true, ordinal: ordinal)
            } else if ordinal {
                words += "th"
            }
            return words
        }
        var mag = decimalExponent(of: num) / 3
        if mag > magnitudes.count { mag = magnitudes.count }
        let factor = power10(mag * 3)
        let mantissa = (num / factor).rounded(.down)
        let remainder = num - mantissa * factor
        var words = (prev ? ", " : "") + lookup(mantissa, afterPrevious: false, ordinal: false) + " " + magnitudes[mag - 1]
        if remainder > 0 {
            words += lookup(remainder, afterPrevious: true, ordinal: ordinal)
        } else if ordinal {
            words += "th"
        }
        return words
    }

    /// ⌊log10(num)⌋ for num ≥ 1, from the shortest decimal digits (exact at powers of ten).
    private static func decimalExponent(of num: Double) -> Int {
        JSNumberFormat.shortestDigits(num).exponent - 1
    }

    private static func power10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// Lower-case word → value, including ordinals and the reference's decade/magnitude forms.
    private static let wordValues: [String: Double] = {
        var table: [String: Double] = [:]
        for (i, w) in few.enumerated() { table[w.lowercased()] = Double(i) }
        for (i, w) in ordinals.enumerated() { table[w.lowercased()] = Double(i) }
        for (i, w) in decades.enumerated() {
            let lower = w.lowercased()
            table[lower] = Double((i + 2) * 10)
            table[lower.dropLast() + "ieth"] = Double((i + 2) * 10)
        }
        table["hundredth"] = 100
        for (i, w) in magnitudes.enumerated() {
            let lower = w.lowercased()
            table[lower] = power10((i + 1) * 3)
            table[lower + "th"] = power10((i + 1) * 3)
        }
        return table
    }()

    /// Every word the parser knows, in the reference's order (used to build the date/time matcher).
    static let vocabulary: [String] = {
        var list: [String] = few.map { $0.lowercased() } + ordinals.map { $0.lowercased() }
        for w in decades {
            let lower = w.lowercased()
            list.append(lower)
            list.append(lower.dropLast() + "ieth")
        }
        list.append("hundredth")
        for w in magnitudes {
            list.append(w.lowercased())
            list.append(w.lowercased() + "th")
        }
        return list
    }()

    /// Reads lower-case number words ("three thousand, seven hundred and thirty-first" → 3731);
    /// `nil` when a word is unknown.
    static func value(of text: String) -> Double? {
        var segments: [Double] = [0]
        for word in splitWords(text) {
            guard let value = wordValues[word] else { return nil }
            if value < 100 {
                var top = segments.removeLast()
                if top >= 1000 {
                    segments.append(top)
                    top = 0
                }
                segments.append(top + value)
            } else {
                segments.append(segments.removeLast() * value)
            }
        }
        return segments.reduce(0, +)
    }

    /// Splits at ", ", " and ", and single whitespace, backslash or hyphen (empty pieces kept, as JavaScript's split does).
    private static func splitWords(_ text: String) -> [String] {
        let chars = Array(text)
        var pieces: [String] = []
        var current = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == ",", i + 1 < chars.count, chars[i + 1].isWhitespace {
                pieces.append(current); current = ""; i += 2
            } else if c.isWhitespace, i + 4 < chars.count, String(chars[(i + 1)...(i + 3)]) == "and", chars[i + 4].isWhitespace {
                pieces.append(current); current = ""; i += 5
            } else if c.isWhitespace || c == "\\" || c == "-" {
                pieces.append(current); current = ""; i += 1
            } else {
                current.append(c); i += 1
            }
        }
        pieces.append(current)
        return pieces
    }
}
