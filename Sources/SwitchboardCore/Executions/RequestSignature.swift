/// What a request asked the provider (`HTTPRequestSpec.signature`), computed only when read: a sync comparing its page
/// requests reads it, a call through the API never does and so pays nothing for it.
public struct RequestSignature: Sendable {
    private let compute: @Sendable () -> String?

    public init(_ compute: @escaping @Sendable () -> String?) { self.compute = compute }

    /// The digest, or nil when the answer depends on more than the request (see `ExecutionResult.requestSignature`).
    public var value: String? { compute() }
}
