import ECMARegex

/// Runs a compiled `pattern`: plain literals and `^literal` prefixes without the regex engine.
enum Patterns {
    /// `nil` when the regular expression exceeded its step budget.
    @inline(__always)
    static func matches(_ pattern: CompiledPattern, _ string: String) -> Bool? {
        if let prefix = pattern.prefix { return string.utf8.starts(with: prefix.utf8) }
        if let literal = pattern.literal { return contains(string, literal) }
        if let simple = pattern.simple { return simple.matches(string) }
        do {
            return try pattern.regex.matches(string)
        } catch {
            return nil
        }
    }

    /// Substring search on UTF-8 bytes (code-point exact, unlike `Character` comparison).
    static func contains(_ string: String, _ needle: String) -> Bool {
        let haystack = Array(string.utf8)
        let target = Array(needle.utf8)
        if target.isEmpty { return true }
        guard haystack.count >= target.count else { return false }
        for start in 0...(haystack.count - target.count) where haystack[start] == target[0] {
            if haystack[start..<(start + target.count)].elementsEqual(target) { return true }
        }
        return false
    }

    /// Runs the regular-expression engine only, bypassing the fast paths (for comparing them in tests).
    static func matchesWithEngine(_ pattern: CompiledPattern, _ string: String) -> Bool? {
        try? pattern.regex.matches(string)
    }

    /// Compiles `source` as `pattern` does (ECMA-262, Unicode mode); `nil` if it is not a valid regular expression.
    static func compile(_ source: String) -> CompiledPattern? {
        guard let regex = try? ECMARegex(source, options: [.unicode]) else { return nil }
        return CompiledPattern(
            source: source, regex: regex, literal: NodeBuilder.literal(source), prefix: NodeBuilder.anchoredPrefix(source),
            simple: SimplePattern(source))
    }
}
