/// One backtracking frame: an alternative to resume, or a slot value to restore.
struct Frame {
    static let branch = 0
    static let restore = 1
    static let greedy = 2
    static let lazy = 3

    var kind: Int
    /// Instruction to resume at (branch), or the repeat instruction (greedy/lazy).
    var pc: Int
    /// Position to resume at, or the value to restore.
    var pos: Int
    /// Slot to restore (restore), minimum position (greedy), iteration count (lazy).
    var aux: Int
}

/// The outcome of one search.
enum SearchResult {
    case found
    case notFound
    case tooComplex
}

/// Executes a ``Program`` over UTF-8 text with an explicit backtrack stack.
///
/// The matcher works on borrowed buffers (the text, the slots and an initial stack that the
/// caller allocates on the machine stack), so a simple search allocates nothing.
struct Matcher {
    private let text: UnsafePointer<UInt8>
    private let end: Int
    private let program: Program
    private let instructions: UnsafeBufferPointer<Inst>
    private let sets: UnsafeBufferPointer<CharSet>
    /// The sets' ASCII bitmaps, two words per set, for the hot path.
    private let asciiBits: UnsafePointer<UInt64>
    /// Capture slots and registers; valid after a successful search.
    let slots: UnsafeMutablePointer<Int>
    private var stack: UnsafeMutablePointer<Frame>
    private var stackCount = 0
    private var stackCapacity: Int
    private var ownsStack = false
    private var steps = 0
    private let maxSteps: Int
    private var exceeded = false
    private var matchEnd = 0

    init(
        text: UnsafeBufferPointer<UInt8>, program: Program, slots: UnsafeMutablePointer<Int>, stack: UnsafeMutableBufferPointer<Frame>,
        maxSteps: Int
    ) {
        self.asciiBits = program.asciiBits.baseAddress!
        self.text = text.baseAddress ?? UnsafePointer(bitPattern: 1)!
        self.end = text.count
        self.program = program
        self.instructions = program.instructions
        self.sets = program.sets
        self.slots = slots
        self.stack = stack.baseAddress!
        self.stackCapacity = stack.count
        self.maxSteps = maxSteps
    }

    /// Releases a heap-grown backtrack stack.
    mutating func releaseStack() {
        if ownsStack {
            stack.deallocate()
            ownsStack = false
        }
    }

    // MARK: - Search

    /// Finds the first match starting at or after byte offset `from`.
    /// On `.found`, `slots[0]` and `slots[1]` hold the match bounds.
    mutating func search(from: Int, sticky: Bool) -> SearchResult {
        var start = Swift.min(Swift.max(from, 0), end)
        if sticky {
            while start > 0 && start < end && text[start] & 0xC0 == 0x80 { start -= 1 }  // round down
        } else {
            while start < end && text[start] & 0xC0 == 0x80 { start += 1 }  // round up
        }
        if program.anchoredAtStart && start > 0 { return .notFound }
        let firstSet = sticky ? nil : program.firstSet
        while true {
            if let firstSet {
                while start < end {
                    let b = text[start]
                    if b < 0x80 ? firstSet.containsASCII(b) : (firstSet.nonASCII && b >= 0xC0) { break }
                    start += 1
                }
                if start >= end { return .notFound }
            }
            for i in 0..<program.slotCount { slots[i] = -1 }
            stackCount = 0
            if run(pc: 0, pos: start, base: 0) {
                slots[0] = start
                slots[1] = matchEnd
                return .found
            }
            if exceeded { return .tooComplex }
            if sticky || program.anchoredAtStart || start >= end { return .notFound }
            if let run = program.leadingRunSet {
                while true {
                    let next = stepForward(run, start)
                    if next < 0 { break }
                    start = next
                }
                if start >= end { return .notFound }
            }
            start += Matcher.scalarLength(text[start])
        }
    }

    // MARK: - UTF-8

    @inline(__always)
    private static func scalarLength(_ b: UInt8) -> Int {
        b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
    }

    /// Decodes the scalar starting at `p` (`p < end`).
    @inline(__always)
    private func decode(_ p: Int) -> (UInt32, Int) {
        let b0 = UInt32(text[p])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[p + 1]) & 0x3F, 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | (UInt32(text[p + 1]) & 0x3F) << 6 | UInt32(text[p + 2]) & 0x3F, 3)
        }
        return (
            (b0 & 0x07) << 18 | (UInt32(text[p + 1]) & 0x3F) << 12 | (UInt32(text[p + 2]) & 0x3F) << 6
                | UInt32(text[p + 3]) & 0x3F, 4
        )
    }

    /// Decodes the scalar ending at `p` (`p > 0`).
    @inline(__always)
    private func decodeBefore(_ p: Int) -> (UInt32, Int) {
        var q = p - 1
        if text[q] < 0x80 { return (UInt32(text[q]), 1) }
        while text[q] & 0xC0 == 0x80 { q -= 1 }
        return (decode(q).0, p - q)
    }

    @inline(__always)
    private func setContains(_ index: Int32, _ c: UInt32) -> Bool {
        c < 0x80 ? asciiMember(Int(index), UInt8(truncatingIfNeeded: c)) : nonASCIIMember(Int(index), c)
    }

    /// Membership of a scalar >= U+0080, from the program's flat tables.
    private func nonASCIIMember(_ set: Int, _ c: UInt32) -> Bool {
        let layout = program.layouts[set]
        if layout.latinStart >= 0 && c < CharSet.latinLimit {
            let bit = Int(c &- 0x80)
            return (program.latinData[layout.latinStart &+ bit &>> 6] &>> UInt64(bit & 63)) & 1 != 0
        }
        let ranges = program.rangeData.baseAddress! + layout.rangeStart
        var lo = 0
        var hi = layout.rangeCount
        while lo < hi {
            let mid = (lo &+ hi) &>> 1
            if ranges[2 &* mid &+ 1] < c {
                lo = mid &+ 1
            } else if ranges[2 &* mid] > c {
                hi = mid
            } else {
                return !layout.negated
            }
        }
        if layout.hasProperties {
            return sets[set].propertiesContain(c) != layout.negated
        }
        return layout.negated
    }

    @inline(__always)
    private func isWordCharacter(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F
        }
        return program.foldedWordCharacters && (c == 0x17F || c == 0x212A)
    }

    @inline(__always)
    private func isLineTerminator(_ c: UInt32) -> Bool {
        c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029
    }

    @inline(__always)
    private func isWordBoundary(_ pos: Int) -> Bool {
        let before = pos > 0 && isWordCharacter(decodeBefore(pos).0)
        let after = pos < end && isWordCharacter(decode(pos).0)
        return before != after
    }

    // MARK: - Stack

    @inline(__always)
    private mutating func push(_ kind: Int, _ pc: Int, _ pos: Int, _ aux: Int) {
        steps &+= 1  // every frame costs a step, so the stack's memory is bounded by the budget
        if stackCount == stackCapacity { grow() }
        stack[stackCount] = Frame(kind: kind, pc: pc, pos: pos, aux: aux)
        stackCount += 1
    }

    private mutating func grow() {
        let capacity = stackCapacity * 2
        let bigger = UnsafeMutablePointer<Frame>.allocate(capacity: capacity)
        bigger.initialize(from: stack, count: stackCount)
        if ownsStack { stack.deallocate() }
        stack = bigger
        stackCapacity = capacity
        ownsStack = true
    }

    @inline(__always)
    private mutating func setSlot(_ slot: Int, _ value: Int) {
        push(Frame.restore, 0, slots[slot], slot)
        slots[slot] = value
    }

    /// Pops frames down to `base`, applying slot restores.
    private mutating func unwind(to base: Int) {
        while stackCount > base {
            stackCount -= 1
            let frame = stack[stackCount]
            if frame.kind == Frame.restore { slots[frame.aux] = frame.pos }
        }
    }

    // MARK: - Backreferences

    /// Matches the text of `group` at `pos` (forward) or ending at `pos` (backward); returns the new position.
    private func matchBackreference(_ group: Int, at pos: Int, backward: Bool) -> Int? {
        let s = slots[2 * group]
        let e = slots[2 * group + 1]
        if s < 0 || e < 0 { return pos }
        let length = e - s
        guard let folding = program.caseFolding else {
            if backward {
                guard pos - length >= 0 else { return nil }
                for i in 0..<length where text[pos - length + i] != text[s + i] { return nil }
                return pos - length
            }
            guard pos + length <= end else { return nil }
            for i in 0..<length where text[pos + i] != text[s + i] { return nil }
            return pos + length
        }
        if backward {
            var p = pos
            var q = e
            while q > s {
                guard p > 0 else { return nil }
                let (a, la) = decodeBefore(p)
                let (b, lb) = decodeBefore(q)
                if a != b && folding.fold(a) != folding.fold(b) { return nil }
                p -= la
                q -= lb
            }
            return p
        }
        var p = pos
        var q = s
        while q < e {
            guard p < end else { return nil }
            let (a, la) = decode(p)
            let (b, lb) = decode(q)
            if a != b && folding.fold(a) != folding.fold(b) { return nil }
            p += la
            q += lb
        }
        return p
    }

    // MARK: - Repeats

    /// Whether the ASCII scalar `b` is in set `set`.
    @inline(__always)
    private func asciiMember(_ set: Int, _ b: UInt8) -> Bool {
        (asciiBits[2 &* set &+ Int(b &>> 6)] &>> UInt64(b & 63)) & 1 != 0
    }

    /// The position after the scalar at `pos` if it is in `set`, else -1.
    @inline(__always)
    private func stepForward(_ set: Int, _ pos: Int) -> Int {
        guard pos < end else { return -1 }
        let b = text[pos]
        if b < 0x80 {
            return asciiMember(set, b) ? pos &+ 1 : -1
        }
        let (c, length) = decode(pos)
        return nonASCIIMember(set, c) ? pos &+ length : -1
    }

    /// The position before the scalar ending at `pos` if it is in `set`, else -1.
    @inline(__always)
    private func stepBackward(_ set: Int, _ pos: Int) -> Int {
        guard pos > 0 else { return -1 }
        let (c, length) = decodeBefore(pos)
        return setContains(Int32(set), c) ? pos - length : -1
    }

    @inline(__always)
    private func step(_ set: Int32, _ pos: Int, backward: Bool) -> Int {
        backward ? stepBackward(Int(set), pos) : stepForward(Int(set), pos)
    }

    // MARK: - Execution

    /// Runs from `pc` at `pos` until `match`/`lookEnd` (true) or until the stack unwinds to `base` (false).
    private mutating func run(pc startPC: Int, pos startPos: Int, base: Int) -> Bool {
        var pc = startPC
        var pos = startPos
        while true {
            steps &+= 1
            if steps > maxSteps {
                exceeded = true
                return false
            }
            execute: switch instructions[pc] {
            case .char(let c):
                if c < 0x80 {
                    if pos < end && text[pos] == UInt8(truncatingIfNeeded: c) {
                        pos += 1
                        pc += 1
                        continue
                    }
                } else if pos < end {
                    let (d, length) = decode(pos)
                    if d == c {
                        pos += length
                        pc += 1
                        continue
                    }
                }
            case .charBack(let c):
                if pos > 0 {
                    let (d, length) = decodeBefore(pos)
                    if d == c {
                        pos -= length
                        pc += 1
                        continue
                    }
                }
            case .set(let index):
                let next = stepForward(Int(index), pos)
                if next >= 0 {
                    pos = next
                    pc += 1
                    continue
                }
            case .setBack(let index):
                let next = stepBackward(Int(index), pos)
                if next >= 0 {
                    pos = next
                    pc += 1
                    continue
                }
            case .repeatSet(let set, let min, let max, let greedy, let backward):
                var count = 0
                var p = pos
                while count < Int(min) {
                    let next = step(set, p, backward: backward)
                    if next < 0 { break execute }
                    p = next
                    count += 1
                }
                steps &+= count
                if greedy {
                    let minPos = p
                    let limit = max < 0 ? Int.max : Int(max)
                    let setIndex = Int(set)
                    if backward {
                        while count < limit {
                            let next = stepBackward(setIndex, p)
                            if next < 0 { break }
                            p = next
                            count += 1
                        }
                    } else {
                        while count < limit && p < end {
                            let b = text[p]
                            if b < 0x80 {
                                if !asciiMember(setIndex, b) { break }
                                p &+= 1
                            } else {
                                let next = stepForward(setIndex, p)
                                if next < 0 { break }
                                p = next
                            }
                            count &+= 1
                        }
                    }
                    steps &+= count
                    if p != minPos { push(Frame.greedy, pc, p, minPos) }
                } else if max < 0 || count < Int(max) {
                    push(Frame.lazy, pc, p, count)
                }
                pos = p
                pc += 1
                continue
            case .split(let first, let second):
                push(Frame.branch, Int(second), pos, 0)
                pc = Int(first)
                continue
            case .jump(let target):
                pc = Int(target)
                continue
            case .save(let slot):
                setSlot(Int(slot), pos)
                pc += 1
                continue
            case .clear(let lo, let hi):
                for slot in Int(lo)..<Int(hi) where slots[slot] >= 0 { setSlot(slot, -1) }
                pc += 1
                continue
            case .textStart:
                if pos == 0 {
                    pc += 1
                    continue
                }
            case .textEnd:
                if pos == end {
                    pc += 1
                    continue
                }
            case .lineStart:
                if pos == 0 || isLineTerminator(decodeBefore(pos).0) {
                    pc += 1
                    continue
                }
            case .lineEnd:
                if pos == end || isLineTerminator(decode(pos).0) {
                    pc += 1
                    continue
                }
            case .wordBoundary:
                if isWordBoundary(pos) {
                    pc += 1
                    continue
                }
            case .notWordBoundary:
                if !isWordBoundary(pos) {
                    pc += 1
                    continue
                }
            case .backref(let group, let backward):
                if let next = matchBackreference(Int(group), at: pos, backward: backward) {
                    pos = next
                    pc += 1
                    continue
                }
            case .mark(let register):
                setSlot(Int(register), pos)
                pc += 1
                continue
            case .progress(let register):
                if slots[Int(register)] != pos {
                    pc += 1
                    continue
                }
            case .look(let negative, let lookEnd, let slotLo, let slotHi):
                let outer = stackCount
                for slot in Int(slotLo)..<Int(slotHi) { push(Frame.restore, 0, slots[slot], slot) }
                let inner = stackCount
                let matched = run(pc: pc + 1, pos: pos, base: inner)
                if exceeded { return false }
                if matched && !negative {
                    stackCount = inner  // atomic: drop the body's alternatives, keep the capture restores
                    pc = Int(lookEnd)
                    continue
                }
                unwind(to: outer)
                if !matched && negative {
                    pc = Int(lookEnd)
                    continue
                }
            case .lookEnd:
                return true
            case .match:
                matchEnd = pos
                return true
            }

            // Failure: resume the most recent alternative.
            backtrack: while true {
                if stackCount <= base { return false }
                stackCount -= 1
                let frame = stack[stackCount]
                switch frame.kind {
                case Frame.restore:
                    slots[frame.aux] = frame.pos
                case Frame.branch:
                    pc = frame.pc
                    pos = frame.pos
                    break backtrack
                case Frame.greedy:
                    steps &+= 1
                    guard case .repeatSet(_, _, _, _, let backward) = instructions[frame.pc] else {
                        preconditionFailure("repeat frame without a repeat instruction")
                    }
                    var p = frame.pos
                    if !backward, case .char(let c) = instructions[frame.pc + 1], c < 0x80 {
                        // Give back scalars until the next byte is the literal that must follow.
                        let byte = UInt8(truncatingIfNeeded: c)
                        repeat { p -= 1 } while p > frame.aux && text[p] != byte
                        if text[p] != byte { continue backtrack }
                    } else {
                        p = backward ? p + Matcher.scalarLength(text[p]) : p - decodeBefore(p).1
                    }
                    if p != frame.aux { push(Frame.greedy, frame.pc, p, frame.aux) }
                    pc = frame.pc + 1
                    pos = p
                    break backtrack
                default:  // lazy
                    steps &+= 1
                    guard case .repeatSet(let set, _, let max, _, let backward) = instructions[frame.pc] else {
                        preconditionFailure("repeat frame without a repeat instruction")
                    }
                    let next = step(set, frame.pos, backward: backward)
                    if next < 0 { continue backtrack }
                    let count = frame.aux + 1
                    if max < 0 || count < Int(max) { push(Frame.lazy, frame.pc, next, count) }
                    pc = frame.pc + 1
                    pos = next
                    break backtrack
                }
            }
        }
    }
}
