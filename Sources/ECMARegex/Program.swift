/// One instruction of the backtracking virtual machine.
///
/// Positions are UTF-8 byte offsets; every consuming instruction reads one Unicode scalar.
/// The `Back` variants read right to left and are used inside lookbehind.
enum Inst: Sendable {
    /// A literal scalar.
    case char(UInt32)
    case charBack(UInt32)
    /// A scalar in `sets[index]`.
    case set(Int32)
    case setBack(Int32)
    /// Repeats a single-scalar set `min...max` times (`max < 0`: unbounded) with one backtrack frame.
    case repeatSet(set: Int32, min: Int32, max: Int32, greedy: Bool, back: Bool)
    /// Continue at the first target; on backtrack resume at the second.
    case split(Int32, Int32)
    case jump(Int32)
    /// Records the position in a capture slot (restored on backtrack).
    case save(Int32)
    /// Resets capture slots `lo..<hi` to unset (start of a quantifier iteration).
    case clear(Int32, Int32)
    case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary
    /// Matches the text of a capture group again.
    case backref(Int32, back: Bool)
    /// Records the position in a register / fails if the position did not move since (empty-loop check).
    case mark(Int32)
    case progress(Int32)
    /// A lookaround whose body follows; `end` is the instruction after its `lookEnd`.
    /// Capture slots `slotLo..<slotHi` belong to the body.
    case look(negative: Bool, end: Int32, slotLo: Int32, slotHi: Int32)
    case lookEnd
    case match
}

/// Where a set's non-ASCII data lives in the program's flat tables.
struct SetLayout {
    /// Offset (in scalars) of the set's (lower, upper) pairs in ``Program/rangeData``, and the number of pairs.
    var rangeStart: Int
    var rangeCount: Int
    /// Offset of the set's Latin bitmap in ``Program/latinData``, or -1.
    var latinStart: Int
    var negated: Bool
    var hasProperties: Bool
}

/// ASCII bitmap of the scalars a match can start with.
struct FirstSet: Sendable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    /// Whether a non-ASCII scalar can start a match.
    var nonASCII = false

    mutating func formUnion(_ other: FirstSet) {
        low |= other.low
        high |= other.high
        nonASCII = nonASCII || other.nonASCII
    }

    @inline(__always)
    func containsASCII(_ b: UInt8) -> Bool {
        b < 64 ? low & (1 << UInt64(b)) != 0 : high & (1 << UInt64(b &- 64)) != 0
    }
}

/// A compiled pattern: immutable and shared between copies of an ``ECMARegex``.
///
/// The tables live in buffers owned by the program so a search reads them without retaining
/// arrays. `@unchecked Sendable`: the buffers are written once in `init` and only read afterwards.
final class Program: @unchecked Sendable {
    let instructions: UnsafeBufferPointer<Inst>
    let sets: UnsafeBufferPointer<CharSet>
    /// Each set's ASCII bitmap (two words per set), flattened for the matcher's hot path.
    let asciiBits: UnsafeBufferPointer<UInt64>
    /// Non-ASCII membership data of every set, flattened (see ``SetLayout``).
    let layouts: UnsafeBufferPointer<SetLayout>
    let rangeData: UnsafeBufferPointer<UInt32>
    let latinData: UnsafeBufferPointer<UInt64>
    /// Two slots per group (group 0 is the whole match), then the empty-loop registers.
    let slotCount: Int
    let captureCount: Int
    let firstSet: FirstSet?
    /// The pattern can only match at position 0 (`^` without multiline in every alternative).
    let anchoredAtStart: Bool
    /// When the program starts with an unbounded greedy repetition of this set, a failed attempt
    /// at `s` also rules out every start inside the run that the repetition consumed from `s`
    /// (those starts reach a subset of the same end positions), so the search skips the run.
    let leadingRunSet: Int?
    /// The case equivalence for backreferences, when ignoring case.
    let caseFolding: CaseFolding?
    /// `\b` treats U+017F and U+212A as word characters (`iu` mode).
    let foldedWordCharacters: Bool

    init(
        instructions: [Inst], sets: [CharSet], slotCount: Int, captureCount: Int, firstSet: FirstSet?,
        anchoredAtStart: Bool, caseFolding: CaseFolding?, foldedWordCharacters: Bool
    ) {
        self.instructions = Program.copy(instructions)
        self.sets = Program.copy(sets)
        self.asciiBits = Program.copy(sets.flatMap { [$0.asciiLow, $0.asciiHigh] })
        var layouts: [SetLayout] = []
        var rangeData: [UInt32] = []
        var latinData: [UInt64] = []
        for set in sets {
            layouts.append(
                SetLayout(
                    rangeStart: rangeData.count, rangeCount: set.ranges.count / 2,
                    latinStart: set.latinBits.isEmpty ? -1 : latinData.count, negated: set.negated,
                    hasProperties: !set.properties.isEmpty))
            rangeData += set.ranges
            latinData += set.latinBits
        }
        self.layouts = Program.copy(layouts)
        self.rangeData = Program.copy(rangeData)
        self.latinData = Program.copy(latinData)
        self.slotCount = slotCount
        self.captureCount = captureCount
        self.firstSet = firstSet
        self.anchoredAtStart = anchoredAtStart
        if case .repeatSet(let set, _, -1, true, false) = instructions.first {
            self.leadingRunSet = Int(set)
        } else {
            self.leadingRunSet = nil
        }
        self.caseFolding = caseFolding
        self.foldedWordCharacters = foldedWordCharacters
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: instructions).deallocate()
        let sets = UnsafeMutableBufferPointer(mutating: sets)
        _ = sets.deinitialize()
        sets.deallocate()
        UnsafeMutableBufferPointer(mutating: asciiBits).deallocate()
        UnsafeMutableBufferPointer(mutating: layouts).deallocate()
        UnsafeMutableBufferPointer(mutating: rangeData).deallocate()
        UnsafeMutableBufferPointer(mutating: latinData).deallocate()
    }

    private static func copy<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeBufferPointer(rebasing: buffer[0..<array.count])
    }
}
