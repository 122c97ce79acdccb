import SwitchboardCore

/// A filtered listing paginated by key: `WHERE` conditions, the cursor's position as one more condition,
/// `LIMIT n + 1` to learn whether a next page exists, and the next cursor built from the last item's key.
struct KeysetQuery {
    private var conditions: [String] = []
    private var binds: [SQLValue] = []

    /// Adds `condition` (with one `?`) bound to `value`.
    mutating func filter(_ condition: String, _ value: SQLValue) {
        conditions.append(condition)
        binds.append(value)
    }

    /// Continues after the position a cursor holds (one string key) in `column`'s order. `isKey` tells the listing's
    /// keys from others: a cursor of another listing (an events cursor given to the executions log) or a made-up one
    /// is refused rather than read as a position, which would answer an empty or arbitrary page.
    mutating func after(
        _ cursor: Cursor?, column: String, descending: Bool, isKey: (String) -> Bool = { !$0.isEmpty }
    ) throws(SwitchboardError) {
        guard let cursor else { return }
        guard cursor.position.count == 1, let last = cursor.position[0].stringValue, isKey(last) else {
            throw SwitchboardError.badRequest("the cursor is not one this server issued", code: "INVALID_CURSOR")
        }
        filter("\(column) \(descending ? "<" : ">") ?", .text(last))
    }

    /// Runs `select` (everything before `WHERE`) with the conditions, ordered by `orderBy`, and returns one page.
    func page<Item: Sendable>(
        _ db: any SQLDatabase, select: String, orderBy: String, limit: Int, decode: (SQLRow) throws -> Item, key: (Item) -> String
    ) async throws -> Page<Item> {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var items = try await db.query("\(select) \(whereClause) ORDER BY \(orderBy) LIMIT ?", binds + [.int(Int64(limit + 1))]).map(decode)
        var next: String?
        if items.count > limit {
            items.removeLast()
            next = items.last.map { Cursor(position: [.string(key($0))]).encoded }
        }
        return Page(items: items, nextCursor: next)
    }
}
