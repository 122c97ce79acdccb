/// An error raised while compiling or running an ``ECMARegex``.
public enum ECMARegexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern is not a valid ECMA-262 regular expression (or exceeds a size limit).
    ///
    /// `offset` counts Unicode scalars from the start of the pattern.
    case syntax(message: String, offset: Int)
    /// The search exceeded ``ECMARegex/maxSteps`` (catastrophic backtracking).
    case tooComplex(pattern: String)

    /// A stable machine-readable code for the error.
    public var code: String {
        switch self {
        case .syntax: "REGEX_SYNTAX"
        case .tooComplex: "REGEX_TOO_COMPLEX"
        }
    }

    public var description: String {
        switch self {
        case .syntax(let message, let offset):
            "invalid regular expression: \(message) at offset \(offset)"
        case .tooComplex(let pattern):
            "regular expression /\(pattern.count > 80 ? String(pattern.prefix(80)) + "…" : pattern)/ exceeded its step budget"
        }
    }
}
