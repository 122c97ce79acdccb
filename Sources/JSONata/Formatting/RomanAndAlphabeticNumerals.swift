import JSONValue

/// Roman numerals (`i`/`I` presentation): lower case out, either case in.
enum RomanNumerals {
    private static let table: [(value: Double, numeral: String)] = [
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ]

    /// `1984` → `mcmlxxxiv`; zero gives the empty string. Beyond a million (a thousand `m`s) the number is
    /// written in decimal digits instead, where the reference would exhaust its stack.
    static func roman(for value: Double) -> String {
        var remaining = value.rounded(.down)
        if remaining > 1_000_000 { return JSNumberFormat.format(remaining) }
        var out = ""
        for (amount, numeral) in table {
            while remaining >= amount {
                out += numeral
                remaining -= amount
            }
        }
        return out
    }

    /// `MCMLXXXIV` → 1984 (upper case expected); `nil` for any other character.
    static func value(of roman: String) -> Double? {
        var total = 0.0
        var largest = 1.0
        for ch in roman.reversed() {
            let v: Double
            switch ch {
            case "M": v = 1000
            case "D": v = 500
            case "C": v = 100
            case "L": v = 50
            case "X": v = 10
            case "V": v = 5
            case "I": v = 1
            default: return nil
            }
            if v < largest {
                total -= v
            } else {
                largest = v
                total += v
            }
        }
        return total
    }
}

/// Alphabetic numbering (`a`/`A` presentation): a, b, ..., z, aa, ab, ... like spreadsheet columns.
enum AlphabeticNumerals {
    /// `28` → `ab` (or `AB`); zero gives the empty string.
    static func letters(for value: Double, upper: Bool) -> String {
        let base: UInt32 = upper ? 0x41 : 0x61
        var remaining = value.rounded(.down)
        var scalars: [Unicode.Scalar] = []
        while remaining > 0 {
            let digit = (remaining - 1).truncatingRemainder(dividingBy: 26)
            scalars.append(Unicode.Scalar(base + UInt32(digit))!)
            remaining = ((remaining - 1) / 26).rounded(.down)
        }
        return String(String.UnicodeScalarView(scalars.reversed()))
    }

    /// `aa` → 27. Characters outside the expected case count from their code point, as the reference does.
    static func value(of text: Substring, upper: Bool) -> Double {
        let base = Double(upper ? 0x41 : 0x61)
        var total = 0.0
        for scalar in text.unicodeScalars {
            total = total * 26 + (Double(scalar.value) - base + 1)
        }
        return total
    }
}
