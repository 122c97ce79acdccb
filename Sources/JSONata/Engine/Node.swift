/// A node of the expression tree, shaped like the reference implementation's AST objects.
///
/// Nodes are built and rewritten while compiling, then never changed: a compiled expression is
/// shared read-only between threads.
final class Node: @unchecked Sendable {
    enum Kind {
        case path, binary, unary, name, string, number, value, wildcard, descendant, parent
        case condition, block, bind, regex, function, partial, variable, lambda, apply, transform, sort
        case op, end, filterStage
    }

    var kind: Kind
    /// Operator or name text; variable name without `$`; string literal content.
    var text: String
    var position: Int
    var literal: LiteralValue = .null
    var regex: RegexLiteral?

    var lhs: Node?
    var rhs: Node?
    var expression: Node?
    var expressions: [Node] = []
    var steps: [Node] = []
    /// Object constructor pairs (unary `{`), or grouping pairs for binary `{` before processing.
    var pairs: [(Node, Node)] = []
    var group: Group?
    var predicates: [Stage] = []
    var stages: [Stage] = []
    var procedure: Node?
    var arguments: [Node] = []
    var signature: Signature?
    var body: Node?
    var isThunk = false
    var condition: Node?
    var then: Node?
    var otherwise: Node?
    var pattern: Node?
    var update: Node?
    var delete: Node?
    var terms: [SortTerm] = []

    var keepArray = false
    var keepSingletonArray = false
    var consArray = false
    var tuple = false
    var focus: String?
    var indexVar: String?
    var ancestor: Slot?
    var slot: Slot?
    var seekingParent: [Slot]?
    /// Set on `??` conditions: test existence rather than truthiness.
    var isCoalesce = false

    init(_ kind: Kind, _ text: String = "", position: Int) {
        self.kind = kind
        self.text = text
        self.position = position
    }
}

/// Grouping expression `{k: v, ...}` attached to a step.
struct Group {
    var pairs: [(Node, Node)]
    var position: Int
}

/// A predicate `[expr]` or an index binding `#$i` applied to a step's results.
struct Stage {
    enum Kind { case filter, index }
    var kind: Kind
    var expr: Node?
    var variable: String = ""
    var position: Int
}

/// One order-by term.
struct SortTerm {
    var descending: Bool
    var expression: Node
}

/// A parent-operator slot, shared between the `%` node and the step that binds it.
final class Slot: @unchecked Sendable {
    var label: String
    var level: Int
    let index: Int
    init(label: String, level: Int, index: Int) {
        self.label = label
        self.level = level
        self.index = index
    }
}
