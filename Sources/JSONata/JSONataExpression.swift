import JSONValue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bounds on one evaluation, so user-supplied expressions are safe to run on a server.
///
/// Exceeding the depth or the time limit throws `U1001`, as the reference's guardrails do; a result larger
/// than `maxResultSize` throws `U1002`.
public struct EvaluationLimits: Sendable, Equatable {
    /// The deepest nesting of expression evaluation allowed (recursion depth).
    public var maxDepth: Int
    /// Wall-clock budget for one evaluation, including the conversion of its result to JSON; `nil` for none.
    public var timeLimit: Duration?
    /// The largest result allowed, in bytes of its compact JSON text (counted while the result is converted to
    /// JSON, before anyone serializes it); `nil` for none. A small expression can return the same large value many
    /// times over (`[1..1000].$big`), so without it the text written after the evaluation is unbounded.
    public var maxResultSize: Int?

    /// Independently of `maxDepth`, evaluation also throws `U1001` before it would exhaust the
    /// calling thread's native stack (whatever its size), so it never crashes on deep recursion.
    public init(maxDepth: Int = 5000, timeLimit: Duration? = .seconds(10), maxResultSize: Int? = EvaluationLimits.defaultMaxResultSize) {
        self.maxDepth = maxDepth
        self.timeLimit = timeLimit
        self.maxResultSize = maxResultSize
    }

    /// 64 MiB of JSON text.
    public static let defaultMaxResultSize = 64 << 20

    /// Depth 5000, 10 seconds, results up to 64 MiB.
    public static let `default` = EvaluationLimits()
}

/// A compiled JSONata expression: immutable, `Sendable`, safe to cache and share across threads.
///
/// ```swift
/// let expr = try JSONataExpression(compiling: "Account.Order.Product.Price")
/// let total = try expr.evaluate(input: order)  // nil means undefined
/// ```
public struct JSONataExpression: Sendable {
    /// The source text.
    public let source: String
    let ast: Node

    /// Parses and prepares `source`; syntax errors are thrown here (codes `S0xxx`).
    public init(compiling source: String) throws(JSONataError) {
        self.source = source
        ast = try ASTProcessor.process(try Parser.parse(source))
    }

    /// Evaluates the expression against `input` with extra variable `bindings` (names without `$`).
    ///
    /// The result's conversion to JSON is part of the evaluation: it counts towards the time limit, a result
    /// holding a number JSON cannot represent (`$sum([1e308, 1e308])` is infinite) throws `D1001`, and one
    /// larger than `limits.maxResultSize` throws `U1002`.
    ///
    /// - Returns: the result, or `nil` when the result is undefined.
    public func evaluate(input: JSON?, bindings: [String: JSON] = [:], limits: EvaluationLimits = .default) throws(JSONataError) -> JSON? {
        let evaluator = Evaluator(limits: limits)
        let result = try evaluateValue(
            input: input.map(Value.init), bindings: bindings.isEmpty ? [:] : bindings.mapValues(Value.init), evaluator: evaluator)
        guard let result else { return nil }
        var conversion = ResultConversion(evaluator: evaluator, maxSize: limits.maxResultSize)
        return try conversion.json(result)
    }

    func evaluateValue(input: Value?, bindings: [String: Value], limits: EvaluationLimits) throws(JSONataError) -> Value? {
        try evaluateValue(input: input, bindings: bindings, evaluator: Evaluator(limits: limits))
    }

    func evaluateValue(input: Value?, bindings: [String: Value], evaluator: Evaluator) throws(JSONataError) -> Value? {
        let env = Frame(parent: nil)
        for (k, v) in bindings { env.bind(k, v) }
        env.bind("$", input)
        var wrapped = input
        if case .array(let a, let f)? = input, !f.contains(.sequence) {
            wrapped = .array([.array(a, f)], [.sequence, .outerWrapper])
        }
        return try evaluator.evaluate(ast, wrapped, env)
    }

    static func nowMillis() -> Double {
        let d = ContinuousClock.now - JSONataExpression.clockOrigin
        let (s, atto) = d.components
        return (JSONataExpression.originMillis + Double(s) * 1000 + Double(atto) / 1e15).rounded(.down)
    }

    static let clockOrigin = ContinuousClock.now
    static let originMillis: Double = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec / 1_000_000)
    }()
}
