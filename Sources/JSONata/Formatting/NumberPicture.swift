/// `fn:format-number` (XPath F&O 3.1 §4.7): splitting, validating (§4.7.3), analysing (§4.7.4) and
/// applying (§4.7.5) a picture such as `#,##0.00;(#,##0.00)` or `00.000e0`.
///
/// Follows the reference implementation, including which error wins when a picture has several
/// faults (the last check that fails).
struct NumberPicture: Sendable {
    /// The analysed form of one sub-picture (the positive or the negative one).
    struct Variables: Sendable {
        var integerGroupingPositions: [Int]
        var regularGrouping: Int
        var minimumIntegerPartSize: Int
        var scalingFactor: Int
        var prefix: String
        var fractionalGroupingPositions: [Int]
        var minimumFractionalPartSize: Int
        var maximumFractionalPartSize: Int
        var minimumExponentSize: Int
        var hasExponent: Bool
        var suffix: String
        var picture: [Character]
    }

    /// Sub-picture pieces as §4.7.3 names them.
    private struct Parts {
        var prefix: [Character]
        var suffix: [Character]
        var activePart: [Character]
        var mantissaPart: [Character]
        var exponentPart: [Character]?
        var integerPart: [Character]
        var fractionalPart: [Character]
        var subpicture: [Character]
    }

    let format: DecimalFormat
    let positive: Variables
    let negative: Variables
    private let family: [Character]

    /// Parses and validates `picture`.
    ///
    /// - Throws: D3080 (more than two sub-pictures) and D3081-D3093 for invalid sub-pictures.
    init(_ picture: String, format: DecimalFormat) throws(JSONataError) {
        let analyser = Analyser(format: format)
        let subPictures = Self.split(Array(picture), by: Array(format.patternSeparator))
        if subPictures.count > 2 {
            throw JSONataError(code: "D3080", message: "The picture must not contain more than one pattern-separator")
        }
        var variables: [Variables] = []
        for sub in subPictures {
            let parts = analyser.splitParts(sub)
            try analyser.validate(parts)
            variables.append(analyser.analyse(parts))
        }
        self.format = format
        family = analyser.family
        positive = variables[0]
        if variables.count == 2 {
            negative = variables[1]
        } else {
            var copy = variables[0]
            copy.prefix = format.minusSign + copy.prefix
            negative = copy
        }
    }

    /// Splits, validates and analyses sub-pictures for one decimal format.
    private struct Analyser {
        let format: DecimalFormat
        let family: [Character]
        let active: [Character]
        /// The optional-digit sign (`#`), when it is a single character.
        let optionalDigit: Character?

        init(format: DecimalFormat) {
            self.format = format
            optionalDigit = format.digit.count == 1 ? format.digit.first : nil
            family = format.digitFamily
            var activeChars = family
            for property in [format.decimalSeparator, format.exponentSeparator, format.groupingSeparator, format.digit, format.patternSeparator] {
                if property.count == 1, let c = property.first { activeChars.append(c) }
            }
            active = activeChars
        }

        // MARK: Splitting

        private func isActive(_ c: Character) -> Bool { active.contains(c) }
        private func isDigit(_ c: Character) -> Bool { family.contains(c) }
        private func isDigitSign(_ c: Character) -> Bool { family.contains(c) || c == optionalDigit }

        func splitParts(_ sub: [Character]) -> Parts {
            let exponentSign = Array(format.exponentSeparator)
            let isSignificant = { (c: Character) in self.isActive(c) && [c] != exponentSign }
            let prefixEnd = sub.firstIndex(where: isSignificant) ?? 0
            let suffixStart = sub.lastIndex(where: isSignificant).map { $0 + 1 } ?? sub.count
            let prefix = Array(sub[..<prefixEnd])
            let suffix = Array(sub[suffixStart...])
            let activePart = prefixEnd <= suffixStart ? Array(sub[prefixEnd..<suffixStart]) : []
            var mantissa = activePart
            var exponent: [Character]?
            // The reference finds the exponent separator in the whole sub-picture but slices the active part with it.
            if let position = NumberPicture.index(of: exponentSign, in: sub, from: prefix.count), position <= sub.count - suffix.count {
                mantissa = Array(activePart[..<min(position, activePart.count)])
                let start = min(position + exponentSign.count, activePart.count)
                exponent = Array(activePart[start...])
            }
            var integer = mantissa
            var fractional = suffix
            if let dot = NumberPicture.index(of: Array(format.decimalSeparator), in: mantissa, from: 0) {
                integer = Array(mantissa[..<dot])
                fractional = Array(mantissa[(dot + format.decimalSeparator.count)...])
            }
            return Parts(
                prefix: prefix, suffix: suffix, activePart: activePart, mantissaPart: mantissa, exponentPart: exponent,
                integerPart: integer, fractionalPart: fractional, subpicture: sub)
        }

        // MARK: Validation (§4.7.3)

        func validate(_ parts: Parts) throws(JSONataError) {
            var error: (code: String, message: String)?
            let sub = parts.subpicture
            let decimal = Array(format.decimalSeparator)
            let grouping = Array(format.groupingSeparator)
            let percent = Array(format.percent)
            let perMille = Array(format.perMille)
            let decimalPos = NumberPicture.index(of: decimal, in: sub, from: 0)
            if NumberPicture.count(of: decimal, in: sub) > 1 {
                error = ("D3081", "A sub-picture must not contain more than one decimal-separator")
            }
            if NumberPicture.count(of: percent, in: sub) > 1 {
                error = ("D3082", "A sub-picture must not contain more than one percent character")
            }
            if NumberPicture.count(of: perMille, in: sub) > 1 {
                error = ("D3083", "A sub-picture must not contain more than one per-mille character")
            }
            if NumberPicture.count(of: percent, in: sub) > 0 && NumberPicture.count(of: perMille, in: sub) > 0 {
                error = ("D3084", "A sub-picture must not contain both a percent and a per-mille character")
            }
            if !parts.mantissaPart.contains(where: isDigitSign) {
                error = ("D3085", "The mantissa part of a sub-picture must contain at least one optional or decimal digit")
            }
            if parts.activePart.contains(where: { !isActive($0) }) {
                error = ("D3086", "A sub-picture must not contain a passive character between active characters")
            }
            if let decimalPos {
                let before = decimalPos > 0 ? [sub[decimalPos - 1]] : []
                let afterIndex = decimalPos + decimal.count
                let after = afterIndex < sub.count ? [sub[afterIndex]] : []
                if (!before.isEmpty && before == grouping) || (!after.isEmpty && after == grouping) {
                    error = ("D3087", "A group-separator character must not be adjacent to a decimal-separator character")
                }
            } else if let last = parts.integerPart.last, [last] == grouping {
                error = ("D3088", "The integer part of a sub-picture must not end with a group-separator character")
            }
            if !grouping.isEmpty && NumberPicture.index(of: grouping + grouping, in: sub, from: 0) != nil {
                error = ("D3089", "A sub-picture must not contain two adjacent group-separator characters")
            }
            if let optional = parts.integerPart.firstIndex(where: { $0 == optionalDigit }),
                parts.integerPart[..<optional].contains(where: isDigit)
            {
                error = ("D3090", "In the integer part, a decimal digit must not be followed by an optional digit")
            }
            if let optional = parts.fractionalPart.lastIndex(where: { $0 == optionalDigit }),
                parts.fractionalPart[optional...].contains(where: isDigit)
            {
                error = ("D3091", "In the fractional part, an optional digit must not be followed by a decimal digit")
            }
            if let exponent = parts.exponentPart {
                if !exponent.isEmpty && (NumberPicture.count(of: percent, in: sub) > 0 || NumberPicture.count(of: perMille, in: sub) > 0) {
                    error = ("D3092", "A sub-picture with a percent or per-mille character must not have an exponent")
                }
                if exponent.isEmpty || exponent.contains(where: { !isDigit($0) }) {
                    error = ("D3093", "The exponent part of a sub-picture must consist of one or more decimal digits")
                }
            }
            if let error { throw JSONataError(code: error.code, message: error.message) }
        }

        // MARK: Analysis (§4.7.4)

        private func groupingPositions(in part: [Character], countingLeft: Bool) -> [Int] {
            let grouping = Array(format.groupingSeparator)
            guard !grouping.isEmpty else { return [] }
            var positions: [Int] = []
            var from = 0
            while let at = NumberPicture.index(of: grouping, in: part, from: from) {
                let side = countingLeft ? part[..<at] : part[at...]
                positions.append(side.filter(isDigitSign).count)
                from = at + 1
            }
            return positions
        }

        func analyse(_ parts: Parts) -> Variables {
            let integerPositions = groupingPositions(in: parts.integerPart, countingLeft: false)
            let regular = IntegerPicture.regularInterval(positions: integerPositions)
            let fractionalPositions = groupingPositions(in: parts.fractionalPart, countingLeft: true)
            var minimumInteger = parts.integerPart.filter(isDigit).count
            let scaling = minimumInteger
            var minimumFractional = parts.fractionalPart.filter(isDigit).count
            var maximumFractional = parts.fractionalPart.filter(isDigitSign).count
            let hasExponent = parts.exponentPart != nil
            if minimumInteger == 0 && maximumFractional == 0 {
                if hasExponent {
                    minimumFractional = 1
                    maximumFractional = 1
                } else {
                    minimumInteger = 1
                }
            }
            if hasExponent && minimumInteger == 0 && parts.integerPart.contains(where: { $0 == optionalDigit }) {
                minimumInteger = 1
            }
            if minimumInteger == 0 && minimumFractional == 0 {
                minimumFractional = 1
            }
            let minimumExponent = parts.exponentPart?.filter(isDigit).count ?? 0
            return Variables(
                integerGroupingPositions: integerPositions, regularGrouping: regular, minimumIntegerPartSize: minimumInteger,
                scalingFactor: scaling, prefix: String(parts.prefix), fractionalGroupingPositions: fractionalPositions,
                minimumFractionalPartSize: minimumFractional, maximumFractionalPartSize: maximumFractional,
                minimumExponentSize: minimumExponent, hasExponent: hasExponent, suffix: String(parts.suffix), picture: parts.subpicture)
        }
    }

    // MARK: Formatting (§4.7.5)

    /// Formats `value` with the analysed picture.
    func format(_ value: Double) -> String {
        let pic = value >= 0 || value.isNaN ? positive : negative
        if value.isNaN { return format.notANumber }
        let picture = pic.picture
        var adjusted = value
        if Self.index(of: Array(format.percent), in: picture, from: 0) != nil {
            adjusted = value * 100
        } else if Self.index(of: Array(format.perMille), in: picture, from: 0) != nil {
            adjusted = value * 1000
        }
        if adjusted.isInfinite { return pic.prefix + format.infinity + pic.suffix }

        var mantissa = abs(adjusted)
        var exponent: Int?
        if pic.minimumExponentSize > 0 {
            let maxMantissa = DecimalArithmetic.power10(pic.scalingFactor)
            let minMantissa = DecimalArithmetic.power10(pic.scalingFactor - 1)
            var e = 0
            if mantissa != 0 {
                while mantissa < minMantissa {
                    mantissa *= 10
                    e -= 1
                }
                while mantissa > maxMantissa {
                    mantissa /= 10
                    e += 1
                }
            }
            exponent = e
        }
        let rounded = DecimalArithmetic.roundHalfEven(mantissa, places: pic.maximumFractionalPartSize)
        let zero = family[0]
        let decimal = Array(format.decimalSeparator)
        var s = mapDigits(DecimalArithmetic.toFixed(abs(rounded), places: pic.maximumFractionalPartSize))
        if let dot = s.firstIndex(of: ".") {
            s.replaceSubrange(dot...dot, with: decimal)
        } else {
            s += decimal
        }
        while s.first == zero { s.removeFirst() }
        while s.last == zero { s.removeLast() }

        var decimalPos = Self.index(of: decimal, in: s, from: 0) ?? s.count
        let padLeft = pic.minimumIntegerPartSize - decimalPos
        let padRight = pic.minimumFractionalPartSize - (s.count - decimalPos - decimal.count)
        if padLeft > 0 { s = Array(repeating: zero, count: padLeft) + s }
        if padRight > 0 { s += Array(repeating: zero, count: padRight) }

        let grouping = Array(format.groupingSeparator)
        decimalPos = Self.index(of: decimal, in: s, from: 0) ?? s.count
        if pic.regularGrouping > 0 {
            let groups = (decimalPos - 1) / pic.regularGrouping
            if groups > 0 {
                for g in 1...groups {
                    s.insert(contentsOf: grouping, at: decimalPos - g * pic.regularGrouping)
                }
            }
        } else {
            for position in pic.integerGroupingPositions where decimalPos - position > 0 {
                s.insert(contentsOf: grouping, at: decimalPos - position)
                decimalPos += grouping.count
            }
        }

        decimalPos = Self.index(of: decimal, in: s, from: 0) ?? s.count
        let fractionStart = decimalPos + decimal.count
        let fractionDigits = s.count - fractionStart
        for position in pic.fractionalGroupingPositions.sorted(by: >) where position > 0 && position < fractionDigits {
            s.insert(contentsOf: grouping, at: fractionStart + position)
        }

        let pictureHasDecimal = Self.index(of: decimal, in: picture, from: 0) != nil
        if !pictureHasDecimal || decimalPos + decimal.count == s.count {
            s.removeLast(min(decimal.count, s.count))
        }

        if let exponent {
            var digits = mapDigits(String(abs(exponent)))
            if digits.count < pic.minimumExponentSize {
                digits = Array(repeating: zero, count: pic.minimumExponentSize - digits.count) + digits
            }
            s += Array(format.exponentSeparator) + (exponent < 0 ? Array(format.minusSign) : []) + digits
        }
        return pic.prefix + String(s) + pic.suffix
    }

    private func mapDigits(_ text: String) -> [Character] {
        text.map { c in
            guard let v = c.asciiValue, v >= 0x30, v <= 0x39 else { return c }
            return family[Int(v - 0x30)]
        }
    }

    // MARK: Character-array helpers

    static func index(of needle: [Character], in haystack: [Character], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var i = max(start, 0)
        outer: while i + needle.count <= haystack.count {
            for (k, c) in needle.enumerated() where haystack[i + k] != c {
                i += 1
                continue outer
            }
            return i
        }
        return nil
    }

    static func count(of needle: [Character], in haystack: [Character]) -> Int {
        var n = 0
        var from = 0
        while let at = index(of: needle, in: haystack, from: from) {
            n += 1
            from = at + 1
        }
        return n
    }

    static func split(_ text: [Character], by separator: [Character]) -> [[Character]] {
        guard !separator.isEmpty else { return [text] }
        var pieces: [[Character]] = []
        var from = 0
        while let at = index(of: separator, in: text, from: from) {
            pieces.append(Array(text[from..<at]))
            from = at + separator.count
        }
        pieces.append(Array(text[from...]))
        return pieces
    }
}
