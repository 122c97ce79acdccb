/// An analysed `fn:format-dateTime` picture (XPath F&O 3.1 §9.8.4): literals and variable markers such as
/// `[Y0001]`, `[MNn,*-3]`, `[D1o]` or `[Z01:01t]`.
///
/// ```swift
/// let picture = try DateTimePicture("[Y0001]-[M01]-[D01]")
/// picture.parts.count  // 5
/// ```
struct DateTimePicture: Sendable {
    /// Upper, lower or title case names (`N`, `n`, `Nn`).
    enum NameCase: Sendable, Equatable {
        case upper, lower, title
    }

    /// The width modifier after the comma: `,2`, `,2-4`, `,*-3`.
    struct Width: Sendable, Equatable {
        var min: Int?
        var max: Int?
    }

    /// One variable marker.
    struct Marker: Sendable {
        /// The component letter: Y M D d F W w X x H h P m s f Z z C E.
        var component: Character
        /// The first presentation modifier, e.g. `01`, `Nn`, `w`, `#1`, `01:01`.
        var presentation1: String
        /// The second presentation modifier: `a`, `t`, `c` or `o`.
        var presentation2: Character?
        var width: Width?
        /// Set when the component is written as a name.
        var names: NameCase?
        /// The integer picture for integer-valued components (and the time zone's digit pattern).
        var integerFormat: IntegerPicture?
        /// For `Y`: keep only this many low-order digits (nil: all).
        var yearDigits: Int?
    }

    enum Part: Sendable {
        case literal(String)
        case marker(Marker)
    }

    let parts: [Part]

    /// The picture `$fromMillis` uses when none is given.
    static let iso8601 = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"

    private static let integerComponents: Set<Character> = ["Y", "M", "D", "d", "F", "W", "w", "X", "x", "H", "h", "m", "s", "f"]

    private static func defaultPresentation(_ component: Character) -> String? {
        switch component {
        case "Y", "M", "D", "d", "W", "w", "X", "x", "H", "h", "f": "1"
        case "F", "P", "C", "E": "n"
        case "m", "s": "01"
        case "Z", "z": "01:01"
        default: nil
        }
    }

    /// Analyses a picture.
    ///
    /// - Throws: D3135 for a `[` without its `]`, D3132 for an unknown component, D3130/D3131 from integer pictures.
    init(_ picture: String) throws(JSONataError) {
        var parts: [Part] = []
        var literal = ""
        let chars = Array(picture)
        var pos = 0
        func flushLiteral() {
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
        }
        while pos < chars.count {
            let c = chars[pos]
            if c == "[" {
                if pos + 1 < chars.count && chars[pos + 1] == "[" {
                    literal.append("[")
                    pos += 2
                    continue
                }
                guard let close = chars[pos...].firstIndex(of: "]") else {
                    throw JSONataError(code: "D3135", message: "No matching closing bracket ']' in date/time picture string")
                }
                flushLiteral()
                let body = String(chars[(pos + 1)..<close].filter { !$0.isWhitespace })
                var marker = try Self.marker(body)
                if marker.integerFormat != nil && Self.integerComponents.contains(marker.component),
                    case .marker(var previous)? = parts.last, var previousFormat = previous.integerFormat
                {
                    // Two adjacent integer markers: the first must be read with an exact width.
                    previousFormat.parseWidth = previousFormat.mandatoryDigits
                    previous.integerFormat = previousFormat
                    parts[parts.count - 1] = .marker(previous)
                }
                if marker.component == "Z" || marker.component == "z" {
                    marker.integerFormat = try IntegerPicture(marker.presentation1)
                }
                parts.append(.marker(marker))
                pos = close + 1
                continue
            }
            if c == "]" && pos + 1 < chars.count && chars[pos + 1] == "]" {
                literal.append("]")
                pos += 2
                continue
            }
            literal.append(c)
            pos += 1
        }
        flushLiteral()
        self.parts = parts
    }

    private static func marker(_ body: String) throws(JSONataError) -> Marker {
        guard let component = body.first else {
            throw JSONataError(code: "D3132", message: "Unknown component specifier '' in date/time picture string")
        }
        var presentation = Substring(body.dropFirst())
        var width: Width?
        if let comma = body.lastIndex(of: ",") {
            let modifier = body[body.index(after: comma)...]
            presentation = comma > body.startIndex ? body[body.index(after: body.startIndex)..<comma] : ""
            if let dash = modifier.firstIndex(of: "-") {
                width = Width(min: parseWidth(modifier[..<dash]), max: parseWidth(modifier[modifier.index(after: dash)...]))
            } else {
                width = Width(min: parseWidth(modifier), max: nil)
            }
        }
        var presentation1: String
        var presentation2: Character?
        if presentation.count == 1 {
            presentation1 = String(presentation)
        } else if presentation.count > 1, let last = presentation.last, "atco".contains(last) {
            presentation2 = last
            presentation1 = String(presentation.dropLast())
        } else if presentation.count > 1 {
            presentation1 = String(presentation)
        } else if let fallback = defaultPresentation(component) {
            presentation1 = fallback
        } else {
            throw JSONataError(code: "D3132", message: "Unknown component specifier '\(component)' in date/time picture string")
        }
        guard defaultPresentation(component) != nil else {
            throw JSONataError(code: "D3132", message: "Unknown component specifier '\(component)' in date/time picture string")
        }
        var marker = Marker(component: component, presentation1: presentation1, presentation2: presentation2, width: width)
        if presentation1.first == "n" {
            marker.names = .lower
        } else if presentation1.first == "N" {
            marker.names = presentation1.dropFirst().first == "n" ? .title : .upper
        } else if integerComponents.contains(component) {
            var integerPicture = presentation1
            if let presentation2 { integerPicture += ";" + String(presentation2) }
            var format = try IntegerPicture(integerPicture)
            if let minWidth = width?.min, format.mandatoryDigits < minWidth {
                format.mandatoryDigits = minWidth
            }
            if component == "Y" {
                if let maxWidth = width?.max {
                    marker.yearDigits = maxWidth
                    format.mandatoryDigits = maxWidth
                } else if format.mandatoryDigits + format.optionalDigits >= 2 {
                    marker.yearDigits = format.mandatoryDigits + format.optionalDigits
                }
            }
            marker.integerFormat = format
        }
        return marker
    }

    /// A width: digits, or `*` / nothing for "unbounded".
    private static func parseWidth(_ text: Substring) -> Int? {
        var value = 0
        var sawDigit = false
        for c in text {
            guard let d = c.wholeNumberValue, c.isASCII else { break }
            value = value * 10 + d
            sawDigit = true
            if value > 1000 { return 1000 }
        }
        return sawDigit ? value : nil
    }
}
