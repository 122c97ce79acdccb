/// Simple case folding (Unicode `CaseFolding.txt` statuses C and S), as used by ECMA-262
/// `Canonicalize` when the `u` flag is set.
///
/// The table is derived once from the Swift standard library's case mappings:
/// `fold(c) = lower(upper(c))`, each step applied only when it maps to a single scalar,
/// with the Turkic dotted/dotless i kept apart as CaseFolding.txt does.
enum CaseFolding {
    /// The folding of every scalar whose fold differs from itself, and the reverse mapping.
    struct Table: Sendable {
        var fold: [UInt32: UInt32] = [:]
        var inverse: [UInt32: [UInt32]] = [:]
    }

    static let table: Table = buildTable()

    /// The simple case fold of `c`.
    @inline(__always)
    static func fold(_ c: UInt32) -> UInt32 {
        if c < 0x80 {
            return c &- 0x41 < 26 ? c | 0x20 : c
        }
        return table.fold[c] ?? c
    }

    /// All scalars that fold to the same value as `c`, including `c`.
    static func equivalents(of c: UInt32) -> [UInt32] {
        let f = fold(c)
        var result = [f]
        if let others = table.inverse[f] { result += others }
        return result
    }

    private static func single(_ s: String) -> UInt32? {
        var it = s.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first.value
    }

    private static func computeFold(_ scalar: Unicode.Scalar) -> UInt32 {
        let c = scalar.value
        if c == 0x130 || c == 0x131 { return c }
        let props = scalar.properties
        var upper = c
        if props.changesWhenUppercased, let u = single(props.uppercaseMapping) { upper = u }
        guard let upperScalar = Unicode.Scalar(upper) else { return c }
        if let l = single(upperScalar.properties.lowercaseMapping) { return l }
        return upper
    }

    private static func buildTable() -> Table {
        var table = Table()
        for c in UInt32(0x80)...0x1FFFF {
            guard let scalar = Unicode.Scalar(c), scalar.properties.changesWhenCaseMapped else { continue }
            let f = computeFold(scalar)
            if f != c {
                table.fold[c] = f
                table.inverse[f, default: []].append(c)
            }
        }
        // ASCII letters: fold to lowercase; uppercase ASCII letters are inverses of lowercase.
        for c in UInt32(0x41)...0x5A {
            table.inverse[c | 0x20, default: []].append(c)
        }
        // Non-ASCII scalars folding onto ASCII (e.g. U+212A KELVIN SIGN -> k) are recorded above.
        return table
    }

    /// Extends `ranges` (sorted, merged) with every scalar that is case-equivalent to a member
    /// of the set described by `ranges` and `properties`.
    private static func rangesContain(_ ranges: [ClosedRange<UInt32>], _ c: UInt32) -> Bool {
        CharSet.rangesContain(ranges, c)
    }

    static func close(ranges: [ClosedRange<UInt32>], properties: [(UnicodeProperty, Bool)]) -> [ClosedRange<UInt32>] {
        func member(_ c: UInt32) -> Bool {
            if rangesContain(ranges, c) { return true }
            for (property, negated) in properties where property.contains(c) != negated { return true }
            return false
        }
        var extra: [ClosedRange<UInt32>] = []
        let size = ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
        if properties.isEmpty && size <= 512 {
            // Small explicit sets: look up each member's equivalence class directly.
            for range in ranges {
                for c in range {
                    for other in equivalents(of: c) where !rangesContain(ranges, other) { extra.append(other...other) }
                }
            }
            return CharSet.normalize(ranges + extra)
        }
        var visited = Set<UInt32>()
        // Every non-trivial equivalence class has a fold target f with inverse[f] non-empty.
        for (f, others) in table.inverse where !visited.contains(f) {
            visited.insert(f)
            let all = [f] + others
            if all.contains(where: member) {
                for c in all where !member(c) { extra.append(c...c) }
            }
        }
        return CharSet.normalize(ranges + extra)
    }
}
