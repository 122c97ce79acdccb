/// The parsed form of a pattern, before compilation.
indirect enum Node {
    /// Matches nothing, always succeeds.
    case empty
    /// A literal Unicode scalar.
    case char(UInt32)
    /// A character class (including `.`, `\d`, `\p{..}`, `[...]`).
    case charClass(ClassSpec)
    /// A character class already compiled into the program's set table (made by the compiler,
    /// so that repetitions expanded into copies share one set).
    case setRef(Int32)
    /// Terms matched one after another.
    case sequence([Node])
    /// Alternatives tried left to right.
    case alternation([Node])
    /// A group; `capture` is the 1-based group number for capturing groups.
    case group(Node, capture: Int?)
    /// A backreference to a group number.
    case backreference(Int)
    /// `^`, `$`, `\b`, `\B`.
    case assertion(AssertionKind)
    /// A lookahead or lookbehind.
    case look(Node, behind: Bool, negative: Bool)
    /// A quantified term. `max == nil` means unbounded.
    case quantified(Node, min: Int, max: Int?, greedy: Bool, offset: Int)
}

/// The zero-width assertions that are not lookarounds.
enum AssertionKind {
    case start, end, wordBoundary, notWordBoundary
}

extension Node {
    /// The capture groups inside this node, as a closed range of group numbers, or nil.
    var captureRange: ClosedRange<Int>? {
        var lo = Int.max
        var hi = Int.min
        collectCaptures(&lo, &hi)
        return lo <= hi ? lo...hi : nil
    }

    private func collectCaptures(_ lo: inout Int, _ hi: inout Int) {
        switch self {
        case .empty, .char, .charClass, .setRef, .backreference, .assertion: break
        case .sequence(let nodes), .alternation(let nodes):
            for node in nodes { node.collectCaptures(&lo, &hi) }
        case .group(let node, let capture):
            if let capture {
                lo = min(lo, capture)
                hi = max(hi, capture)
            }
            node.collectCaptures(&lo, &hi)
        case .look(let node, _, _): node.collectCaptures(&lo, &hi)
        case .quantified(let node, _, _, _, _): node.collectCaptures(&lo, &hi)
        }
    }

    /// Whether the node can match the empty string (conservative: true when unsure).
    var canMatchEmpty: Bool {
        switch self {
        case .empty, .assertion, .look, .backreference: true
        case .char, .charClass, .setRef: false
        case .sequence(let nodes): nodes.allSatisfy(\.canMatchEmpty)
        case .alternation(let nodes): nodes.contains(where: \.canMatchEmpty)
        case .group(let node, _): node.canMatchEmpty
        case .quantified(let node, let min, _, _, _): min == 0 || node.canMatchEmpty
        }
    }
}
