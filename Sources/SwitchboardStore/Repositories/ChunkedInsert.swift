/// A multi-row INSERT in a few fixed chunk sizes (largest first, down to one row), so every chunk of a batch runs one
/// of a handful of statements the database keeps prepared. Chunking by a single maximum instead gave the last chunk
/// of every batch a length of its own, and SQLite prepared a new statement for it on every batch.
struct ChunkedInsert: Sendable {
    /// The statement for each chunk size, largest first.
    let statements: [(size: Int, sql: String)]

    /// `prefix`, then `size` rows of `columns` placeholders, then `suffix`, for each of `sizes` (which must end with 1).
    init(_ prefix: String, columns: Int, suffix: String, sizes: [Int] = [64, 8, 1]) {
        precondition(sizes.last == 1 && sizes == sizes.sorted(by: >), "chunk sizes go down to one row")
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        statements = sizes.map { ($0, prefix + Array(repeating: row, count: $0).joined(separator: ", ") + suffix) }
    }

    /// Consecutive ranges covering `0..<count`, each with the statement for its length.
    func chunks(_ count: Int) -> [(range: Range<Int>, sql: String)] {
        var out: [(range: Range<Int>, sql: String)] = []
        var start = 0
        for (size, sql) in statements {
            while count - start >= size {
                out.append((start..<start + size, sql))
                start += size
            }
        }
        return out
    }
}
