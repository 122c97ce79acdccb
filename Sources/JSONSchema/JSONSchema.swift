import JSONValue

/// A compiled JSON Schema (draft 2020-12), ready to validate instances.
///
/// Compile once and keep the value: it is immutable and `Sendable`, and validation neither parses
/// the schema again nor allocates for a valid instance.
///
/// ```swift
/// let schema = try JSONSchema.compile(["type": "object", "required": ["email"],
///                                      "properties": ["email": ["type": "string", "format": "email"]]])
/// schema.isValid(["email": "ada@example.com"])             // true
/// schema.validate(["email": "x"]).errors.first?.description // /email: "x" does not match format "email"
/// ```
public struct JSONSchema: Sendable {
    /// How a schema is compiled and evaluated.
    public struct Options: Sendable, Equatable {
        /// Treat `format` as an assertion (Switchboard's default). When `false`, `format` is an
        /// annotation only, unless the schema's metaschema declares the format-assertion vocabulary.
        public var formatAssertion: Bool
        /// Most nested subschema evaluations before validation gives up with an error; bounds the
        /// stack for hostile schemas and instances.
        public var maxDepth: Int
        /// Most bytes of stack one validation may use before it gives up with an error. Keep it below
        /// the smallest stack of a thread that validates (Swift concurrency threads may have 512 KiB).
        public var stackBudget: Int

        public init(formatAssertion: Bool = true, maxDepth: Int = 1_000, stackBudget: Int = 256 * 1024) {
            self.formatAssertion = formatAssertion
            self.maxDepth = maxDepth
            self.stackBudget = stackBudget
        }
    }

    let program: Program

    /// The base URI given to a root schema without an absolute `$id`.
    public static let defaultBaseURI = "json-schema:///"

    /// Compiles `schema`, resolving every reference in it, in `registry` or in the bundled metaschemas.
    ///
    /// - Throws: `JSONSchemaError` for a malformed keyword, an unresolvable or circular `$ref`,
    ///   an invalid regular expression or an unknown required vocabulary.
    public static func compile(_ schema: JSON, options: Options = Options(), registry: SchemaRegistry = SchemaRegistry())
        throws(JSONSchemaError) -> JSONSchema
    {
        var compiler = SchemaCompiler(options: options, registry: registry)
        return JSONSchema(program: try compiler.compile(root: schema, uri: defaultBaseURI))
    }

    /// Checks `instance`, reporting the first error or all of them.
    public func validate(_ instance: JSON, mode: ValidationMode = .allErrors) -> ValidationResult {
        var fast = Validator(program: program, collecting: false, firstErrorOnly: true)
        if fast.isValid(instance) { return ValidationResult(isValid: true, errors: []) }
        var reporting = Validator(program: program, collecting: true, firstErrorOnly: mode == .firstError)
        let errors = reporting.errors(for: instance)
        return ValidationResult(isValid: false, errors: errors)
    }

    /// Whether `instance` is valid; the fastest check, with no error reporting.
    public func isValid(_ instance: JSON) -> Bool {
        var validator = Validator(program: program, collecting: false, firstErrorOnly: true)
        return validator.isValid(instance)
    }

    /// The draft 2020-12 metaschema, compiled once (formats asserted, as Switchboard checks schemas strictly).
    static let metaschema: JSONSchema = {
        do {
            return try compile(["$ref": "https://json-schema.org/draft/2020-12/schema"], options: Options(formatAssertion: true))
        } catch {
            fatalError("the bundled draft 2020-12 metaschema does not compile: \(error)")
        }
    }()

    /// Checks `schema` against the draft 2020-12 metaschema; empty when it is a well-formed schema.
    ///
    /// A schema that passes may still fail to compile (an unresolvable `$ref`, an invalid regular expression).
    public static func validateSchema(_ schema: JSON) -> [ValidationError] {
        metaschema.validate(schema, mode: .allErrors).errors
    }
}
