/// Case-insensitive equivalence as ECMA-262 `Canonicalize` defines it.
///
/// - With the `u` flag: simple case folding (Unicode `CaseFolding.txt` statuses C and S),
///   from ``CaseFoldingData``.
/// - Without it: `toUppercase` when that gives a single BMP scalar, except that a non-ASCII
///   scalar never maps onto ASCII (so U+017F LONG S does not match `s`); astral scalars are
///   never folded (JavaScript sees them as two surrogate code units). From ``LegacyCaseData``.
struct CaseFolding: Sendable {
    /// The canonical value of every scalar >= U+0080 whose canonical value differs from itself.
    private var canonical: [UInt32: UInt32] = [:]
    /// Canonical value to the other scalars that map to it (ASCII included).
    private var inverse: [UInt32: [UInt32]] = [:]
    /// ASCII letters canonicalize to uppercase (legacy) instead of lowercase (Unicode).
    private var asciiUppercase = false

    /// The `u`-mode folding.
    static let unicode = CaseFolding(pairs: CaseFoldingData.pairs, asciiUppercase: false)
    /// The non-`u` (legacy) canonicalization.
    static let legacy = CaseFolding(pairs: LegacyCaseData.pairs, asciiUppercase: true)

    static func forMode(unicode: Bool) -> CaseFolding { unicode ? .unicode : .legacy }

    private init(pairs: String, asciiUppercase: Bool) {
        self.asciiUppercase = asciiUppercase
        let numbers = pairs.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt32($0, radix: 16) }
        for i in stride(from: 0, to: numbers.count - 1, by: 2) {
            add(numbers[i], numbers[i + 1])
        }
        for c in UInt32(0x41)...0x5A {
            if asciiUppercase {
                inverse[c, default: []].append(c | 0x20)
            } else {
                inverse[c | 0x20, default: []].append(c)
            }
        }
    }

    private mutating func add(_ c: UInt32, _ target: UInt32) {
        canonical[c] = target
        inverse[target, default: []].append(c)
    }

    /// The canonical value of `c`.
    @inline(__always)
    func fold(_ c: UInt32) -> UInt32 {
        if c < 0x80 {
            if asciiUppercase { return c &- 0x61 < 26 ? c & ~0x20 : c }
            return c &- 0x41 < 26 ? c | 0x20 : c
        }
        return canonical[c] ?? c
    }

    /// All scalars with the same canonical value as `c`, including `c`.
    func equivalents(of c: UInt32) -> [UInt32] {
        let f = fold(c)
        var result = [f]
        if let others = inverse[f] { result += others }
        return result
    }

    /// Extends `ranges` (sorted, merged) with every scalar that is case-equivalent to a member
    /// of the set described by `ranges` and `properties`.
    func close(ranges: [ClosedRange<UInt32>], properties: [(UnicodeProperty, Bool)]) -> [ClosedRange<UInt32>] {
        var extra: [ClosedRange<UInt32>] = []
        let size = ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
        if properties.isEmpty && size <= 512 {
            // Small explicit sets: look up each member's equivalence class directly.
            for range in ranges {
                for c in range {
                    for other in equivalents(of: c) where !CharSet.rangesContain(ranges, other) { extra.append(other...other) }
                }
            }
            return CharSet.normalize(ranges + extra)
        }
        func member(_ c: UInt32) -> Bool {
            if CharSet.rangesContain(ranges, c) { return true }
            for (property, negated) in properties where property.contains(c) != negated { return true }
            return false
        }
        // Every non-trivial equivalence class has a canonical value f with inverse[f] non-empty.
        for (f, others) in inverse {
            let fIsMember = member(f)
            var anyMember = fIsMember
            if !anyMember {
                for c in others where member(c) {
                    anyMember = true
                    break
                }
            }
            guard anyMember else { continue }
            if !fIsMember { extra.append(f...f) }
            for c in others where !member(c) { extra.append(c...c) }
        }
        return CharSet.normalize(ranges + extra)
    }
}
