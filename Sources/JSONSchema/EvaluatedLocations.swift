/// The annotations `unevaluatedProperties` and `unevaluatedItems` need: which members and items of
/// one instance some keyword has already evaluated. Only built for schemas that use those keywords.
struct EvaluatedLocations {
    /// Bit `i` set: the member at position `i` of the object was evaluated.
    var properties: [UInt64] = []
    var allProperties = false
    /// Items `0..<itemPrefix` were evaluated (`prefixItems`).
    var itemPrefix = 0
    var allItems = false
    /// Bit `i` set: item `i` was evaluated (`contains`).
    var items: [UInt64] = []

    @inline(__always)
    static func isSet(_ bits: [UInt64], _ i: Int) -> Bool {
        let word = i >> 6
        return word < bits.count && bits[word] & (1 << UInt64(i & 63)) != 0
    }

    @inline(__always)
    static func set(_ bits: inout [UInt64], _ i: Int) {
        let word = i >> 6
        if word >= bits.count { bits.append(contentsOf: repeatElement(0, count: word - bits.count + 1)) }
        bits[word] |= 1 << UInt64(i & 63)
    }

    func isPropertyEvaluated(_ i: Int) -> Bool { allProperties || Self.isSet(properties, i) }
    func isItemEvaluated(_ i: Int) -> Bool { allItems || i < itemPrefix || Self.isSet(items, i) }
    mutating func markProperty(_ i: Int) { Self.set(&properties, i) }
    mutating func markItem(_ i: Int) { Self.set(&items, i) }

    mutating func merge(_ other: EvaluatedLocations) {
        allProperties = allProperties || other.allProperties
        allItems = allItems || other.allItems
        itemPrefix = max(itemPrefix, other.itemPrefix)
        for (w, bits) in other.properties.enumerated() {
            if w >= properties.count { properties.append(bits) } else { properties[w] |= bits }
        }
        for (w, bits) in other.items.enumerated() {
            if w >= items.count { items.append(bits) } else { items[w] |= bits }
        }
    }
}
