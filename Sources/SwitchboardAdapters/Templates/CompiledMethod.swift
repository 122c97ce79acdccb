import JSONValue
import SwitchboardCore

/// A method with its templates parsed once, ready to build requests quickly.
public struct CompiledMethod: Sendable {
    public let method: DefinitionMethod
    public let baseURL: Template?
    public let path: Template
    public let query: [(name: String, value: Template)]
    public let headers: [(name: String, value: Template)]
    public let body: BodyTemplate?
    /// Largest response body accepted (bytes), from `options.maxResponseBytes` (default 10 MiB).
    public let maxResponseBytes: Int

    public var name: String { method.name }

    /// Parses every template of `method`; the error names the field.
    public init(_ method: DefinitionMethod, baseURL: String?) throws(TemplateError) {
        self.method = method
        do {
            self.baseURL = try baseURL.map { (b: String) throws(TemplateError) in
                b.contains("{{") ? try Template(b) : try Template(b, pathStyle: true)
            }
        } catch { throw TemplateError("baseUrl: \(error.message)") }
        do { path = try Template(method.path, pathStyle: true) } catch { throw TemplateError("path: \(error.message)") }
        var q: [(String, Template)] = []
        for (k, v) in method.query.sorted(by: { $0.key < $1.key }) {
            do { q.append((k, try Template(v))) } catch { throw TemplateError("query.\(k): \(error.message)") }
        }
        query = q
        var h: [(String, Template)] = []
        for (k, v) in method.headers.sorted(by: { $0.key < $1.key }) {
            do { h.append((k, try Template(v))) } catch { throw TemplateError("headers.\(k): \(error.message)") }
        }
        headers = h
        do { body = try method.body.map { (b: JSON) throws(TemplateError) in try BodyTemplate(b) } } catch { throw TemplateError("body: \(error.message)") }
        maxResponseBytes = method.options["maxResponseBytes"]?.intValue ?? 10 << 20
    }
}
