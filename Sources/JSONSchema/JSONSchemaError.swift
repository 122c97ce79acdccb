/// A schema that cannot be compiled: the reason, with a stable machine code and the schema location.
public struct JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable codes.
    public enum Code: String, Sendable, Equatable {
        /// A keyword has a value of the wrong shape (for example `"minimum": "3"`).
        case invalidSchema = "SCHEMA_INVALID"
        /// A `$ref` or `$dynamicRef` names a schema that is neither in the document nor in the registry.
        case unresolvedReference = "SCHEMA_UNRESOLVED_REFERENCE"
        /// `$ref`s that lead back to themselves without consuming any part of the instance.
        case circularReference = "SCHEMA_CIRCULAR_REFERENCE"
        /// A `pattern` or `patternProperties` key that is not an ECMA-262 regular expression.
        case invalidRegex = "SCHEMA_INVALID_REGEX"
        /// The metaschema requires a vocabulary this implementation does not know.
        case unsupportedVocabulary = "SCHEMA_UNSUPPORTED_VOCABULARY"
    }

    public var code: Code
    public var message: String
    /// Where in the schema the problem is, as an absolute URI with a JSON Pointer fragment.
    public var location: String

    public init(code: Code, message: String, location: String) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): \(message)" }
}
