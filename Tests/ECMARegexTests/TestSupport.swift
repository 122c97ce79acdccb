@testable import ECMARegex

/// Texts of all matches of `pattern` in `string`.
func matchTexts(_ pattern: String, _ flags: String = "u", in string: String) throws -> [String] {
    let regex = try ECMARegex(pattern, flags: flags)
    return try regex.allMatches(in: string).map { String($0.text(in: string)) }
}

/// Text of the first match and of each capture group (nil for unset groups).
func firstGroups(_ pattern: String, _ flags: String = "u", in string: String) throws -> [String?]? {
    let regex = try ECMARegex(pattern, flags: flags)
    guard let match = try regex.firstMatch(in: string) else { return nil }
    return [String(match.text(in: string))]
        + (1...max(regex.captureCount, 1)).prefix(regex.captureCount).map { group in
            match.text(ofGroup: group, in: string).map(String.init)
        }
}

/// The syntax error thrown when compiling `pattern`, if any.
func syntaxError(_ pattern: String, _ flags: String = "u") -> ECMARegexError? {
    do {
        _ = try ECMARegex(pattern, flags: flags)
        return nil
    } catch {
        return error
    }
}

/// Scalar offsets of a range, for readable assertions.
func scalarOffsets(_ range: Range<String.Index>, in string: String) -> ClosedRange<Int>? {
    let scalars = string.unicodeScalars
    let lower = scalars.distance(from: scalars.startIndex, to: range.lowerBound)
    let upper = scalars.distance(from: scalars.startIndex, to: range.upperBound)
    return upper > lower ? lower...(upper - 1) : nil
}
