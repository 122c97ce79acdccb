/// One match of an ``ECMARegex`` in a string.
public struct ECMARegexMatch: Sendable, Equatable {
    /// The range of the whole match.
    public var range: Range<String.Index>
    /// The ranges of the capture groups; index 0 is group 1. `nil` for a group that did not participate.
    public var captures: [Range<String.Index>?]

    public init(range: Range<String.Index>, captures: [Range<String.Index>?]) {
        self.range = range
        self.captures = captures
    }

    /// The matched text. Indices are Unicode-scalar aligned, so the slice is taken on the scalar view.
    public func text(in string: String) -> Substring {
        Substring(string.unicodeScalars[range])
    }

    /// The text of capture group `group` (1-based), or `nil` if it did not participate.
    public func text(ofGroup group: Int, in string: String) -> Substring? {
        guard group >= 1, group <= captures.count, let range = captures[group - 1] else { return nil }
        return Substring(string.unicodeScalars[range])
    }
}
