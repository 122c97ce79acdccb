import SwitchboardCore

extension SQLAdapter {
    /// Refuses a definition whose calls would fail on their `sql` settings: a method without `sql.query`, or a query
    /// that `bindNamed` (the placeholder rewriting of every call) refuses, such as positional `?` or `$1` parameters.
    public func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError? {
        guard let text = method.options["sql"]?["query"]?.stringValue else {
            return AdapterError(.configuration, "method '\(method.name)' declares no sql.query", field: "sql.query")
        }
        do { _ = try Self.bindNamed(text) } catch {
            return AdapterError(error.kind, error.message, field: "sql.query")
        }
        return nil
    }
}
