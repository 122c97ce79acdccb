/// What one part of a date/time picture matches when parsing, and a backtracking whole-string matcher over a
/// sequence of them.
///
/// It stands in for the case-insensitive regular expression the reference builds from the picture
/// (`^(part1)(part2)...$`): each pattern proposes end positions, longest first, and the matcher backtracks
/// through them until the whole text is consumed.
enum PicturePattern: Sendable {
    /// Literal text (compared case-insensitively).
    case literal([Character])
    /// ASCII digits: exactly `width` of them, or one or more; optionally followed by th/st/nd/rd.
    case digits(width: Int?, ordinal: Bool)
    /// One or more characters from a set of lower-case characters (compared case-insensitively).
    case characters(Set<Character>)
    /// One or more English number words, "and", hyphens, commas and spaces.
    case words
    /// A UTC offset: `GMT` when `gmt`, a sign, digits, and, with a separator, the separator and more digits.
    case offset(gmt: Bool, separator: Character?)

    /// Matches `patterns` against the whole of `text`; the ranges each pattern consumed, or nil.
    static func match(_ patterns: [PicturePattern], in text: String) -> [Range<Int>]? {
        let chars = Array(text)
        let lowered = chars.map { Character($0.lowercased()) }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(patterns.count)
        var budget = 100_000  // guards against pathological backtracking
        func step(_ index: Int, _ position: Int) -> Bool {
            if index == patterns.count { return position == chars.count }
            budget -= 1
            if budget < 0 { return false }
            for end in patterns[index].ends(in: lowered, from: position) {
                ranges.append(position..<end)
                if step(index + 1, end) { return true }
                ranges.removeLast()
            }
            return false
        }
        return step(0, 0) ? ranges : nil
    }

    /// Where a match starting at `start` may end, in the order a greedy regular expression would try them.
    func ends(in text: [Character], from start: Int) -> [Int] {
        switch self {
        case .literal(let literal):
            guard start + literal.count <= text.count else { return [] }
            for (i, c) in literal.enumerated() where Character(c.lowercased()) != text[start + i] { return [] }
            return [start + literal.count]
        case .digits(let width, let ordinal):
            let run = Self.run(in: text, from: start, where: Self.isDigit)
            var lengths: [Int] = []
            if let width {
                if width > 0 && run >= width { lengths = [width] }
            } else if run > 0 {
                lengths = (1...run).reversed()
            }
            guard ordinal else { return lengths.map { start + $0 } }
            return lengths.compactMap { length in
                let at = start + length
                guard at + 2 <= text.count else { return nil }
                return ["th", "st", "nd", "rd"].contains(String(text[at..<(at + 2)])) ? at + 2 : nil
            }
        case .characters(let set):
            let run = Self.run(in: text, from: start, where: set.contains)
            return run == 0 ? [] : (1...run).reversed().map { start + $0 }
        case .words:
            return Self.wordEnds(in: text, from: start)
        case .offset(let gmt, let separator):
            var position = start
            if gmt {
                guard position + 3 <= text.count, String(text[position..<(position + 3)]) == "gmt" else { return [] }
                position += 3
            }
            guard position < text.count, text[position] == "+" || text[position] == "-" else { return [] }
            position += 1
            let hoursRun = Self.run(in: text, from: position, where: Self.isDigit)
            guard hoursRun > 0 else { return [] }
            guard let separator else { return (1...hoursRun).reversed().map { position + $0 } }
            var ends: [Int] = []
            for hours in (1...hoursRun).reversed() {
                let at = position + hours
                guard at < text.count, text[at] == Character(separator.lowercased()) else { continue }
                let minutesRun = Self.run(in: text, from: at + 1, where: Self.isDigit)
                if minutesRun > 0 { ends += (1...minutesRun).reversed().map { at + 1 + $0 } }
            }
            return ends
        }
    }

    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isWholeNumber }

    private static func run(in text: [Character], from start: Int, where predicate: (Character) -> Bool) -> Int {
        var i = start
        while i < text.count && predicate(text[i]) { i += 1 }
        return i - start
    }

    /// Tokens of the words pattern.
    private static let wordTokens: [[Character]] = (EnglishNumberWords.vocabulary + ["and", "-", ",", " "])
        .map(Array.init)

    /// Every position reachable from `start` by one or more word tokens, furthest first.
    private static func wordEnds(in text: [Character], from start: Int) -> [Int] {
        var reachable = Set<Int>()
        var frontier = [start]
        while let position = frontier.popLast() {
            for token in wordTokens where position + token.count <= text.count {
                let end = position + token.count
                if reachable.contains(end) { continue }
                if text[position..<end].elementsEqual(token) {
                    reachable.insert(end)
                    frontier.append(end)
                }
            }
        }
        return reachable.sorted(by: >)
    }
}
