import JSONSchema
import JSONValue
import Synchronization
import SwitchboardCore

/// The `SchemaChecker` of Switchboard: the JSON Schema 2020-12 validator with formats asserted, and compiled
/// schemas cached by their canonical text so a schema is compiled once however often it is used.
public final class JSONSchemaChecker: SchemaChecker {
    private let cache = Mutex<[String: JSONSchema]>([:])
    private let capacity: Int
    private let options: JSONSchema.Options

    public init(capacity: Int = 2048, options: JSONSchema.Options = .init(formatAssertion: true)) {
        self.capacity = capacity
        self.options = options
    }

    public func problems(inSchema schema: JSON) -> [Problem] {
        let metaProblems = JSONSchema.validateSchema(schema)
        if !metaProblems.isEmpty {
            return metaProblems.map { Problem(path: $0.instanceLocation.description, message: $0.message) }
        }
        do {
            _ = try compiled(schema)
            return []
        } catch {
            return [Problem(path: "", message: "\(error)")]
        }
    }

    public func validate(_ instance: JSON, against schema: JSON) -> [Problem] {
        let compiledSchema: JSONSchema
        do {
            compiledSchema = try compiled(schema)
        } catch {
            return [Problem(path: "", message: "the schema does not compile: \(error)")]
        }
        return compiledSchema.validate(instance, mode: .allErrors).errors.map {
            Problem(path: $0.instanceLocation.description, message: $0.message)
        }
    }

    /// The compiled form of `schema`, compiled on first use.
    public func compiled(_ schema: JSON) throws(JSONSchemaError) -> JSONSchema {
        let key = schema.serialized(.canonical)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let compiledSchema = try JSONSchema.compile(schema, options: options)
        cache.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = compiledSchema
        }
        return compiledSchema
    }
}
