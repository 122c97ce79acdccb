/// A character class as written in the pattern, before case closure and compilation.
struct ClassSpec {
    /// Scalar ranges (unsorted, possibly overlapping).
    var ranges: [ClosedRange<UInt32>] = []
    /// Unicode properties; the flag is true for `\P{...}`.
    var properties: [(UnicodeProperty, Bool)] = []
    /// `[^...]`.
    var negated = false

    static let maxScalar: UInt32 = 0x10FFFF

    /// Identifies equal specs, so a pattern that repeats a class compiles it once.
    struct Key: Hashable {
        var bounds: [UInt32]
        var properties: [UnicodeProperty]
        var inverted: [Bool]
        var negated: Bool
    }

    var key: Key {
        Key(
            bounds: ranges.flatMap { [$0.lowerBound, $0.upperBound] }, properties: properties.map(\.0),
            inverted: properties.map(\.1), negated: negated)
    }

    /// The complement of a sorted set of ranges.
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in CharSet.normalize(ranges) {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            if range.upperBound == maxScalar { return result }
            next = range.upperBound + 1
        }
        result.append(next...maxScalar)
        return result
    }

    static let digitRanges: [ClosedRange<UInt32>] = [0x30...0x39]
    static let wordRanges: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// `\w` under `iu`: also the scalars whose case fold is a word character (U+017F, U+212A).
    static let wordRangesFolded: [ClosedRange<UInt32>] = wordRanges + [0x17F...0x17F, 0x212A...0x212A]
    static let spaceRanges: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
        0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ]
    static let lineTerminators: [ClosedRange<UInt32>] = [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]
}

/// A compiled character class: an ASCII bitmap plus sorted non-ASCII ranges and properties.
struct CharSet: Sendable {
    /// Membership of scalars 0..<64 and 64..<128 (final answer, negation applied).
    var asciiLow: UInt64 = 0
    var asciiHigh: UInt64 = 0
    /// Sorted, disjoint ranges of scalars >= 0x80, as flat (lower, upper) pairs.
    var ranges: [UInt32] = []
    var properties: [(UnicodeProperty, Bool)] = []
    var negated = false
    /// For sets with properties: final membership of U+0080..<U+0300 (Latin-1 and Latin Extended),
    /// so accented Latin text does not pay for a property lookup per scalar.
    var latinBits: [UInt64] = []
    static let latinLimit: UInt32 = 0x300

    /// Compiles `spec`; with `caseFolding`, the set is closed under case equivalence.
    init(_ spec: ClassSpec, caseFolding: CaseFolding?) {
        var merged = CharSet.normalize(spec.ranges)
        if let caseFolding {
            merged = caseFolding.close(ranges: merged, properties: spec.properties)
        }
        properties = spec.properties
        negated = spec.negated
        for range in merged where range.upperBound >= 0x80 {
            ranges.append(max(range.lowerBound, 0x80))
            ranges.append(range.upperBound)
        }
        for c in UInt32(0)..<128 where isMember(c, merged) != negated {
            if c < 64 { asciiLow |= 1 << UInt64(c) } else { asciiHigh |= 1 << UInt64(c - 64) }
        }
        if !properties.isEmpty {
            latinBits = Array(repeating: 0, count: Int(CharSet.latinLimit - 0x80) / 64)
            for c in UInt32(0x80)..<CharSet.latinLimit where isMember(c, merged) != negated {
                let bit = Int(c - 0x80)
                latinBits[bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
    }

    private func isMember(_ c: UInt32, _ merged: [ClosedRange<UInt32>]) -> Bool {
        if CharSet.rangesContain(merged, c) { return true }
        for (property, inverted) in properties where property.contains(c) != inverted { return true }
        return false
    }

    /// Whether the set contains the ASCII scalar `c` (`c < 128`).
    @inline(__always)
    func containsASCII(_ c: UInt32) -> Bool {
        c < 64 ? asciiLow & (1 << UInt64(c)) != 0 : asciiHigh & (1 << UInt64(c &- 64)) != 0
    }

    /// Whether the set contains `c`.
    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        c < 128 ? containsASCII(c) : containsNonASCII(c)
    }

    func containsNonASCII(_ c: UInt32) -> Bool {
        if c < CharSet.latinLimit && !latinBits.isEmpty {
            let bit = Int(c - 0x80)
            return latinBits[bit / 64] & (1 << UInt64(bit % 64)) != 0
        }
        var lo = 0
        var hi = ranges.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[2 * mid + 1] < c {
                lo = mid + 1
            } else if ranges[2 * mid] > c {
                hi = mid
            } else {
                return !negated
            }
        }
        return propertiesContain(c) != negated
    }

    /// Whether one of the (possibly inverted) properties holds for `c`, ignoring `negated`.
    func propertiesContain(_ c: UInt32) -> Bool {
        for (property, inverted) in properties where property.contains(c) != inverted { return true }
        return false
    }

    /// Whether every scalar is a member (e.g. `[^]` or `.` with dotAll).
    var matchesEverything: Bool {
        asciiLow == .max && asciiHigh == .max && !negated && properties.isEmpty && ranges == [0x80, ClassSpec.maxScalar]
    }

    /// Sorts and merges ranges.
    static func normalize(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = result.last, range.lowerBound <= last.upperBound &+ 1 {
                if range.upperBound > last.upperBound { result[result.count - 1] = last.lowerBound...range.upperBound }
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// Binary search in sorted, merged ranges.
    static func rangesContain(_ ranges: [ClosedRange<UInt32>], _ c: UInt32) -> Bool {
        var lo = 0
        var hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c {
                lo = mid + 1
            } else if ranges[mid].lowerBound > c {
                hi = mid
            } else {
                return true
            }
        }
        return false
    }
}
