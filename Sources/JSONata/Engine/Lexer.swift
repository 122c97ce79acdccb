import ECMARegex

/// A token of the JSONata grammar.
struct Token {
    enum Kind { case name, variable, op, string, number, value, regex }
    var kind: Kind
    /// The text of names, variables, operators and strings.
    var text: String
    var number: Double = 0
    /// For `value` tokens: true, false or null.
    var literal: LiteralValue = .null
    var regex: RegexLiteral?
    /// UTF-16 offset just past the token, as the reference reports positions.
    var position: Int
}

/// The values `true`, `false`, `null`, numbers and strings as they appear in the source.
enum LiteralValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
}

/// A compiled regular expression literal `/pattern/flags`.
struct RegexLiteral: @unchecked Sendable {
    var pattern: String
    var flags: String
    var regex: ECMARegex
}

/// The reference tokenizer: scans UTF-16 code units, as positions are JavaScript offsets.
struct Lexer {
    static let operatorChars: Set<UInt16> = Set(".[]{}(),@#;:?+-*/%|=<>^&!~".utf16)
    let src: [UInt16]
    var position = 0

    init(_ source: String) { src = Array(source.utf16) }

    func char(_ i: Int) -> UInt16 { i < src.count && i >= 0 ? src[i] : 0 }

    static func isSpace(_ c: UInt16) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B }

    func make(_ kind: Token.Kind, _ text: String) -> Token { Token(kind: kind, text: text, position: position) }

    mutating func next(infix: Bool) throws(JSONataError) -> Token? {
        let length = src.count
        if position >= length { return nil }
        var c = char(position)
        while position < length && Lexer.isSpace(c) {
            position += 1
            c = char(position)
        }
        if c == 0x2F && char(position + 1) == 0x2A {  // /* comment */
            let start = position
            position += 2
            c = char(position)
            while !(c == 0x2A && char(position + 1) == 0x2F) {
                position += 1
                c = char(position)
                if position >= length {
                    throw JSONataError(code: "S0106", message: "Comment has no closing tag", position: start)
                }
            }
            position += 2
            return try next(infix: infix)
        }
        if position >= length { return nil }
        if !infix && c == 0x2F {
            position += 1
            return try scanRegex()
        }
        let d = char(position + 1)
        let two: String? =
            switch (c, d) {
            case (0x2E, 0x2E): ".."
            case (0x3A, 0x3D): ":="
            case (0x21, 0x3D): "!="
            case (0x3E, 0x3D): ">="
            case (0x3C, 0x3D): "<="
            case (0x2A, 0x2A): "**"
            case (0x7E, 0x3E): "~>"
            case (0x3F, 0x3A): "?:"
            case (0x3F, 0x3F): "??"
            default: nil
            }
        if let two {
            position += 2
            return make(.op, two)
        }
        if Lexer.operatorChars.contains(c) {
            position += 1
            return make(.op, String(decoding: [c], as: UTF16.self))
        }
        if c == 0x22 || c == 0x27 {
            let quote = c
            position += 1
            var units: [UInt16] = []
            while position < length {
                c = char(position)
                if c == 0x5C {
                    position += 1
                    c = char(position)
                    switch c {
                    case 0x22, 0x5C, 0x2F: units.append(c)
                    case 0x62: units.append(0x08)
                    case 0x66: units.append(0x0C)
                    case 0x6E: units.append(0x0A)
                    case 0x72: units.append(0x0D)
                    case 0x74: units.append(0x09)
                    case 0x75:
                        var code: UInt16 = 0
                        var ok = position + 4 < length
                        if ok {
                            for k in 1...4 {
                                guard let h = Lexer.hexValue(char(position + k)) else {
                                    ok = false
                                    break
                                }
                                code = code << 4 | h
                            }
                        }
                        if !ok {
                            throw JSONataError(code: "S0104", message: "The escape sequence \\u must be followed by 4 hex digits", position: position)
                        }
                        units.append(code)
                        position += 4
                    default:
                        throw JSONataError(
                            code: "S0103", message: "Unsupported escape sequence: \\\(String(decoding: [c], as: UTF16.self))", position: position,
                            token: String(decoding: [c], as: UTF16.self))
                    }
                } else if c == quote {
                    position += 1
                    return make(.string, String(decoding: units, as: UTF16.self))
                } else {
                    units.append(c)
                }
                position += 1
            }
            throw JSONataError(code: "S0101", message: "String literal must be terminated by a matching quote", position: position)
        }
        if let t = try scanNumber() { return t }
        if c == 0x60 {  // `name`
            position += 1
            var end = position
            while end < length && src[end] != 0x60 { end += 1 }
            if end < length {
                let name = String(decoding: src[position..<end], as: UTF16.self)
                position = end + 1
                return make(.name, name)
            }
            position = length
            throw JSONataError(code: "S0105", message: "Quoted property name must be terminated with a backquote (`)", position: position)
        }
        var i = position
        while true {
            let ch = char(i)
            if i >= length || Lexer.isSpace(ch) || Lexer.operatorChars.contains(ch) {
                if char(position) == 0x24 {  // $
                    let name = String(decoding: src[(position + 1)..<i], as: UTF16.self)
                    position = i
                    return make(.variable, name)
                }
                let name = String(decoding: src[position..<i], as: UTF16.self)
                position = i
                switch name {
                case "or", "in", "and": return make(.op, name)
                case "true":
                    var t = make(.value, name)
                    t.literal = .bool(true)
                    return t
                case "false":
                    var t = make(.value, name)
                    t.literal = .bool(false)
                    return t
                case "null":
                    var t = make(.value, name)
                    t.literal = .null
                    return t
                default:
                    if position == length && name.isEmpty { return nil }
                    return make(.name, name)
                }
            }
            i += 1
        }
    }

    static func hexValue(_ c: UInt16) -> UInt16? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    static func isDigit(_ c: UInt16) -> Bool { c >= 0x30 && c <= 0x39 }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?`
    mutating func scanNumber() throws(JSONataError) -> Token? {
        var i = position
        if char(i) == 0x2D { i += 1 }
        if char(i) == 0x30 {
            i += 1
        } else if Lexer.isDigit(char(i)) {
            while Lexer.isDigit(char(i)) { i += 1 }
        } else {
            return nil
        }
        if char(i) == 0x2E && Lexer.isDigit(char(i + 1)) {
            i += 1
            while Lexer.isDigit(char(i)) { i += 1 }
        }
        if char(i) == 0x45 || char(i) == 0x65 {
            var j = i + 1
            if char(j) == 0x2B || char(j) == 0x2D { j += 1 }
            if Lexer.isDigit(char(j)) {
                while Lexer.isDigit(char(j)) { j += 1 }
                i = j
            }
        }
        let text = String(decoding: src[position..<i], as: UTF16.self)
        guard let n = Double(text), n.isFinite else {
            throw JSONataError(code: "S0102", message: "Number out of range: \(text)", position: position, token: text)
        }
        position = i
        var t = make(.number, text)
        t.number = n
        return t
    }

    mutating func scanRegex() throws(JSONataError) -> Token {
        let start = position
        var depth = 0
        let length = src.count
        while position < length {
            let c = char(position)
            if c == 0x2F && depth == 0 {
                var backslashes = 0
                while char(position - (backslashes + 1)) == 0x5C { backslashes += 1 }
                if backslashes % 2 == 0 {
                    let pattern = String(decoding: src[start..<position], as: UTF16.self)
                    if pattern.isEmpty {
                        throw JSONataError(code: "S0301", message: "Empty regular expressions are not allowed", position: position)
                    }
                    position += 1
                    let fstart = position
                    while char(position) == 0x69 || char(position) == 0x6D { position += 1 }
                    let flags = String(decoding: src[fstart..<position], as: UTF16.self)
                    let regex: ECMARegex
                    do {
                        regex = try ECMARegex(pattern, flags: flags)
                    } catch {
                        throw JSONataError(code: "S0303", message: "Invalid regular expression: \(error)", position: position, token: pattern)
                    }
                    var t = make(.regex, pattern)
                    t.regex = RegexLiteral(pattern: pattern, flags: flags, regex: regex)
                    return t
                }
            }
            if (c == 0x28 || c == 0x5B || c == 0x7B) && char(position - 1) != 0x5C { depth += 1 }
            if (c == 0x29 || c == 0x5D || c == 0x7D) && char(position - 1) != 0x5C { depth -= 1 }
            position += 1
        }
        throw JSONataError(code: "S0302", message: "No terminating / in regular expression", position: position)
    }
}
