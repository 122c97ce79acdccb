/// Simple case folding (Unicode `CaseFolding.txt` statuses C and S), as used by ECMA-262
/// `Canonicalize` when the `u` flag is set. The data is in ``CaseFoldingData``.
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

    private static func buildTable() -> Table {
        var table = Table()
        let numbers = CaseFoldingData.pairs.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt32($0, radix: 16) }
        for i in stride(from: 0, to: numbers.count - 1, by: 2) {
            let (c, f) = (numbers[i], numbers[i + 1])
            table.fold[c] = f
            table.inverse[f, default: []].append(c)
        }
        // ASCII letters fold to lowercase; the uppercase letters are inverses of the lowercase ones.
        for c in UInt32(0x41)...0x5A {
            table.inverse[c | 0x20, default: []].append(c)
        }
        return table
    }

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
        // Every non-trivial equivalence class has a fold target f with inverse[f] non-empty.
        for (f, others) in table.inverse {
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
