import JSONValue

/// An analysed `fn:format-integer` picture string (XPath F&O 3.1 §4.6), as `$formatInteger`,
/// `$parseInteger` and the integer-valued date/time markers use it.
///
/// ```swift
/// let picture = try IntegerPicture("#,##0;o")
/// picture.format(1234)  // "1,234th"
/// ```
struct IntegerPicture: Sendable, Equatable {
    /// How the number is spelled.
    enum Primary: Sendable, Equatable {
        /// Decimal digits from one Unicode digit family, with optional grouping.
        case decimal
        /// `a`/`A`: a, b, ..., z, aa, ab, ... (spreadsheet columns).
        case letters
        /// `i`/`I`: roman numerals.
        case roman
        /// `w`/`W`/`Ww`: English words.
        case words
        /// Anything else: a numbering sequence this implementation does not support (D3130 when used).
        case sequence(String)
    }

    /// Letter case for alphabetic, roman and word presentations.
    enum LetterCase: Sendable, Equatable {
        case lower, upper, title
    }

    /// One grouping separator: `position` digits to its right.
    struct Separator: Sendable, Equatable {
        var position: Int
        var character: Unicode.Scalar
    }

    var primary: Primary = .decimal
    var letterCase: LetterCase = .lower
    /// Ordinal form (`;o`): 1st, 2nd, first, second.
    var isOrdinal = false
    /// The zero of the digit family (0x30 for ASCII).
    var zeroCode: UInt32 = 0x30
    /// Minimum number of digits; the output is zero-padded up to it.
    var mandatoryDigits = 0
    /// Number of `#` signs.
    var optionalDigits = 0
    /// Grouping separators, nearest to the units first.
    var separators: [Separator] = []
    /// When every separator is the same character at a regular interval, that interval.
    var regularInterval = 0
    /// Exact digit count when parsing a component that directly abuts another integer component.
    var parseWidth: Int?

    /// Zeros of the Unicode decimal digit families the reference implementation recognises.
    static let digitFamilyZeros: [UInt32] = [
        0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
        0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
        0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ]

    /// The zero of the digit family containing `scalar`, if it is a decimal digit.
    static func digitFamilyZero(of scalar: Unicode.Scalar) -> UInt32? {
        let v = scalar.value
        return digitFamilyZeros.first { v >= $0 && v <= $0 + 9 }
    }

    /// Plain decimal digits, the picture `1`.
    static let plainDecimal: IntegerPicture = {
        var p = IntegerPicture()
        p.mandatoryDigits = 1
        return p
    }()

    private init() {}

    /// Analyses a picture such as `000`, `#,##0`, `w;o`, `I` or `١`.
    ///
    /// - Throws: D3131 when one picture mixes digits of different families.
    init(_ picture: String) throws(JSONataError) {
        var primaryFormat = Substring(picture)
        if let semicolon = picture.lastIndex(of: ";") {
            primaryFormat = picture[..<semicolon]
            let modifier = picture[picture.index(after: semicolon)...]
            isOrdinal = modifier.first == "o"
        }
        switch primaryFormat {
        case "A": letterCase = .upper; primary = .letters
        case "a": primary = .letters
        case "I": letterCase = .upper; primary = .roman
        case "i": primary = .roman
        case "W": letterCase = .upper; primary = .words
        case "Ww": letterCase = .title; primary = .words
        case "w": primary = .words
        default: try analyseDigitPattern(primaryFormat)
        }
    }

    private mutating func analyseDigitPattern(_ pattern: Substring) throws(JSONataError) {
        var zero: UInt32?
        var position = 0
        var found: [Separator] = []
        // Walk from the right so each separator's position counts the digit signs to its right.
        for scalar in pattern.unicodeScalars.reversed() {
            if let family = Self.digitFamilyZero(of: scalar) {
                mandatoryDigits += 1
                position += 1
                if let zero, zero != family {
                    throw JSONataError(code: "D3131", message: "A decimal digit pattern must use digits from a single family")
                }
                zero = family
            } else if scalar == "#" {
                optionalDigits += 1
                position += 1
            } else {
                found.append(Separator(position: position, character: scalar))
            }
        }
        guard mandatoryDigits > 0, let zero else {
            primary = .sequence(String(pattern))
            return
        }
        primary = .decimal
        zeroCode = zero
        separators = found
        regularInterval = Self.regularInterval(of: found)
    }

    /// The common interval when all separators are one character at positions n, 2n, 3n, ...; else 0.
    static func regularInterval(of separators: [Separator]) -> Int {
        guard let first = separators.first, separators.allSatisfy({ $0.character == first.character }) else { return 0 }
        return regularInterval(positions: separators.map(\.position))
    }

    /// The common interval when the positions are exactly n, 2n, 3n, ... (in any order); else 0.
    static func regularInterval(positions: [Int]) -> Int {
        guard var factor = positions.first else { return 0 }
        for p in positions.dropFirst() { factor = gcd(factor, p) }
        guard factor > 0 else { return 0 }
        for k in 1...positions.count where !positions.contains(k * factor) { return 0 }
        return factor
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// Formats an integer-valued number (already floored by the caller) with this picture.
    ///
    /// - Throws: D3130 for an unsupported numbering sequence.
    func format(_ value: Double) throws(JSONataError) -> String {
        let negative = value < 0
        let magnitude = abs(value)
        var text: String
        switch primary {
        case .letters:
            text = AlphabeticNumerals.letters(for: magnitude, upper: letterCase == .upper)
        case .roman:
            text = RomanNumerals.roman(for: magnitude)
            if letterCase == .upper { text = text.uppercased() }
        case .words:
            text = EnglishNumberWords.words(for: magnitude, ordinal: isOrdinal)
            switch letterCase {
            case .upper: text = text.uppercased()
            case .lower: text = text.lowercased()
            case .title: break
            }
        case .decimal:
            text = formatDecimal(magnitude)
        case .sequence(let token):
            throw JSONataError(code: "D3130", message: "Formatting or parsing an integer as a sequence starting with '\(token)' is not supported")
        }
        return negative ? "-" + text : text
    }

    private func formatDecimal(_ magnitude: Double) -> String {
        let plain = magnitude < 9e15 ? String(Int64(magnitude)) : JSNumberFormat.format(magnitude)
        var digits = Array(plain.unicodeScalars)
        if digits.count < mandatoryDigits {
            digits = Array(repeating: "0", count: mandatoryDigits - digits.count) + digits
        }
        if zeroCode != 0x30 {
            digits = digits.map { s in
                guard s.value >= 0x30, s.value <= 0x39, let mapped = Unicode.Scalar(s.value - 0x30 + zeroCode) else { return s }
                return mapped
            }
        }
        if regularInterval > 0, let separator = separators.first?.character {
            let groups = (digits.count - 1) / regularInterval
            if groups > 0 {
                for k in stride(from: groups, through: 1, by: -1) {
                    digits.insert(separator, at: digits.count - k * regularInterval)
                }
            }
        } else {
            // Leftmost separator first: later insertions sit to its right, so positions stay valid.
            for separator in separators.reversed() {
                let at = digits.count - separator.position
                if at > 0 { digits.insert(separator.character, at: at) }
            }
        }
        var text = String(String.UnicodeScalarView(digits))
        if isOrdinal {
            let last = digits.last
            let secondLast = digits.count > 1 ? digits[digits.count - 2] : nil
            var suffix = "th"
            if secondLast != "1" {
                switch last {
                case "1": suffix = "st"
                case "2": suffix = "nd"
                case "3": suffix = "rd"
                default: break
                }
            }
            text += suffix
        }
        return text
    }

    /// Reads a number written with this picture; `nil` when it is not one (JavaScript's NaN).
    ///
    /// Like the reference implementation this does not validate the whole string: decimal patterns
    /// read the leading digits once separators are removed.
    /// - Throws: D3130 for an unsupported numbering sequence.
    func parse(_ text: Substring) throws(JSONataError) -> Double? {
        switch primary {
        case .letters:
            return AlphabeticNumerals.value(of: text, upper: letterCase == .upper)
        case .roman:
            return RomanNumerals.value(of: letterCase == .upper ? String(text) : text.uppercased())
        case .words:
            return EnglishNumberWords.value(of: text.lowercased())
        case .decimal:
            var body = Substring(text)
            if isOrdinal { body = body.dropLast(2) }
            let separatorSet = Set(separators.map(\.character))
            // JavaScript's parseInt: leading white space and one sign are allowed.
            body = body.drop(while: \.isWhitespace)
            let negative = body.first == "-"
            if body.first == "-" || body.first == "+" { body = body.dropFirst() }
            var value = 0.0
            var sawDigit = false
            for scalar in body.unicodeScalars where !separatorSet.contains(scalar) {
                var v = scalar.value
                if zeroCode != 0x30, v >= zeroCode, v <= zeroCode + 9 { v = v - zeroCode + 0x30 }
                guard v >= 0x30, v <= 0x39 else { break }
                value = value * 10 + Double(v - 0x30)
                sawDigit = true
            }
            return sawDigit ? (negative ? -value : value) : nil
        case .sequence(let token):
            throw JSONataError(code: "D3130", message: "Formatting or parsing an integer as a sequence starting with '\(token)' is not supported")
        }
    }
}
