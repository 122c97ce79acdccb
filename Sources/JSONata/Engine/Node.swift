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

    @exclusivity(unchecked) var kind: Kind
    /// Operator or name text; variable name without `$`; string literal content.
    @exclusivity(unchecked) var text: String
    @exclusivity(unchecked) var position: Int
    @exclusivity(unchecked) var literal: LiteralValue = .null
    @exclusivity(unchecked) var regex: RegexLiteral?

    @exclusivity(unchecked) var lhs: Node?
    @exclusivity(unchecked) var rhs: Node?
    @exclusivity(unchecked) var expression: Node?
    @exclusivity(unchecked) var expressions: [Node] = []
    @exclusivity(unchecked) var steps: [Node] = []
    /// Object constructor pairs (unary `{`), or grouping pairs for binary `{` before processing.
    @exclusivity(unchecked) var pairs: [(Node, Node)] = []
    @exclusivity(unchecked) var group: Group?
    @exclusivity(unchecked) var predicates: [Stage] = []
    @exclusivity(unchecked) var stages: [Stage] = []
    @exclusivity(unchecked) var procedure: Node?
    @exclusivity(unchecked) var arguments: [Node] = []
    @exclusivity(unchecked) var signature: Signature?
    @exclusivity(unchecked) var body: Node?
    @exclusivity(unchecked) var isThunk = false
    @exclusivity(unchecked) var condition: Node?
    @exclusivity(unchecked) var then: Node?
    @exclusivity(unchecked) var otherwise: Node?
    @exclusivity(unchecked) var pattern: Node?
    @exclusivity(unchecked) var update: Node?
    @exclusivity(unchecked) var delete: Node?
    @exclusivity(unchecked) var terms: [SortTerm] = []

    @exclusivity(unchecked) var keepArray = false
    @exclusivity(unchecked) var keepSingletonArray = false
    @exclusivity(unchecked) var consArray = false
    @exclusivity(unchecked) var tuple = false
    @exclusivity(unchecked) var focus: String?
    @exclusivity(unchecked) var indexVar: String?
    @exclusivity(unchecked) var ancestor: Slot?
    @exclusivity(unchecked) var slot: Slot?
    @exclusivity(unchecked) var seekingParent: [Slot]?
    /// Precomputed at compile time: a path of plain field names (the fast path).
    @exclusivity(unchecked) var simpleNames: [String]?
    /// Precomputed at compile time: the library function a variable names, if any.
    @exclusivity(unchecked) var builtin: FunctionRef?

    /// Precomputed at compile time: predicates or a group follow this (non-path) expression.
    @exclusivity(unchecked) var hasPostSteps = false

    /// Precomputed at compile time: a one-argument call of a library function the evaluator
    /// applies inline (still only when the name is not rebound at run time).
    @exclusivity(unchecked) var inlineFunction: InlineFunction?

    /// Precomputed at compile time: the operator of a binary node.
    @exclusivity(unchecked) var binaryOperator: BinaryOperator = .unknown

    /// Precomputed at compile time: how many leading steps of a path are plain field names
    /// (at most all but the last), which evaluation may walk directly while they lead to objects.
    @exclusivity(unchecked) var plainStepPrefix = 0

    /// Precomputed at compile time: an object constructor whose keys are distinct string literals.
    @exclusivity(unchecked) var hasLiteralDistinctKeys = false
    /// For such a constructor: its keys in order, shared by every object it builds.
    @exclusivity(unchecked) var literalKeys: [String] = []
    /// For such a constructor: the value expressions, parallel to `literalKeys`.
    @exclusivity(unchecked) var literalKeyValues: [Node] = []
    /// For such a constructor with few pairs: the keys without the i-th one (one member undefined).
    @exclusivity(unchecked) var literalKeysWithout: [[String]] = []

    /// Prepares evaluation shortcuts over the whole processed tree.
    func finalize() {
        if kind == .unary && text == "{" {
            var seen = Set<ObjectKey>()
            hasLiteralDistinctKeys = pairs.allSatisfy { pair in
                guard pair.0.kind == .string, case .string(let k) = pair.0.literal, !pair.0.hasPostStepsRaw else { return false }
                return seen.insert(ObjectKey(k)).inserted
            }
            if hasLiteralDistinctKeys {
                literalKeys = pairs.map { if case .string(let k) = $0.0.literal { k } else { "" } }
                literalKeyValues = pairs.map(\.1)
                if pairs.count <= 16 {
                    literalKeysWithout = literalKeys.indices.map { i in
                        var keys = literalKeys
                        keys.remove(at: i)
                        return keys
                    }
                }
            }
        }
        hasPostSteps = !predicates.isEmpty || (kind != .path && group != nil)
        switch kind {
        case .binary:
            binaryOperator = BinaryOperator(text)
        case .function:
            if let procedure, procedure.kind == .variable, arguments.count == 1, Library.functions[procedure.text] != nil {
                inlineFunction = InlineFunction(rawValue: procedure.text)
            }
        case .variable:
            builtin = Library.functions[text]
        case .path:
            let isPlain = { (step: Node) in
                step.kind == .name && step.stages.isEmpty && step.predicates.isEmpty && step.group == nil && step.focus == nil
                    && step.indexVar == nil && !step.tuple && !step.keepArray && step.ancestor == nil && !step.consArray
            }
            let plain = steps.allSatisfy(isPlain)
            plainStepPrefix = steps.dropLast().prefix(while: isPlain).count
            if plain && !keepSingletonArray && group == nil && !tuple && !keepArray && predicates.isEmpty { simpleNames = steps.map(\.text) }
        default: break
        }
        for n in [lhs, rhs, expression, procedure, body, condition, then, otherwise, pattern, update, delete] { n?.finalize() }
        for n in expressions { n.finalize() }
        for n in steps { n.finalize() }
        for n in arguments { n.finalize() }
        for (k, v) in pairs {
            k.finalize()
            v.finalize()
        }
        if let group {
            for (k, v) in group.pairs {
                k.finalize()
                v.finalize()
            }
        }
        for s in predicates { s.expr?.finalize() }
        for s in stages { s.expr?.finalize() }
        for t in terms { t.expression.finalize() }
    }

    /// Whether predicates or a group are attached (before `finalize` sets `hasPostSteps`).
    var hasPostStepsRaw: Bool { !predicates.isEmpty || group != nil || !stages.isEmpty }

    init(_ kind: Kind, _ text: String = "", position: Int) {
        self.kind = kind
        self.text = text
        self.position = position
    }
}

/// Library functions of one argument that the evaluator applies without an argument array, for
/// the argument types they accept; other arguments take the general call (and its errors).
enum InlineFunction: String {
    case string, number, length, lowercase, uppercase, trim
}

/// The operator of a binary node, decoded once from its text.
enum BinaryOperator {
    case add, subtract, multiply, divide, modulo
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    case and, or, concatenate, range, `in`
    /// Tokens that are operators only in other positions (`^ { [ @ #`): a syntax error here.
    case misplaced
    case unknown

    init(_ text: String) {
        switch text {
        case "+": self = .add
        case "-": self = .subtract
        case "*": self = .multiply
        case "/": self = .divide
        case "%": self = .modulo
        case "=": self = .equal
        case "!=": self = .notEqual
        case "<": self = .less
        case "<=": self = .lessOrEqual
        case ">": self = .greater
        case ">=": self = .greaterOrEqual
        case "and": self = .and
        case "or": self = .or
        case "&": self = .concatenate
        case "..": self = .range
        case "in": self = .in
        case "^", "{", "[", "@", "#": self = .misplaced
        default: self = .unknown
        }
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
    @exclusivity(unchecked) var label: String
    @exclusivity(unchecked) var level: Int
    let index: Int
    init(label: String, level: Int, index: Int) {
        self.label = label
        self.level = level
        self.index = index
    }
}
