import JSONValue

/// One reason an instance does not satisfy a schema.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// Where in the instance the failing value is (`/contacts/0/email`).
    public var instanceLocation: JSONPointer
    /// The path through the schema that was followed, including `$ref` hops (`/properties/email/format`).
    public var keywordLocation: JSONPointer
    /// The failing keyword as an absolute URI with a JSON Pointer fragment, when the schema has a base URI.
    public var absoluteKeywordLocation: String?
    /// The keyword that failed (`format`), a stable machine code for the kind of failure.
    public var keyword: String
    /// What is wrong, in words: `"x" does not match format "email"`.
    public var message: String

    public init(instanceLocation: JSONPointer, keywordLocation: JSONPointer, absoluteKeywordLocation: String?, keyword: String, message: String) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.absoluteKeywordLocation = absoluteKeywordLocation
        self.keyword = keyword
        self.message = message
    }

    /// `/email: "x" does not match format "email"`; the root instance is written as `(root)`.
    public var description: String {
        let location = instanceLocation.tokens.isEmpty ? "(root)" : instanceLocation.description
        return "\(location): \(message)"
    }
}

/// How much of the failure a validation reports.
public enum ValidationMode: Sendable, Equatable {
    /// Stop at the first failing keyword.
    case firstError
    /// Report every failing keyword.
    case allErrors
}

/// The outcome of validating one instance.
public struct ValidationResult: Sendable, Equatable {
    public var isValid: Bool
    /// Empty when `isValid`.
    public var errors: [ValidationError]

    public init(isValid: Bool, errors: [ValidationError]) {
        self.isValid = isValid
        self.errors = errors
    }
}
