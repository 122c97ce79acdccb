import JSONValue
import SwitchboardCore
import SwitchboardStore

extension SQLAdapter {
    /// Refuses a definition whose calls would fail on their `sql` settings (`settings(of:)`: no `sql.query`, a query
    /// holding no statement, a `readOnly` that is not a boolean), or a query that `bindNamed` (the placeholder rewriting
    /// of every call) refuses, such as positional `?` or `$1` parameters.
    public func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError? {
        let text: String
        do { text = try Self.settings(of: method).query } catch { return error }
        do { _ = try Self.bindNamed(text) } catch {
            return AdapterError(error.kind, error.message, field: "sql.query")
        }
        return nil
    }

    /// Refuses a connection config whose `databaseUrl` carries a password (it belongs in the connection's
    /// credentials, sealed in the vault), or naming Switchboard's own database (see `SQLOwnStoreGuard`).
    public func validate(config: JSONObject, of definition: IntegrationDefinition) -> AdapterError? {
        if let url = config["databaseUrl"]?.stringValue, url.hasPrefix("postgres"), PostgresDatabase.hasPassword(url) {
            return Self.passwordInURL
        }
        return ownStore.refusal(config).map { AdapterError(.refusedTarget, $0.message, field: $0.field) }
    }
}
