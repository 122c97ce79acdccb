/// The reference's top-down operator-precedence (Pratt) parser, producing the raw tree that
/// `ASTProcessor` then rewrites into evaluation form.
struct Parser {
    var lexer: Lexer
    var node: Node
    var current: Token?
    let sourceLength: Int

    init(_ source: String) {
        lexer = Lexer(source)
        sourceLength = lexer.src.count
        node = Node(.end, "(end)", position: 0)
    }

    static func bindingPower(_ id: String) -> Int {
        switch id {
        case ".": 75
        case "[", "(", "@", "#": 80
        case "{": 70
        case "*", "/", "%": 60
        case "+", "-", "&": 50
        case "=", "<", ">", "^", "!=", "<=", ">=", "~>", "?:", "??", "in": 40
        case "and": 30
        case "or": 25
        case "?": 20
        case ":=": 10
        default: 0
        }
    }

    static let knownOperators: Set<String> = [
        ":", ";", ",", ")", "]", "}", "..", ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in",
        "~>", "??", "**", "(", "[", "^", "{", ":=", "@", "#", "?", "?:", "|",
    ]

    /// The symbol-table id of the current node.
    var id: String {
        switch node.kind {
        case .op: node.text
        case .end: "(end)"
        case .name, .variable: "(name)"
        case .regex: "(regex)"
        default: "(literal)"
        }
    }

    var lbp: Int { node.kind == .op ? Parser.bindingPower(node.text) : 0 }

    static func parse(_ source: String) throws(JSONataError) -> Node {
        var p = Parser(source)
        try p.advance(nil, infix: false)
        let ast = try p.expression(0)
        if p.id != "(end)" {
            throw JSONataError(code: "S0201", message: "Syntax error: \"\(p.node.text)\"", position: p.node.position, token: p.node.text)
        }
        return ast
    }

    mutating func advance(_ expected: String?, infix: Bool) throws(JSONataError) {
        if let expected, id != expected {
            let code = id == "(end)" ? "S0203" : "S0202"
            let msg = code == "S0203" ? "Expected \"\(expected)\" before end of expression" : "Expected \"\(expected)\", got \"\(node.text)\""
            throw JSONataError(code: code, message: msg, position: node.position, token: node.text, value: .string(expected))
        }
        guard let t = try lexer.next(infix: infix) else {
            node = Node(.end, "(end)", position: sourceLength)
            return
        }
        let n: Node
        switch t.kind {
        case .name: n = Node(.name, t.text, position: t.position)
        case .variable: n = Node(.variable, t.text, position: t.position)
        case .op:
            if !Parser.knownOperators.contains(t.text) {
                throw JSONataError(code: "S0204", message: "Unknown operator: \"\(t.text)\"", position: t.position, token: t.text)
            }
            n = Node(.op, t.text, position: t.position)
        case .string:
            n = Node(.string, t.text, position: t.position)
            n.literal = .string(t.text)
        case .number:
            n = Node(.number, t.text, position: t.position)
            n.literal = .number(t.number)
        case .value:
            n = Node(.value, t.text, position: t.position)
            n.literal = t.literal
        case .regex:
            n = Node(.regex, t.text, position: t.position)
            n.regex = t.regex
        }
        node = n
    }

    mutating func expression(_ rbp: Int) throws(JSONataError) -> Node {
        var t = node
        try advance(nil, infix: true)
        var left = try nud(t)
        while rbp < lbp {
            t = node
            try advance(nil, infix: false)
            left = try led(t, left)
        }
        return left
    }

    mutating func nud(_ t: Node) throws(JSONataError) -> Node {
        switch t.kind {
        case .name, .variable, .string, .number, .value, .regex: return t
        case .end:
            throw JSONataError(code: "S0207", message: "Unexpected end of expression", position: t.position, token: "(end)")
        case .op: break
        default: return t
        }
        switch t.text {
        case "and", "or", "in": return t
        case "-":
            t.expression = try expression(70)
            t.kind = .unary
            return t
        case "*":
            t.kind = .wildcard
            return t
        case "**":
            t.kind = .descendant
            return t
        case "%":
            t.kind = .parent
            return t
        case "(":
            var exprs: [Node] = []
            while id != ")" {
                exprs.append(try expression(0))
                if id != ";" { break }
                try advance(";", infix: false)
            }
            try advance(")", infix: true)
            t.kind = .block
            t.expressions = exprs
            return t
        case "[":
            var items: [Node] = []
            if id != "]" {
                while true {
                    var item = try expression(0)
                    if id == ".." {
                        let range = Node(.binary, "..", position: node.position)
                        range.lhs = item
                        try advance("..", infix: false)
                        range.rhs = try expression(0)
                        item = range
                    }
                    items.append(item)
                    if id != "," { break }
                    try advance(",", infix: false)
                }
            }
            try advance("]", infix: true)
            t.expressions = items
            t.kind = .unary
            return t
        case "{":
            t.pairs = try objectPairs()
            t.kind = .unary
            return t
        case "|":
            t.kind = .transform
            t.pattern = try expression(0)
            try advance("|", infix: false)
            t.update = try expression(0)
            if id == "," {
                try advance(",", infix: false)
                t.delete = try expression(0)
            }
            try advance("|", infix: false)
            return t
        default:
            throw JSONataError(
                code: "S0211", message: "The symbol \"\(t.text)\" cannot be used as a unary operator", position: t.position, token: t.text)
        }
    }

    mutating func objectPairs() throws(JSONataError) -> [(Node, Node)] {
        var pairs: [(Node, Node)] = []
        if id != "}" {
            while true {
                let k = try expression(0)
                try advance(":", infix: false)
                let v = try expression(0)
                pairs.append((k, v))
                if id != "," { break }
                try advance(",", infix: false)
            }
        }
        try advance("}", infix: true)
        return pairs
    }

    mutating func led(_ t: Node, _ left: Node) throws(JSONataError) -> Node {
        let op = t.text
        switch op {
        case "(":
            t.procedure = left
            t.kind = .function
            if id != ")" {
                while true {
                    if node.kind == .op && node.text == "?" {
                        t.kind = .partial
                        t.arguments.append(node)
                        try advance("?", infix: false)
                    } else {
                        t.arguments.append(try expression(0))
                    }
                    if id != "," { break }
                    try advance(",", infix: false)
                }
            }
            try advance(")", infix: true)
            if left.kind == .name && (left.text == "function" || left.text == "\u{3BB}") {
                for (i, arg) in t.arguments.enumerated() where arg.kind != .variable {
                    throw JSONataError(
                        code: "S0208", message: "Parameter \(i + 1) of function definition must be a variable name (start with $)",
                        position: arg.position,
                        token: arg.text, value: .number(Double(i + 1)))
                }
                t.kind = .lambda
                if id == "<" {
                    let sigPos = node.position
                    var depth = 1
                    var sig = "<"
                    while depth > 0 && id != "{" && id != "(end)" {
                        try advance(nil, infix: false)
                        if id == ">" {
                            depth -= 1
                        } else if id == "<" {
                            depth += 1
                        }
                        sig += node.text
                    }
                    try advance(">", infix: false)
                    do {
                        t.signature = try Signature(sig)
                    } catch {
                        var e = error
                        e.position = sigPos + (e.position ?? 0)
                        throw e
                    }
                }
                try advance("{", infix: false)
                t.body = try expression(0)
                try advance("}", infix: true)
            }
            return t
        case "[":
            if id == "]" {
                var step: Node? = left
                while let s = step, s.kind == .binary, s.text == "[" { step = s.lhs }
                step?.keepArray = true
                try advance("]", infix: true)
                return left
            }
            t.lhs = left
            t.rhs = try expression(0)
            t.kind = .binary
            try advance("]", infix: true)
            return t
        case "^":
            try advance("(", infix: false)
            var terms: [SortTerm] = []
            while true {
                var descending = false
                if id == "<" {
                    try advance("<", infix: false)
                } else if id == ">" {
                    descending = true
                    try advance(">", infix: false)
                }
                terms.append(SortTerm(descending: descending, expression: try expression(0)))
                if id != "," { break }
                try advance(",", infix: false)
            }
            try advance(")", infix: true)
            t.lhs = left
            t.terms = terms
            t.kind = .binary
            return t
        case "{":
            t.lhs = left
            t.pairs = try objectPairs()
            t.kind = .binary
            return t
        case ":=":
            if left.kind != .variable {
                throw JSONataError(
                    code: "S0212", message: "The left side of := must be a variable name (start with $)", position: left.position, token: left.text)
            }
            t.lhs = left
            t.rhs = try expression(Parser.bindingPower(":=") - 1)
            t.kind = .binary
            return t
        case "@", "#":
            t.lhs = left
            t.rhs = try expression(Parser.bindingPower(op))
            if t.rhs?.kind != .variable {
                throw JSONataError(
                    code: "S0214", message: "The right side of \(op) must be a variable name (start with $)", position: t.rhs?.position ?? t.position,
                    token: op)
            }
            t.kind = .binary
            return t
        case "?":
            t.kind = .condition
            t.condition = left
            t.then = try expression(0)
            if id == ":" {
                try advance(":", infix: false)
                t.otherwise = try expression(0)
            }
            return t
        case "?:":
            t.kind = .condition
            t.condition = left
            t.then = left
            t.otherwise = try expression(0)
            return t
        case "??":
            t.kind = .condition
            let call = Node(.function, "(", position: t.position)
            call.procedure = Node(.variable, "exists", position: t.position)
            call.arguments = [left]
            t.condition = call
            t.then = left
            t.otherwise = try expression(0)
            return t
        default:
            t.lhs = left
            t.rhs = try expression(Parser.bindingPower(op))
            t.kind = .binary
            return t
        }
    }
}
