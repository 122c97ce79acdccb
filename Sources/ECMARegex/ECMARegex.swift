/// An ECMA-262 (JavaScript) regular expression, compiled once and matched by a backtracking VM.
///
/// Matching is by Unicode scalar (code point) in every mode, as JavaScript does with the `u`
/// flag: an astral character is one character for `.`, classes and quantifiers. Without
/// ``Options/unicode`` the parser accepts the Annex B leniencies (identity escapes such as
/// `\a`, literal `{` `}` `]`, legacy octal, `\c` fallbacks, quantified lookahead) but still
/// matches by scalar, so a pattern cannot match half of a surrogate pair.
///
/// Case-insensitive matching follows ECMA-262 `Canonicalize`: simple case folding with `u`,
/// `toUppercase` without it. `\p{...}` supports general categories, binary properties and
/// scripts (`Script_Extensions` is treated as `Script`). The `v` flag is not supported.
///
/// ```swift
/// let email = try ECMARegex(#"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$"#, flags: "u")
/// try email.matches("ada@example.org")   // true
/// ```
///
/// Hostile input is bounded: every search is limited by ``maxSteps`` (plus a linear allowance per
/// input byte) and throws ``ECMARegexError/tooComplex(pattern:)`` instead of hanging; patterns
/// longer than 100,000 scalars, nested deeper than 48 groups or expanding to more than 250,000
/// instructions are syntax errors. Matching uses an explicit backtrack stack, never recursion on
/// the input length.
public struct ECMARegex: Sendable {
    /// The flags of a regular expression (`g` is the caller's business).
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// `i`: case-insensitive (simple case folding).
        public static let ignoreCase = Options(rawValue: 1 << 0)
        /// `m`: `^` and `$` also match at line terminators.
        public static let multiline = Options(rawValue: 1 << 1)
        /// `s`: `.` also matches line terminators.
        public static let dotAll = Options(rawValue: 1 << 2)
        /// `u`: strict Unicode-mode syntax and `\p{...}`.
        public static let unicode = Options(rawValue: 1 << 3)
        /// `y`: matches only at the start position.
        public static let sticky = Options(rawValue: 1 << 4)
    }

    /// The pattern source text.
    public let pattern: String
    /// The options the pattern was compiled with.
    public let options: Options
    /// Step budget per search call; exceeding it throws ``ECMARegexError/tooComplex(pattern:)``.
    ///
    /// A step is one VM instruction, one backtrack frame pushed or popped, or one character scanned by a repetition.
    /// Each search also gets a linear allowance of ``stepsPerInputByte`` steps per UTF-8 byte of
    /// input, so that long inputs with simple patterns never fail while superlinear backtracking does.
    public var maxSteps: Int = 1_000_000

    /// The per-byte allowance added to ``maxSteps`` for each search.
    public static let stepsPerInputByte = 16

    private let program: Program
    /// Number of capture groups.
    public let captureCount: Int
    /// Named group to its 1-based group number.
    public let groupNames: [String: Int]

    /// Compiles `pattern`; syntax errors are thrown here.
    public init(_ pattern: String, options: Options = []) throws(ECMARegexError) {
        var parser = Parser(
            pattern, unicode: options.contains(.unicode), dotAll: options.contains(.dotAll),
            ignoreCase: options.contains(.ignoreCase))
        let node = try parser.parse()
        self.pattern = pattern
        self.options = options
        self.captureCount = parser.groupCount
        self.groupNames = parser.groupNames
        self.program = try Compiler.compile(node, captureCount: parser.groupCount, options: options)
    }

    /// Compiles `pattern` with JavaScript flag letters (`"dgimsuy"`); an unknown or repeated flag is an error.
    ///
    /// `g` and `d` are accepted and ignored (iteration and index reporting are the caller's business);
    /// `v` (unicodeSets) is not supported and is rejected as an unknown flag.
    public init(_ pattern: String, flags: String) throws(ECMARegexError) {
        var options: Options = []
        for (index, flag) in flags.enumerated() {
            let option: Options
            switch flag {
            case "g", "d": continue  // global and hasIndices only change how callers iterate and report
            case "i": option = .ignoreCase
            case "m": option = .multiline
            case "s": option = .dotAll
            case "u": option = .unicode
            case "y": option = .sticky
            default: throw .syntax(message: "invalid flag '\(flag)'", offset: index)
            }
            if options.contains(option) { throw .syntax(message: "duplicate flag '\(flag)'", offset: index) }
            options.insert(option)
        }
        try self.init(pattern, options: options)
    }

    // MARK: - Matching

    /// Unanchored search, as `RegExp.prototype.test`.
    public func matches(_ string: String) throws(ECMARegexError) -> Bool {
        try withSearch(in: string, from: 0) { _ in () } != nil
    }

    /// First match at or after `start`, as `RegExp.prototype.exec` with `lastIndex`.
    public func firstMatch(in string: String, from start: String.Index? = nil) throws(ECMARegexError) -> ECMARegexMatch? {
        var offset = 0
        if let start {
            guard start <= string.endIndex else { return nil }
            offset = string.utf8.distance(from: string.utf8.startIndex, to: start)
        }
        return try withSearch(in: string, from: offset) { slots in makeMatch(slots, in: string) }
    }

    /// All non-overlapping matches, as `String.prototype.matchAll`; an empty match advances by one scalar.
    public func allMatches(in string: String) throws(ECMARegexError) -> [ECMARegexMatch] {
        var results: [ECMARegexMatch] = []
        var offset = 0
        let length = string.utf8.count
        while offset <= length {
            guard let (match, end) = try withSearch(in: string, from: offset, { slots in (makeMatch(slots, in: string), slots[1]) })
            else { break }
            results.append(match)
            if end == string.utf8.distance(from: string.utf8.startIndex, to: match.range.lowerBound) {
                if end >= length { break }
                // An empty match advances by one scalar (AdvanceStringIndex in u mode).
                let index = string.utf8.index(string.utf8.startIndex, offsetBy: end)
                offset = string.utf8.distance(from: string.utf8.startIndex, to: string.unicodeScalars.index(after: index))
            } else {
                offset = end
            }
        }
        return results
    }

    // MARK: - Internals

    private func makeMatch(_ slots: UnsafeMutablePointer<Int>, in string: String) -> ECMARegexMatch {
        let utf8 = string.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        var captures: [Range<String.Index>?] = []
        captures.reserveCapacity(captureCount)
        for group in stride(from: 1, through: captureCount, by: 1) {
            let s = slots[2 * group]
            let e = slots[2 * group + 1]
            captures.append(s >= 0 && e >= 0 ? index(s)..<index(e) : nil)
        }
        return ECMARegexMatch(range: index(slots[0])..<index(slots[1]), captures: captures)
    }

    /// Runs one search from byte offset `from`; calls `body` with the slots on success.
    private func withSearch<R>(
        in string: String, from: Int, _ body: (UnsafeMutablePointer<Int>) -> R
    ) throws(ECMARegexError) -> R? {
        var copy = string
        let program = self.program
        let maxSteps = self.maxSteps.addingReportingOverflow(string.utf8.count &* ECMARegex.stepsPerInputByte)
        let budget = maxSteps.overflow ? Int.max : maxSteps.partialValue
        let sticky = options.contains(.sticky)
        let outcome: (SearchResult, R?) = copy.withUTF8 { text in
            withExtendedLifetime(program) {
                withUnsafeTemporaryAllocation(of: Int.self, capacity: program.slotCount) { slots in
                    withUnsafeTemporaryAllocation(of: Frame.self, capacity: 24) { stack in
                        var matcher = Matcher(text: text, program: program, slots: slots.baseAddress!, stack: stack, maxSteps: budget)
                        defer { matcher.releaseStack() }
                        let result = matcher.search(from: from, sticky: sticky)
                        return (result, result == .found ? body(slots.baseAddress!) : nil)
                    }
                }
            }
        }
        switch outcome.0 {
        case .found: return outcome.1
        case .notFound: return nil
        case .tooComplex: throw .tooComplex(pattern: pattern)
        }
    }
}
