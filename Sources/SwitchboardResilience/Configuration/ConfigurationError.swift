/// A resilience configuration that could not be decoded: every problem found, each with its field path.
///
/// Decoding does not stop at the first problem, so a definition author sees all of them at once:
///
/// ```
/// resilience.retry.maxAttempts: must be an integer between 1 and 100 (got 0)
/// resilience.rateLimit.algorithm: must be one of fixed_window, sliding_window, token_bucket, gcra (got "leaky")
/// ```
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem at one field.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// The dotted path of the field, e.g. `resilience.retry.maxAttempts` or `resilience.retry.retryOn[2]`.
        public var path: String
        /// What is wrong, in words a definition author understands.
        public var message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { "\(path): \(message)" }
    }

    /// The stable machine code of this error.
    public static let code = "INVALID_RESILIENCE_CONFIGURATION"

    /// Every problem, in document order.
    public var issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
