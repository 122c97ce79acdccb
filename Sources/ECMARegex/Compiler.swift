/// Translates a ``Node`` tree into a ``Program``.
struct Compiler {
    /// Upper bound on program size; larger expansions (e.g. `(ab){100000}`) are syntax errors.
    static let maxInstructions = 250_000

    private var instructions: [Inst] = []
    private var sets: [CharSet] = []
    private var registerCount = 0
    /// Sets made for repeated literals, so expanded repetitions share them.
    private var literalSets: [UInt32: Int32] = [:]
    /// Sets by content, so a class written many times is compiled once.
    private var setIndex: [ClassSpec.Key: Int32] = [:]
    private let captureCount: Int
    private let ignoreCase: Bool
    /// The case equivalence in use, when ignoring case.
    private let caseFolding: CaseFolding?
    private let multiline: Bool
    private let unicode: Bool

    init(captureCount: Int, ignoreCase: Bool, multiline: Bool, unicode: Bool) {
        self.captureCount = captureCount
        self.ignoreCase = ignoreCase
        self.caseFolding = ignoreCase ? CaseFolding.forMode(unicode: unicode) : nil
        self.multiline = multiline
        self.unicode = unicode
    }

    /// Compiles a whole pattern.
    static func compile(_ node: Node, captureCount: Int, options: ECMARegex.Options) throws(ECMARegexError) -> Program {
        var compiler = Compiler(
            captureCount: captureCount, ignoreCase: options.contains(.ignoreCase),
            multiline: options.contains(.multiline), unicode: options.contains(.unicode))
        let node = compiler.resolveSets(node)
        try compiler.emitNode(node, backward: false)
        try compiler.emit(.match)
        let first = compiler.firstInfo(node)
        let firstSet: FirstSet? = if let first, !first.canBeEmpty { first.set } else { nil }
        return Program(
            instructions: compiler.instructions, sets: compiler.sets,
            slotCount: 2 * (captureCount + 1) + compiler.registerCount, captureCount: captureCount,
            firstSet: firstSet, anchoredAtStart: !compiler.multiline && Compiler.anchored(node),
            caseFolding: compiler.caseFolding, foldedWordCharacters: compiler.ignoreCase && compiler.unicode)
    }

    // MARK: - Emission

    @discardableResult
    private mutating func emit(_ inst: Inst, offset: Int = 0) throws(ECMARegexError) -> Int {
        if instructions.count >= Compiler.maxInstructions {
            throw .syntax(message: "pattern too large after expanding repetitions", offset: offset)
        }
        instructions.append(inst)
        return instructions.count - 1
    }

    private mutating func addSet(_ spec: ClassSpec) -> Int32 {
        let key = spec.key
        if let index = setIndex[key] { return index }
        sets.append(CharSet(spec, caseFolding: caseFolding))
        let index = Int32(sets.count - 1)
        setIndex[key] = index
        return index
    }

    /// Compiles every class (and every literal with case variants under `i`) into the set table once.
    private mutating func resolveSets(_ node: Node) -> Node {
        switch node {
        case .char(let c):
            if let caseFolding, caseFolding.equivalents(of: c).count > 1 {
                var spec = ClassSpec()
                spec.ranges = [c...c]
                return .setRef(addSet(spec))
            }
            return node
        case .charClass(let spec):
            return .setRef(addSet(spec))
        case .empty, .setRef, .backreference, .assertion:
            return node
        case .sequence(let nodes):
            return .sequence(nodes.map { resolveSets($0) })
        case .alternation(let nodes):
            if let merged = Compiler.mergedSingleScalarAlternatives(nodes) {
                return .setRef(addSet(merged))
            }
            return .alternation(nodes.map { resolveSets($0) })
        case .group(let inner, let capture):
            return .group(resolveSets(inner), capture: capture)
        case .look(let inner, let behind, let negative):
            return .look(resolveSets(inner), behind: behind, negative: negative)
        case .quantified(let inner, let min, let max, let greedy, let offset):
            return .quantified(resolveSets(inner), min: min, max: max, greedy: greedy, offset: offset)
        }
    }

    /// `a|b|[c-e]` as one class: alternatives that each match exactly one scalar (and capture
    /// nothing) behave like the union of their sets, whatever their order.
    private static func mergedSingleScalarAlternatives(_ nodes: [Node]) -> ClassSpec? {
        var merged = ClassSpec()
        for node in nodes {
            switch node {
            case .char(let c):
                merged.ranges.append(c...c)
            case .charClass(let spec) where !spec.negated:
                merged.ranges += spec.ranges
                merged.properties += spec.properties
            default:
                return nil
            }
        }
        return merged
    }

    /// The set index for a single-scalar node, or nil when the node is not one scalar wide.
    private mutating func singleScalarSet(_ node: Node) -> Int32? {
        switch node {
        case .char(let c):
            if let index = literalSets[c] { return index }
            var spec = ClassSpec()
            spec.ranges = [c...c]
            let index = addSet(spec)
            literalSets[c] = index
            return index
        case .setRef(let index):
            return index
        case .charClass(let spec):
            return addSet(spec)
        case .group(let inner, nil):
            return singleScalarSet(inner)
        default:
            return nil
        }
    }

    /// Emits `node`. Each recursive case has its own small function so that deep patterns use
    /// little machine stack per nesting level (debug builds allocate every case's locals at once).
    private mutating func emitNode(_ node: Node, backward: Bool, offset: Int = 0) throws(ECMARegexError) {
        switch node {
        case .sequence(let nodes):
            try emitSequence(nodes, backward: backward, offset: offset)
        case .alternation(let alternatives):
            try emitAlternation(alternatives, backward: backward, offset: offset)
        case .group(let inner, let capture):
            try emitGroup(inner, capture: capture, backward: backward, offset: offset)
        case .look(let inner, let behind, let negative):
            try emitLook(inner, behind: behind, negative: negative, offset: offset)
        case .quantified(let inner, let min, let max, let greedy, let quantifierOffset):
            try emitQuantifier(inner, min: min, max: max, greedy: greedy, backward: backward, offset: quantifierOffset)
        default:
            try emitLeaf(node, backward: backward, offset: offset)
        }
    }

    private mutating func emitLeaf(_ node: Node, backward: Bool, offset: Int) throws(ECMARegexError) {
        switch node {
        case .char(let c):
            try emit(backward ? .charBack(c) : .char(c), offset: offset)
        case .charClass(let spec):
            let index = addSet(spec)
            try emit(backward ? .setBack(index) : .set(index), offset: offset)
        case .setRef(let index):
            try emit(backward ? .setBack(index) : .set(index), offset: offset)
        case .backreference(let group):
            try emit(.backref(Int32(group), back: backward), offset: offset)
        case .assertion(let kind):
            switch kind {
            case .start: try emit(multiline ? .lineStart : .textStart, offset: offset)
            case .end: try emit(multiline ? .lineEnd : .textEnd, offset: offset)
            case .wordBoundary: try emit(.wordBoundary, offset: offset)
            case .notWordBoundary: try emit(.notWordBoundary, offset: offset)
            }
        default:
            break
        }
    }

    private mutating func emitSequence(_ nodes: [Node], backward: Bool, offset: Int) throws(ECMARegexError) {
        if backward {
            for node in nodes.reversed() { try emitNode(node, backward: true, offset: offset) }
        } else {
            for node in nodes { try emitNode(node, backward: false, offset: offset) }
        }
    }

    private mutating func emitAlternation(_ alternatives: [Node], backward: Bool, offset: Int) throws(ECMARegexError) {
        var jumps: [Int] = []
        for (index, alternative) in alternatives.enumerated() {
            if index < alternatives.count - 1 {
                let split = try emit(.split(0, 0), offset: offset)
                try emitNode(alternative, backward: backward, offset: offset)
                jumps.append(try emit(.jump(0), offset: offset))
                instructions[split] = .split(Int32(split + 1), Int32(instructions.count))
            } else {
                try emitNode(alternative, backward: backward, offset: offset)
            }
        }
        for jump in jumps { instructions[jump] = .jump(Int32(instructions.count)) }
    }

    private mutating func emitGroup(_ inner: Node, capture: Int?, backward: Bool, offset: Int) throws(ECMARegexError) {
        guard let capture else {
            try emitNode(inner, backward: backward, offset: offset)
            return
        }
        let open = Int32(2 * capture)
        try emit(.save(backward ? open + 1 : open), offset: offset)
        try emitNode(inner, backward: backward, offset: offset)
        try emit(.save(backward ? open : open + 1), offset: offset)
    }

    private mutating func emitLook(_ inner: Node, behind: Bool, negative: Bool, offset: Int) throws(ECMARegexError) {
        let slots = inner.captureRange.map { (Int32(2 * $0.lowerBound), Int32(2 * $0.upperBound + 2)) } ?? (0, 0)
        let look = try emit(.look(negative: negative, end: 0, slotLo: slots.0, slotHi: slots.1), offset: offset)
        try emitNode(inner, backward: behind, offset: offset)
        try emit(.lookEnd, offset: offset)
        instructions[look] = .look(negative: negative, end: Int32(instructions.count), slotLo: slots.0, slotHi: slots.1)
    }

    private mutating func emitQuantifier(
        _ inner: Node, min: Int, max: Int?, greedy: Bool, backward: Bool, offset: Int
    ) throws(ECMARegexError) {
        if max == 0 { return }
        if let set = singleScalarSet(inner) {
            try emit(
                .repeatSet(set: set, min: Int32(min), max: Int32(max ?? -1), greedy: greedy, back: backward),
                offset: offset)
            return
        }
        let captures = inner.captureRange.map { (Int32(2 * $0.lowerBound), Int32(2 * $0.upperBound + 2)) }
        let nullable = inner.canMatchEmpty
        if min > Compiler.maxInstructions || (max ?? 0) > Compiler.maxInstructions {
            throw .syntax(message: "pattern too large after expanding repetitions", offset: offset)
        }
        // Mandatory iterations.
        for _ in 0..<min {
            if let captures { try emit(.clear(captures.0, captures.1), offset: offset) }
            try emitNode(inner, backward: backward, offset: offset)
        }
        let register: Int32? = nullable ? Int32(2 * (captureCount + 1) + registerCount) : nil
        if nullable { registerCount += 1 }
        if let max {
            // Optional iterations: each may be skipped, all skips go to the same exit.
            var splits: [Int] = []
            for _ in min..<max {
                splits.append(try emit(.split(0, 0), offset: offset))
                try emitIteration(inner, captures: captures, register: register, backward: backward, offset: offset)
            }
            let exit = Int32(instructions.count)
            for split in splits {
                let body = Int32(split + 1)
                instructions[split] = greedy ? .split(body, exit) : .split(exit, body)
            }
        } else {
            let loop = try emit(.split(0, 0), offset: offset)
            try emitIteration(inner, captures: captures, register: register, backward: backward, offset: offset)
            try emit(.jump(Int32(loop)), offset: offset)
            let exit = Int32(instructions.count)
            let body = Int32(loop + 1)
            instructions[loop] = greedy ? .split(body, exit) : .split(exit, body)
        }
    }

    private mutating func emitIteration(
        _ inner: Node, captures: (Int32, Int32)?, register: Int32?, backward: Bool, offset: Int
    ) throws(ECMARegexError) {
        if let register { try emit(.mark(register), offset: offset) }
        if let captures { try emit(.clear(captures.0, captures.1), offset: offset) }
        try emitNode(inner, backward: backward, offset: offset)
        if let register { try emit(.progress(register), offset: offset) }
    }

    // MARK: - Start-position analysis

    struct FirstInfo {
        var set = FirstSet()
        var canBeEmpty: Bool
    }

    /// The scalars a match of `node` can start with; nil when unknown.
    private func firstInfo(_ node: Node) -> FirstInfo? {
        switch node {
        case .empty, .assertion, .look:
            return FirstInfo(canBeEmpty: true)
        case .backreference:
            return nil
        case .char(let c):
            var info = FirstInfo(canBeEmpty: false)
            let scalars = caseFolding?.equivalents(of: c) ?? [c]
            for s in scalars {
                if s < 64 {
                    info.set.low |= 1 << UInt64(s)
                } else if s < 128 {
                    info.set.high |= 1 << UInt64(s - 64)
                } else {
                    info.set.nonASCII = true
                }
            }
            return info
        case .charClass(let spec):
            return firstInfo(of: CharSet(spec, caseFolding: caseFolding))
        case .setRef(let index):
            return firstInfo(of: sets[Int(index)])
        case .sequence(let nodes):
            var result = FirstInfo(canBeEmpty: true)
            for node in nodes {
                guard let info = firstInfo(node) else { return nil }
                result.set.formUnion(info.set)
                if !info.canBeEmpty {
                    result.canBeEmpty = false
                    return result
                }
            }
            return result
        case .alternation(let nodes):
            var result = FirstInfo(canBeEmpty: false)
            for node in nodes {
                guard let info = firstInfo(node) else { return nil }
                result.set.formUnion(info.set)
                result.canBeEmpty = result.canBeEmpty || info.canBeEmpty
            }
            return result
        case .group(let inner, _):
            return firstInfo(inner)
        case .quantified(let inner, let min, let max, _, _):
            if max == 0 { return FirstInfo(canBeEmpty: true) }
            guard var info = firstInfo(inner) else { return nil }
            if min == 0 { info.canBeEmpty = true }
            return info
        }
    }

    private func firstInfo(of set: CharSet) -> FirstInfo {
        var info = FirstInfo(canBeEmpty: false)
        info.set.low = set.asciiLow
        info.set.high = set.asciiHigh
        info.set.nonASCII = set.negated || !set.ranges.isEmpty || !set.properties.isEmpty
        return info
    }

    /// Whether every match must start with `^`.
    private static func anchored(_ node: Node) -> Bool {
        switch node {
        case .assertion(.start): true
        case .sequence(let nodes): nodes.first.map(anchored) ?? false
        case .alternation(let nodes): nodes.allSatisfy(anchored)
        case .group(let inner, _): anchored(inner)
        default: false
        }
    }
}
