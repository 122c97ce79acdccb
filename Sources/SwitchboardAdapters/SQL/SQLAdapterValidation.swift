import JSONValue
import SwitchboardCore
import SwitchboardStore

extension SQLAdapter {
    /// Refuses a definition whose calls would fail on their `sql` settings (`settings(of:)`: no `sql.query`, a query
    /// holding no statement, a `readOnly` that is not a boolean), or a query that `statement` (the placeholder rewriting
    /// of every call) refuses on either engine, such as positional `$1` parameters or a `?` where a value goes. The
    /// engine is the connection's, unknown here: the query is read as PostgreSQL reads it, where `?` may be an operator
    /// (a SQLite connection refuses a bare `?` at call time).
    public func validate(_ method: DefinitionMethod, of definition: IntegrationDefinition) -> AdapterError? {
        let text: String
        do { text = try Self.settings(of: method).query } catch { return error }
        do { _ = try Self.statement(text, dialect: .postgres, method: method.name) } catch { return error }
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
