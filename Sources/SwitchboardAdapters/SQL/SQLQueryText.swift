/// A method's `sql.query` read as its engine reads it: where its `:name` placeholders are, how many statements it
/// holds and which kind the first one is.
///
/// A lexer, not a parser: it knows what hides text from the statement (quoted strings `'...'` with `''`, PostgreSQL's
/// `E'...'` with backslash escapes and dollar-quoted `$$...$$` / `$tag$...$tag$`, quoted identifiers `"..."` (SQLite also
/// `` `...` `` and `[...]`), comments `-- ...` and `/* ... */` (nested on PostgreSQL)) and reads the rest:
/// - `:name` is a placeholder when the name starts with a letter or `_` (then letters, digits, `_`); `::` is a cast, `:=`
///   an assignment, and a `:` directly inside `[...]` (PostgreSQL's array slice `a[1:n]`) a slice, never a placeholder.
/// - `:config.name` is the connection's config value `name`; a bare `:name` is the parameter `name`.
/// - `;` ends a statement, except inside parentheses (a rule's actions) and inside a block that a `BEGIN` other than
///   the statement's first word opens until its `END` (PostgreSQL's `BEGIN ATOMIC` function bodies, SQLite's trigger
///   bodies).
/// - `$1`, and on SQLite `?`, `?1`, `@name` and `$name`, are the engine's own placeholders: refused, the method uses
///   `:name`. On PostgreSQL `?` is an operator (jsonb `?`, `?|`, `?&`) and left alone after an operand (a name, a
///   literal, `)`, `]`); one where a value goes (`id = ?`, `SELECT ?`, `(?`) is a positional placeholder, refused.
struct SQLQueryText: Sendable {
    enum Dialect: Sendable { case postgres, sqlite }

    /// A `:name` or `:config.name` in the query.
    struct Placeholder: Sendable, Hashable {
        var name: String
        var isConfig: Bool
        /// How the placeholder reads in the query (`:id`, `:config.tenant`).
        var spelling: String { isConfig ? ":config." + name : ":" + name }
    }

    /// The query's text around its placeholders: `pieces[i]` comes before `placeholders[i]`, and one more piece ends it.
    private(set) var pieces: [String] = [""]
    private(set) var placeholders: [Placeholder] = []
    /// The statements holding something other than whitespace and comments.
    private(set) var statementCount = 0
    /// The first two words of the first statement, upper-cased (`["START", "TRANSACTION"]`).
    private(set) var leadingWords: [String] = []
    /// The engine's own placeholder the query uses (`$1`; on SQLite `?`, `@name`, `$name`), if any.
    private(set) var enginePlaceholder: String?

    init(_ text: String, dialect: Dialect) {
        let cs = Array(text)
        var i = 0
        // Open brackets and parentheses, innermost last; the BEGIN ... END blocks (and CASE inside them) open.
        var nesting: [Character] = []
        var atomic = 0
        var statementHasContent = false
        var words: [String] = []  // of the current statement
        // Whether the last token is an operand (a name, a literal, a placeholder, `)` or `]`): a `?` after one is
        // PostgreSQL's operator, a `?` elsewhere stands where a value goes, a positional placeholder.
        var afterOperand = false
        func at(_ k: Int) -> Character? { k < cs.count ? cs[k] : nil }
        func isIdentifierStart(_ c: Character?) -> Bool { c.map { $0.isLetter || $0 == "_" } ?? false }
        func isIdentifierPart(_ c: Character?) -> Bool { c.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" } ?? false }
        func append(_ from: Int, _ to: Int) { pieces[pieces.count - 1].append(contentsOf: String(cs[from..<min(to, cs.count)])) }
        func content() {
            if !statementHasContent {
                statementHasContent = true
                statementCount += 1
            }
        }
        /// The index after a quoted run opened at `start` by `open` and closed by `close` (doubled, it stands for itself).
        func quoted(from start: Int, close: Character, backslash: Bool = false) -> Int {
            var k = start + 1
            while k < cs.count {
                if backslash && cs[k] == "\\" {
                    k += 2
                    continue
                }
                if cs[k] == close {
                    if at(k + 1) == close {
                        k += 2
                        continue
                    }
                    return k + 1
                }
                k += 1
            }
            return cs.count
        }
        while i < cs.count {
            let c = cs[i]
            let start = i
            switch c {
            case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}":
                i += 1
            case "-" where at(i + 1) == "-":
                while i < cs.count && cs[i] != "\n" { i += 1 }
            case "/" where at(i + 1) == "*":
                var depth = 0
                while i < cs.count {
                    if cs[i] == "/" && at(i + 1) == "*" && (depth == 0 || dialect == .postgres) {
                        depth += 1
                        i += 2
                    } else if cs[i] == "*" && at(i + 1) == "/" {
                        depth -= 1
                        i += 2
                        if depth == 0 { break }
                    } else {
                        i += 1
                    }
                }
            case "'":
                content()
                afterOperand = true
                // E'...' (PostgreSQL): the E was read as a word just before.
                let escaped =
                    dialect == .postgres && i > 0 && (cs[i - 1] == "E" || cs[i - 1] == "e") && !isIdentifierPart(i > 1 ? cs[i - 2] : nil)
                i = quoted(from: i, close: "'", backslash: escaped)
            case "\"":
                content()
                afterOperand = true
                i = quoted(from: i, close: "\"")
            case "`" where dialect == .sqlite:
                content()
                afterOperand = true
                i = quoted(from: i, close: "`")
            case "[" where dialect == .sqlite:
                content()
                afterOperand = true
                i = quoted(from: i, close: "]")
            case "$" where dialect == .postgres && at(i + 1)?.isNumber == true:
                content()
                enginePlaceholder = enginePlaceholder ?? "$" + String(cs[(i + 1)...].prefix { $0.isNumber })
                afterOperand = true
                i += 1
                while at(i)?.isNumber == true { i += 1 }
            case "$" where dialect == .postgres:
                content()
                // A dollar quote: $$ or $tag$, up to the same again.
                var k = i + 1
                if isIdentifierStart(at(k)) {
                    while isIdentifierPart(at(k)) && at(k) != "$" { k += 1 }
                }
                guard at(k) == "$" else {
                    afterOperand = false
                    i += 1
                    break
                }
                afterOperand = true
                let tag = Array(cs[i...k])
                var end = k + 1
                while end < cs.count && !(cs[end] == "$" && end + tag.count <= cs.count && Array(cs[end..<(end + tag.count)]) == tag) { end += 1 }
                i = min(cs.count, end + tag.count)
            case "?", "@", "$":  // "$" here only on SQLite: PostgreSQL's are read above
                content()
                if dialect == .sqlite && (c == "?" || isIdentifierPart(at(i + 1))) {
                    var k = i + 1
                    while isIdentifierPart(at(k)) { k += 1 }
                    enginePlaceholder = enginePlaceholder ?? String(cs[i..<k])
                    i = k
                } else {
                    if dialect == .postgres && c == "?" && !afterOperand { enginePlaceholder = enginePlaceholder ?? "?" }
                    afterOperand = false
                    i += 1
                }
            case ":":
                content()
                afterOperand = false
                if at(i + 1) == ":" {
                    i += 2
                } else if isIdentifierStart(at(i + 1)) && nesting.last != "[" {
                    var k = i + 1
                    while isIdentifierPart(at(k)) && at(k) != "$" { k += 1 }
                    var placeholder = Placeholder(name: String(cs[(i + 1)..<k]), isConfig: false)
                    if placeholder.name == "config" && at(k) == "." && isIdentifierStart(at(k + 1)) {
                        var m = k + 1
                        while isIdentifierPart(at(m)) && at(m) != "$" { m += 1 }
                        placeholder = Placeholder(name: String(cs[(k + 1)..<m]), isConfig: true)
                        k = m
                    }
                    placeholders.append(placeholder)
                    pieces.append("")
                    afterOperand = true
                    i = k
                    continue  // the placeholder's text is not copied
                } else {
                    i += 1
                }
            case "(", "[":
                content()
                afterOperand = false
                nesting.append(c)
                i += 1
            case ")", "]":
                content()
                afterOperand = true
                if !nesting.isEmpty { nesting.removeLast() }
                i += 1
            case ";":
                afterOperand = false
                if atomic == 0 && nesting.isEmpty {
                    statementHasContent = false
                    words = []
                }
                i += 1
            default:
                content()
                if isIdentifierPart(c) {
                    var k = i
                    while isIdentifierPart(at(k)) { k += 1 }
                    let word = String(cs[i..<k]).uppercased()
                    if statementCount == 1 && leadingWords.count < 2 { leadingWords.append(word) }
                    if word == "BEGIN" && !words.isEmpty {
                        atomic += 1
                    } else if atomic > 0 && word == "CASE" {
                        atomic += 1
                    } else if atomic > 0 && word == "END" {
                        atomic -= 1
                    }
                    words.append(word)
                    afterOperand = !Self.valueKeywords.contains(word)
                    i = k
                } else {
                    afterOperand = false
                    i += 1
                }
            }
            append(start, i)
        }
    }

    /// Words after which a value may come: a `?` after one of them is a placeholder, not an operator.
    static let valueKeywords: Set<String> = [
        "SELECT", "WHERE", "AND", "OR", "NOT", "ON", "SET", "VALUES", "IN", "IS", "LIKE", "ILIKE", "SIMILAR", "BETWEEN", "WHEN",
        "THEN", "ELSE", "CASE", "LIMIT", "OFFSET", "BY", "HAVING", "RETURNING", "DISTINCT", "ALL", "ANY", "SOME", "ARRAY", "TO",
        "FETCH", "FIRST", "NEXT", "USING", "EXISTS", "DEFAULT", "ESCAPE",
    ]

    /// The query with its placeholders as the engine's, and the placeholders in parameter order. PostgreSQL: `$n`, a
    /// name used twice being one parameter; SQLite: `?`, one parameter per placeholder.
    func statement(for dialect: Dialect) -> (text: String, parameters: [Placeholder]) {
        var order: [Placeholder] = []
        var numbers: [Placeholder: Int] = [:]
        var text = pieces[0]
        for (k, placeholder) in placeholders.enumerated() {
            switch dialect {
            case .sqlite:
                order.append(placeholder)
                text += "?"
            case .postgres:
                let n: Int
                if let known = numbers[placeholder] {
                    n = known
                } else {
                    order.append(placeholder)
                    n = order.count
                    numbers[placeholder] = n
                }
                text += "$" + String(n)
            }
            text += pieces[k + 1]
        }
        return (text, order)
    }

    /// Whether the first statement is transaction control: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT,
    /// SAVEPOINT, RELEASE, PREPARE TRANSACTION (COMMIT PREPARED and ROLLBACK PREPARED among them).
    var isTransactionControl: Bool {
        guard let first = leadingWords.first else { return false }
        if ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"].contains(first) { return true }
        return first == "PREPARE" && leadingWords.dropFirst().first == "TRANSACTION"
    }
}
