/// A frame of variable bindings; lookups walk outwards, then fall back to the function library.
///
/// The first binding is stored inline (most frames hold one or two), the rest in arrays.
final class Frame {
    @exclusivity(unchecked) var firstName: String?
    @exclusivity(unchecked) var firstValue: Value?
    @exclusivity(unchecked) var names: [String] = []
    @exclusivity(unchecked) var values: [Value?] = []
    let parent: Frame?

    init(parent: Frame?) {
        self.parent = parent
    }

    func bind(_ name: String, _ value: Value?) {
        if firstName == nil || Library.sameString(firstName!, name) {
            firstName = name
            firstValue = value
        } else if let i = names.lastIndex(where: { Library.sameString($0, name) }) {
            values[i] = value
        } else {
            names.append(name)
            values.append(value)
        }
    }

    /// The binding in this frame only: `.some(value)` when bound (possibly to undefined). Names compare by
    /// code units, as the reference's bindings object compares its property names.
    @inline(__always)
    func local(_ name: String) -> Value?? {
        guard let first = firstName else { return .none }
        if Library.sameString(first, name) { return .some(firstValue) }
        var i = names.count - 1
        while i >= 0 {
            if Library.sameString(names[i], name) { return .some(values[i]) }
            i -= 1
        }
        return .none
    }

    /// Looks `name` up, falling back to `builtin` (resolved at compile time) instead of the library table.
    func lookup(_ name: String, builtin: FunctionRef?) -> Value? {
        // Walks the chain without retaining each frame: `self` keeps its (immutable) parents alive.
        var frame: Unmanaged<Frame>? = .passUnretained(self)
        while let f = frame {
            if let v = f._withUnsafeGuaranteedRef({ $0.local(name) }) { return v }
            frame = f._withUnsafeGuaranteedRef { $0.parent.map { .passUnretained($0) } }
        }
        if let builtin { return .function(builtin) }
        return nil
    }

    func lookup(_ name: String) -> Value? {
        var frame: Frame? = self
        while let f = frame {
            if let v = f.local(name) { return v }
            frame = f.parent
        }
        if let b = Library.functions[name] { return .function(b) }
        return nil
    }
}

/// A callable value: a lambda closure, a library function, a partial application, a chain or a
/// transform, all invoked through `Evaluator.apply`.
final class FunctionRef: @unchecked Sendable {
    enum Kind {
        case lambda(Lambda)
        case native(Builtin)
        /// A library function with some arguments fixed; `nil` entries are the `?` holes.
        case partialNative(Builtin, [Value??])
        case transform(Node, Frame)
        case chain(FunctionRef, FunctionRef)
        case regex(RegexLiteral)
    }

    let kind: Kind
    /// The library function when `kind` is `.native` (read on every call without copying `kind`).
    let native: Builtin?

    init(_ kind: Kind) {
        self.kind = kind
        if case .native(let b) = kind { native = b } else { native = nil }
    }

    /// How many arguments the function takes (higher-order functions pass that many).
    var arity: Int {
        switch kind {
        case .lambda(let l): l.params.count
        case .native(let b): b.arity
        case .partialNative(_, let args): args.filter { $0 == nil }.count
        case .transform, .chain, .regex: 1
        }
    }
}

/// A lambda closure: parameters, body, and the environment and input it was created in.
struct Lambda {
    var params: [String]
    var signature: Signature?
    var body: Node
    var env: Frame
    var input: Value?
    var isThunk: Bool
}

/// A library function.
final class Builtin: Sendable {
    typealias Implementation = @Sendable (Evaluator, [Value?], CallContext) throws(JSONataError) -> Value?
    let name: String
    let signature: Signature?
    let arity: Int
    let implementation: Implementation

    init(name: String, signature: Signature?, arity: Int, implementation: @escaping Implementation) {
        self.name = name
        self.signature = signature
        self.arity = arity
        self.implementation = implementation
    }
}

/// What a library function sees besides its arguments.
struct CallContext {
    var input: Value?
    var env: Frame
}
