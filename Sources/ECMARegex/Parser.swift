/// Parses ECMA-262 pattern text into a ``Node`` tree.
///
/// With `unicode` the grammar is the strict `u`-mode grammar; without it the Annex B
/// leniencies (identity escapes, literal `{` `}` `]`, legacy octal) are accepted.
/// Both modes read the pattern as Unicode scalars.
struct Parser {
    /// Limits that keep hostile patterns from exhausting memory or the stack.
    static let maxPatternLength = 100_000
    static let maxNesting = 48
    static let maxGroups = 10_000

    private let scalars: [UInt32]
    private var pos = 0
    private let unicode: Bool
    private let dotAll: Bool
    private var depth = 0
    private var groupsSeen = 0
    /// Group numbers and names found by a pre-scan, so forward references resolve.
    private(set) var groupCount = 0
    private(set) var groupNames: [String: Int] = [:]

    init(_ pattern: String, unicode: Bool, dotAll: Bool, ignoreCase: Bool) {
        scalars = pattern.unicodeScalars.map(\.value)
        self.unicode = unicode
        self.dotAll = dotAll
        self.ignoreCaseUnicodeWord = ignoreCase && unicode
    }

    /// Parses the whole pattern.
    mutating func parse() throws(ECMARegexError) -> Node {
        if scalars.count > Parser.maxPatternLength {
            throw .syntax(message: "pattern too long (more than \(Parser.maxPatternLength) characters)", offset: 0)
        }
        try prescan()
        let node = try parseDisjunction()
        if pos < scalars.count {
            throw error(scalars[pos] == 0x29 ? "unmatched ')'" : "unexpected character")
        }
        return node
    }

    // MARK: - Helpers

    private var atEnd: Bool { pos >= scalars.count }

    private func peek(_ offset: Int = 0) -> UInt32? {
        pos + offset < scalars.count ? scalars[pos + offset] : nil
    }

    private func error(_ message: String, at offset: Int? = nil) -> ECMARegexError {
        .syntax(message: message, offset: offset ?? pos)
    }

    private mutating func eat(_ c: Character) -> Bool {
        if let p = peek(), p == c.unicodeScalars.first!.value {
            pos += 1
            return true
        }
        return false
    }

    private static func isDigit(_ c: UInt32?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    private static func hexValue(_ c: UInt32?) -> UInt32? {
        guard let c else { return nil }
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    // MARK: - Pre-scan

    /// Counts capturing groups and records group names (needed for `\10` and `\k<name>` before the group).
    private mutating func prescan() throws(ECMARegexError) {
        var i = 0
        var inClass = false
        var count = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == 0x5C {  // backslash
                i += 2
                continue
            }
            if inClass {
                if c == 0x5D { inClass = false }
            } else if c == 0x5B {
                inClass = true
            } else if c == 0x28 {  // (
                if i + 1 < scalars.count, scalars[i + 1] == 0x3F {  // ?
                    if i + 2 < scalars.count, scalars[i + 2] == 0x3C,  // <
                        i + 3 < scalars.count, scalars[i + 3] != 0x3D, scalars[i + 3] != 0x21
                    {
                        count += 1
                        var j = i + 3
                        var name = ""
                        while j < scalars.count, scalars[j] != 0x3E, let s = Unicode.Scalar(scalars[j]) {
                            name.unicodeScalars.append(s)
                            j += 1
                        }
                        if groupNames[name] != nil {
                            throw .syntax(message: "duplicate capture group name '\(name)'", offset: i + 3)
                        }
                        groupNames[name] = count
                    }
                } else {
                    count += 1
                }
            }
            i += 1
        }
        if count > Parser.maxGroups {
            throw .syntax(message: "too many capture groups (more than \(Parser.maxGroups))", offset: 0)
        }
        groupCount = count
    }

    // MARK: - Disjunction, alternative, term

    private mutating func parseDisjunction() throws(ECMARegexError) -> Node {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxNesting {
            throw error("pattern nested too deeply (more than \(Parser.maxNesting) levels)")
        }
        var alternatives = [try parseAlternative()]
        while eat("|") {
            alternatives.append(try parseAlternative())
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    private mutating func parseAlternative() throws(ECMARegexError) -> Node {
        var terms: [Node] = []
        while let c = peek(), c != 0x7C, c != 0x29 {
            terms.append(try parseTerm())
        }
        switch terms.count {
        case 0: return .empty
        case 1: return terms[0]
        default: return .sequence(terms)
        }
    }

    private mutating func parseTerm() throws(ECMARegexError) -> Node {
        let start = pos
        let c = scalars[pos]
        switch c {
        case 0x5E:  // ^
            pos += 1
            return .assertion(.start)
        case 0x24:  // $
            pos += 1
            return .assertion(.end)
        case 0x5C where peek(1) == 0x62:  // \b
            pos += 2
            return .assertion(.wordBoundary)
        case 0x5C where peek(1) == 0x42:  // \B
            pos += 2
            return .assertion(.notWordBoundary)
        case 0x28 where peek(1) == 0x3F:  // (?
            let lookahead = peek(2) == 0x3D || peek(2) == 0x21
            let lookbehind = peek(2) == 0x3C && (peek(3) == 0x3D || peek(3) == 0x21)
            if lookahead || lookbehind {
                let negative = (lookahead ? peek(2) : peek(3)) == 0x21
                pos += lookahead ? 3 : 4
                let body = try parseDisjunction()
                guard eat(")") else { throw error("unterminated group", at: start) }
                let node = Node.look(body, behind: lookbehind, negative: negative)
                if lookahead && !unicode {
                    return try parseQuantifier(for: node)  // Annex B: quantified lookahead
                }
                return node
            }
        default:
            break
        }
        let atom = try parseAtom()
        return try parseQuantifier(for: atom)
    }

    /// Tries to read `{n}`, `{n,}` or `{n,m}` at the current position without consuming on failure.
    private mutating func readBraces() -> (min: Int, max: Int?)? {
        let save = pos
        guard eat("{") else { return nil }
        func number(_ parser: inout Parser) -> Int? {
            guard Parser.isDigit(parser.peek()) else { return nil }
            var value = 0
            while let d = parser.peek(), Parser.isDigit(d) {
                value = min(value * 10 + Int(d - 0x30), Int(Int32.max))
                parser.pos += 1
            }
            return value
        }
        guard let low = number(&self) else {
            pos = save
            return nil
        }
        var high: Int? = low
        if eat(",") {
            high = number(&self)
        }
        guard eat("}") else {
            pos = save
            return nil
        }
        return (low, high)
    }

    private mutating func parseQuantifier(for atom: Node) throws(ECMARegexError) -> Node {
        let start = pos
        guard let c = peek() else { return atom }
        var min = 0
        var max: Int? = nil
        switch c {
        case 0x2A: pos += 1  // *
        case 0x2B:  // +
            pos += 1
            min = 1
        case 0x3F:  // ?
            pos += 1
            max = 1
        case 0x7B:  // {
            guard let braces = readBraces() else {
                if unicode { throw error("incomplete quantifier") }
                return atom
            }
            min = braces.min
            max = braces.max
            if let max, max < min {
                throw error("numbers out of order in {} quantifier", at: start)
            }
        default:
            return atom
        }
        let greedy = !eat("?")
        if case .assertion = atom { throw error("nothing to repeat", at: start) }
        if case .look(_, true, _) = atom { throw error("nothing to repeat", at: start) }
        return .quantified(atom, min: min, max: max, greedy: greedy, offset: start)
    }

    // MARK: - Atoms

    private mutating func parseAtom() throws(ECMARegexError) -> Node {
        let start = pos
        let c = scalars[pos]
        switch c {
        case 0x2E:  // .
            pos += 1
            var spec = ClassSpec()
            spec.ranges = dotAll ? [0...ClassSpec.maxScalar] : ClassSpec.complement(ClassSpec.lineTerminators)
            return .charClass(spec)
        case 0x28:  // (
            pos += 1
            var capture: Int? = nil
            if eat("?") {
                if eat(":") {
                    capture = nil
                } else if eat("<") {
                    _ = try parseGroupName()  // validated here; the name's number comes from the pre-scan
                    groupsSeen += 1
                    capture = groupsSeen
                } else {
                    throw error("invalid group", at: start)
                }
            } else {
                groupsSeen += 1
                capture = groupsSeen
            }
            let body = try parseDisjunction()
            guard eat(")") else { throw error("unterminated group", at: start) }
            return .group(body, capture: capture)
        case 0x5B:  // [
            return .charClass(try parseClass())
        case 0x5C:  // backslash
            return try parseAtomEscape()
        case 0x2A, 0x2B, 0x3F:  // * + ?
            throw error("nothing to repeat")
        case 0x7B:  // {
            if unicode || readBraces() != nil {
                pos = start
                throw error(unicode && readBracesPeek() == nil ? "lone quantifier brackets" : "nothing to repeat")
            }
            pos += 1
            return .char(c)
        case 0x7D, 0x5D:  // } ]
            if unicode { throw error("lone quantifier brackets or ']'") }
            pos += 1
            return .char(c)
        default:
            pos += 1
            return .char(c)
        }
    }

    private mutating func readBracesPeek() -> (min: Int, max: Int?)? {
        let save = pos
        defer { pos = save }
        return readBraces()
    }

    private mutating func parseGroupName() throws(ECMARegexError) -> String {
        let start = pos
        var name = ""
        while let c = peek(), c != 0x3E {
            guard let scalar = Unicode.Scalar(c) else { throw error("invalid capture group name", at: start) }
            let valid =
                name.isEmpty
                ? (scalar.properties.isIDStart || c == 0x24 || c == 0x5F)
                : (scalar.properties.isIDContinue || c == 0x24 || c == 0x5F || c == 0x200C || c == 0x200D)
            if !valid { throw error("invalid capture group name", at: start) }
            name.unicodeScalars.append(scalar)
            pos += 1
        }
        guard !name.isEmpty, eat(">") else { throw error("invalid capture group name", at: start) }
        return name
    }

    private mutating func parseAtomEscape() throws(ECMARegexError) -> Node {
        let start = pos
        pos += 1  // backslash
        guard let c = peek() else { throw error("\\ at end of pattern", at: start) }
        if let spec = try parseClassEscape() {
            return .charClass(spec)
        }
        switch c {
        case 0x31...0x39:  // \1 .. \9
            let save = pos
            var value = 0
            while let d = peek(), Parser.isDigit(d) {
                value = min(value * 10 + Int(d - 0x30), 1_000_000)
                pos += 1
            }
            if value <= groupCount {
                return .backreference(value)
            }
            if unicode { throw error("invalid escape (no such group)", at: start) }
            pos = save
            if c >= 0x38 {  // \8 \9: identity escapes
                pos += 1
                return .char(c)
            }
            return .char(parseLegacyOctal())
        case 0x6B:  // k
            if unicode || !groupNames.isEmpty {
                pos += 1
                guard eat("<") else { throw error("invalid named reference", at: start) }
                let name = try parseGroupName()
                guard let index = groupNames[name] else { throw error("invalid named capture referenced", at: start) }
                return .backreference(index)
            }
            pos += 1
            return .char(c)
        default:
            return .char(try parseCharacterEscape(inClass: false, start: start))
        }
    }

    /// Parses `\d \D \w \W \s \S \p{..} \P{..}` (backslash already consumed); nil for other escapes.
    private mutating func parseClassEscape() throws(ECMARegexError) -> ClassSpec? {
        guard let c = peek() else { return nil }
        var spec = ClassSpec()
        switch c {
        case 0x64: spec.ranges = ClassSpec.digitRanges
        case 0x44: spec.ranges = ClassSpec.complement(ClassSpec.digitRanges)
        case 0x77: spec.ranges = wordRanges
        case 0x57: spec.ranges = ClassSpec.complement(wordRanges)
        case 0x73: spec.ranges = ClassSpec.spaceRanges
        case 0x53: spec.ranges = ClassSpec.complement(ClassSpec.spaceRanges)
        case 0x70 where unicode, 0x50 where unicode:  // p P
            let start = pos - 1
            pos += 1
            guard eat("{") else { throw error("invalid property name", at: start) }
            var text = ""
            while let d = peek(), d != 0x7D, let s = Unicode.Scalar(d) {
                text.unicodeScalars.append(s)
                pos += 1
            }
            guard eat("}"), let property = UnicodeProperty.named(text) else {
                throw error("invalid property name", at: start)
            }
            spec.properties = [(property, c == 0x50)]
            return spec
        default:
            return nil
        }
        pos += 1
        return spec
    }

    /// `\w` ranges; under `iu` ECMA adds the scalars that fold into ASCII word characters.
    private let ignoreCaseUnicodeWord: Bool
    private var wordRanges: [ClosedRange<UInt32>] {
        ignoreCaseUnicodeWord ? ClassSpec.wordRangesFolded : ClassSpec.wordRanges
    }

    /// Legacy octal escape (Annex B), up to three digits, value <= 0o377. The backslash is consumed.
    private mutating func parseLegacyOctal() -> UInt32 {
        var value: UInt32 = 0
        var digits = 0
        while let d = peek(), d >= 0x30, d <= 0x37, digits < 3 {
            let next = value * 8 + (d - 0x30)
            if next > 0o377 { break }
            value = next
            digits += 1
            pos += 1
        }
        return value
    }

    /// Parses a character escape (backslash consumed) and returns its scalar value.
    private mutating func parseCharacterEscape(inClass: Bool, start: Int) throws(ECMARegexError) -> UInt32 {
        let c = scalars[pos]
        pos += 1
        switch c {
        case 0x74: return 0x09  // t
        case 0x6E: return 0x0A  // n
        case 0x76: return 0x0B  // v
        case 0x66: return 0x0C  // f
        case 0x72: return 0x0D  // r
        case 0x30:  // 0
            if Parser.isDigit(peek()) {
                if unicode { throw error("invalid decimal escape", at: start) }
                pos -= 1
                return parseLegacyOctal()
            }
            return 0
        case 0x63:  // c
            if let l = peek(), (l >= 0x41 && l <= 0x5A) || (l >= 0x61 && l <= 0x7A) {
                pos += 1
                return l % 32
            }
            if !unicode, inClass, let l = peek(), Parser.isDigit(l) || l == 0x5F {
                pos += 1
                return l % 32
            }
            if unicode { throw error("invalid unicode escape \\c", at: start) }
            pos -= 1  // the "c" is read again as a literal
            return 0x5C
        case 0x78:  // x
            if let h = Parser.hexValue(peek()), let l = Parser.hexValue(peek(1)) {
                pos += 2
                return h * 16 + l
            }
            if unicode { throw error("invalid escape \\x", at: start) }
            return c
        case 0x75:  // u
            if let value = try parseUnicodeEscapeBody(start: start) { return value }
            if unicode { throw error("invalid unicode escape", at: start) }
            return c
        case 0x2D where inClass:  // \- in a class
            return c
        case 0x5E, 0x24, 0x5C, 0x2E, 0x2A, 0x2B, 0x3F, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x7C, 0x2F:
            return c
        default:
            if unicode { throw error("invalid escape", at: start) }
            return c
        }
    }

    /// After `\u`: `{H...}` (u-mode) or `HHHH`, combining a surrogate pair written as two escapes.
    private mutating func parseUnicodeEscapeBody(start: Int) throws(ECMARegexError) -> UInt32? {
        if unicode, peek() == 0x7B {
            pos += 1
            var value: UInt32 = 0
            var digits = 0
            while let h = Parser.hexValue(peek()) {
                value = value * 16 + h
                digits += 1
                pos += 1
                if value > ClassSpec.maxScalar { throw error("unicode escape out of range", at: start) }
            }
            guard digits > 0, eat("}") else { throw error("invalid unicode escape", at: start) }
            return value
        }
        guard let value = readHex4(at: pos) else { return nil }
        pos += 4
        if unicode, value >= 0xD800, value <= 0xDBFF, peek() == 0x5C, peek(1) == 0x75,
            let low = readHex4(at: pos + 2), low >= 0xDC00, low <= 0xDFFF
        {
            pos += 6
            return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        return value
    }

    private func readHex4(at index: Int) -> UInt32? {
        guard index + 4 <= scalars.count else { return nil }
        var value: UInt32 = 0
        for i in index..<index + 4 {
            guard let h = Parser.hexValue(scalars[i]) else { return nil }
            value = value * 16 + h
        }
        return value
    }

    // MARK: - Character classes

    private enum ClassAtom {
        case scalar(UInt32)
        case set(ClassSpec)
    }

    private mutating func parseClass() throws(ECMARegexError) -> ClassSpec {
        let start = pos
        pos += 1  // [
        var spec = ClassSpec()
        spec.negated = eat("^")
        while true {
            guard let c = peek() else { throw error("unterminated character class", at: start) }
            if c == 0x5D {
                pos += 1
                return spec
            }
            let atomStart = pos
            let first = try parseClassAtom()
            if peek() == 0x2D, let next = peek(1), next != 0x5D {
                pos += 1  // -
                let second = try parseClassAtom()
                switch (first, second) {
                case (.scalar(let a), .scalar(let b)):
                    if a > b { throw error("range out of order in character class", at: atomStart) }
                    spec.ranges.append(a...b)
                default:
                    if unicode { throw error("invalid character class range", at: atomStart) }
                    add(first, to: &spec)
                    add(second, to: &spec)
                    spec.ranges.append(0x2D...0x2D)
                }
            } else {
                add(first, to: &spec)
            }
        }
    }

    private func add(_ atom: ClassAtom, to spec: inout ClassSpec) {
        switch atom {
        case .scalar(let c): spec.ranges.append(c...c)
        case .set(let set):
            spec.ranges += set.ranges
            spec.properties += set.properties
        }
    }

    private mutating func parseClassAtom() throws(ECMARegexError) -> ClassAtom {
        let start = pos
        let c = scalars[pos]
        guard c == 0x5C else {
            pos += 1
            return .scalar(c)
        }
        pos += 1
        guard let e = peek() else { throw error("\\ at end of pattern", at: start) }
        if let spec = try parseClassEscape() { return .set(spec) }
        switch e {
        case 0x62:  // \b
            pos += 1
            return .scalar(0x08)
        case 0x31...0x39:
            if unicode { throw error("invalid class escape", at: start) }
            if e >= 0x38 {
                pos += 1
                return .scalar(e)
            }
            return .scalar(parseLegacyOctal())
        case 0x6B where !unicode:  // \k
            pos += 1
            return .scalar(e)
        default:
            return .scalar(try parseCharacterEscape(inClass: true, start: start))
        }
    }
}
