/// Rewrites the raw parse tree into evaluation form, as the reference's `processAST` does:
/// flattens paths into steps, attaches predicates and grouping to steps, binds focus (`@`) and
/// index (`#`) variables, resolves parent (`%`) references and marks tail calls in lambdas.
struct ASTProcessor {
    var ancestorLabel = 0
    var ancestorIndex = 0
    var ancestry: [Node] = []

    static func process(_ raw: Node) throws(JSONataError) -> Node {
        var p = ASTProcessor()
        let ast = try p.process(raw)
        if ast.kind == .parent || ast.seekingParent != nil {
            throw JSONataError(
                code: "S0217", message: "The object representing the 'parent' cannot be derived from this expression", position: ast.position,
                token: "\(ast.kind)")
        }
        ast.finalize()
        return ast
    }

    static func errorS0213(_ step: Node) -> JSONataError {
        JSONataError(
            code: "S0213", message: "The literal value \(step.text) cannot be used as a step within a path expression", position: step.position,
            token: step.text)
    }

    mutating func process(_ expr: Node) throws(JSONataError) -> Node {
        var result: Node
        switch expr.kind {
        case .binary:
            switch expr.text {
            case ".":
                let lstep = try process(expr.lhs!)
                if lstep.kind == .path {
                    result = lstep
                } else {
                    result = Node(.path, position: lstep.position)
                    result.steps = [lstep]
                }
                if lstep.kind == .parent { result.seekingParent = [lstep.slot!] }
                let rest = try process(expr.rhs!)
                if rest.kind == .path {
                    result.steps.append(contentsOf: rest.steps)
                } else {
                    if !rest.predicates.isEmpty {
                        rest.stages = rest.predicates
                        rest.predicates = []
                    }
                    result.steps.append(rest)
                }
                for step in result.steps {
                    if step.kind == .number || step.kind == .value { throw ASTProcessor.errorS0213(step) }
                    if step.kind == .string { step.kind = .name }
                }
                if result.steps.contains(where: { $0.keepArray }) { result.keepSingletonArray = true }
                let first = result.steps[0]
                if first.kind == .unary && first.text == "[" { first.consArray = true }
                let last = result.steps[result.steps.count - 1]
                if last.kind == .unary && last.text == "[" { last.consArray = true }
                try resolveAncestry(result)
            case "[":
                result = try process(expr.lhs!)
                var step = result
                var toStages = false
                if result.kind == .path {
                    step = result.steps[result.steps.count - 1]
                    toStages = true
                }
                if step.group != nil {
                    throw JSONataError(code: "S0209", message: "A predicate cannot follow a grouping expression in a step", position: expr.position)
                }
                let predicate = try process(expr.rhs!)
                if let seeking = predicate.seekingParent {
                    for slot in seeking {
                        if slot.level == 1 {
                            _ = try seekParent(step, slot)
                        } else {
                            slot.level -= 1
                        }
                    }
                    pushAncestry(step, predicate)
                }
                let stage = Stage(kind: .filter, expr: predicate, position: expr.position)
                if toStages { step.stages.append(stage) } else { step.predicates.append(stage) }
            case "{":
                result = try process(expr.lhs!)
                if result.group != nil {
                    throw JSONataError(code: "S0210", message: "Each step can only have one grouping expression", position: expr.position)
                }
                var pairs: [(Node, Node)] = []
                for (k, v) in expr.pairs { pairs.append((try process(k), try process(v))) }
                result.group = Group(pairs: pairs, position: expr.position)
            case "^":
                result = try process(expr.lhs!)
                if result.kind != .path {
                    let p = Node(.path, position: result.position)
                    p.steps = [result]
                    result = p
                }
                let sortStep = Node(.sort, position: expr.position)
                for term in expr.terms {
                    let e = try process(term.expression)
                    pushAncestry(sortStep, e)
                    sortStep.terms.append(SortTerm(descending: term.descending, expression: e))
                }
                result.steps.append(sortStep)
                try resolveAncestry(result)
            case ":=":
                result = Node(.bind, ":=", position: expr.position)
                result.lhs = try process(expr.lhs!)
                result.rhs = try process(expr.rhs!)
                pushAncestry(result, result.rhs!)
            case "@":
                result = try process(expr.lhs!)
                var step = result
                if result.kind == .path { step = result.steps[result.steps.count - 1] }
                if !step.stages.isEmpty || !step.predicates.isEmpty {
                    throw JSONataError(
                        code: "S0215", message: "A context variable binding must precede any predicates on a step", position: expr.position)
                }
                if step.kind == .sort {
                    throw JSONataError(
                        code: "S0216", message: "A context variable binding must precede the 'order-by' clause on a step", position: expr.position)
                }
                if expr.keepArray { step.keepArray = true }
                step.focus = expr.rhs!.text
                step.tuple = true
            case "#":
                result = try process(expr.lhs!)
                var step = result
                if result.kind == .path {
                    step = result.steps[result.steps.count - 1]
                } else {
                    let p = Node(.path, position: result.position)
                    p.steps = [result]
                    result = p
                    if !step.predicates.isEmpty {
                        step.stages = step.predicates
                        step.predicates = []
                    }
                }
                if step.stages.isEmpty {
                    step.indexVar = expr.rhs!.text
                } else {
                    step.stages.append(Stage(kind: .index, expr: nil, variable: expr.rhs!.text, position: expr.position))
                }
                step.tuple = true
            case "~>":
                result = Node(.apply, "~>", position: expr.position)
                result.lhs = try process(expr.lhs!)
                result.rhs = try process(expr.rhs!)
                result.keepArray = result.lhs!.keepArray || result.rhs!.keepArray
            default:
                result = Node(.binary, expr.text, position: expr.position)
                result.lhs = try process(expr.lhs!)
                result.rhs = try process(expr.rhs!)
                pushAncestry(result, result.lhs!)
                pushAncestry(result, result.rhs!)
            }
        case .unary:
            result = Node(.unary, expr.text, position: expr.position)
            if expr.text == "[" {
                for item in expr.expressions {
                    let v = try process(item)
                    pushAncestry(result, v)
                    result.expressions.append(v)
                }
            } else if expr.text == "{" {
                for (k, v) in expr.pairs {
                    let key = try process(k)
                    pushAncestry(result, key)
                    let value = try process(v)
                    pushAncestry(result, value)
                    result.pairs.append((key, value))
                }
            } else {
                let e = try process(expr.expression!)
                result.expression = e
                if expr.text == "-" && e.kind == .number, case .number(let n) = e.literal {
                    result = Node(.number, e.text, position: e.position)
                    result.literal = .number(-n)
                } else {
                    pushAncestry(result, e)
                }
            }
        case .function, .partial:
            result = Node(expr.kind, expr.text, position: expr.position)
            for arg in expr.arguments {
                let a = try process(arg)
                pushAncestry(result, a)
                result.arguments.append(a)
            }
            result.procedure = try process(expr.procedure!)
        case .lambda:
            result = Node(.lambda, position: expr.position)
            result.arguments = expr.arguments
            result.signature = expr.signature
            result.body = tailCallOptimize(try process(expr.body!))
        case .condition:
            result = Node(.condition, position: expr.position)
            result.condition = try process(expr.condition!)
            pushAncestry(result, result.condition!)
            result.then = expr.then === expr.condition ? result.condition : try process(expr.then!)
            pushAncestry(result, result.then!)
            if let e = expr.otherwise {
                result.otherwise = try process(e)
                pushAncestry(result, result.otherwise!)
            }
        case .transform:
            result = Node(.transform, position: expr.position)
            result.pattern = try process(expr.pattern!)
            result.update = try process(expr.update!)
            if let d = expr.delete { result.delete = try process(d) }
        case .block:
            result = Node(.block, position: expr.position)
            for item in expr.expressions {
                let part = try process(item)
                pushAncestry(result, part)
                if part.consArray || (part.kind == .path && part.steps[0].consArray) { result.consArray = true }
                result.expressions.append(part)
            }
        case .name:
            result = Node(.path, position: expr.position)
            result.steps = [expr]
            if expr.keepArray { result.keepSingletonArray = true }
        case .parent:
            result = Node(.parent, position: expr.position)
            result.slot = Slot(label: "!\(ancestorLabel)", level: 1, index: ancestorIndex)
            ancestorLabel += 1
            ancestorIndex += 1
            ancestry.append(result)
        case .string, .number, .value, .wildcard, .descendant, .variable, .regex:
            result = expr
        case .op:
            if expr.text == "and" || expr.text == "or" || expr.text == "in" {
                expr.kind = .name
                result = try process(expr)
            } else if expr.text == "?" {
                result = expr
            } else {
                throw JSONataError(code: "S0201", message: "Syntax error: \"\(expr.text)\"", position: expr.position, token: expr.text)
            }
        default:
            throw JSONataError(
                code: expr.kind == .end ? "S0207" : "S0206", message: "Unknown expression type: \"\(expr.text)\"", position: expr.position,
                token: expr.text)
        }
        if expr.keepArray { result.keepArray = true }
        return result
    }

    func tailCallOptimize(_ expr: Node) -> Node {
        if expr.kind == .function && expr.predicates.isEmpty {
            let thunk = Node(.lambda, position: expr.position)
            thunk.isThunk = true
            thunk.body = expr
            return thunk
        } else if expr.kind == .condition {
            expr.then = tailCallOptimize(expr.then!)
            if let e = expr.otherwise { expr.otherwise = tailCallOptimize(e) }
        } else if expr.kind == .block, let last = expr.expressions.last {
            expr.expressions[expr.expressions.count - 1] = tailCallOptimize(last)
        }
        return expr
    }

    mutating func resolveAncestry(_ path: Node) throws(JSONataError) {
        var index = path.steps.count - 1
        let laststep = path.steps[index]
        var seeking = laststep.seekingParent ?? []
        if laststep.kind == .parent { seeking.append(laststep.slot!) }
        for var slot in seeking {
            index = path.steps.count - 2
            while slot.level > 0 {
                if index < 0 {
                    if path.seekingParent == nil { path.seekingParent = [slot] } else { path.seekingParent!.append(slot) }
                    break
                }
                var step = path.steps[index]
                index -= 1
                while index >= 0 && step.focus != nil && path.steps[index].focus != nil {
                    step = path.steps[index]
                    index -= 1
                }
                slot = try seekParent(step, slot)
            }
        }
    }

    mutating func seekParent(_ node: Node, _ slot: Slot) throws(JSONataError) -> Slot {
        var slot = slot
        switch node.kind {
        case .name, .wildcard:
            slot.level -= 1
            if slot.level == 0 {
                if let existing = node.ancestor {
                    ancestry[slot.index].slot!.label = existing.label
                    node.ancestor = slot
                } else {
                    node.ancestor = slot
                }
                node.tuple = true
            }
        case .parent:
            slot.level += 1
        case .block:
            if let last = node.expressions.last {
                node.tuple = true
                slot = try seekParent(last, slot)
            }
        case .path:
            node.tuple = true
            var index = node.steps.count - 1
            slot = try seekParent(node.steps[index], slot)
            index -= 1
            while slot.level > 0 && index >= 0 {
                slot = try seekParent(node.steps[index], slot)
                index -= 1
            }
        default:
            throw JSONataError(
                code: "S0217", message: "The object representing the 'parent' cannot be derived from this expression", position: node.position,
                token: "\(node.kind)")
        }
        return slot
    }

    func pushAncestry(_ result: Node, _ value: Node) {
        if value.seekingParent != nil || value.kind == .parent {
            var slots = value.seekingParent ?? []
            if value.kind == .parent { slots.append(value.slot!) }
            if result.seekingParent == nil { result.seekingParent = slots } else { result.seekingParent!.append(contentsOf: slots) }
        }
    }
}
