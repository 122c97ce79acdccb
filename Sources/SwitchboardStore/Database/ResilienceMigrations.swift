extension SchemaMigrations {
    /// Shared rate-limiter state for PostgreSQL nodes (versions 20-29 belong to resilience).
    static let resilience: [Migration] = [
        Migration(
            version: 20, name: "rate_limits",
            sqlite: [
                // SQLite is one node: limiters live in-process; the table exists so both schemas match.
                "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, signature TEXT NOT NULL, tat TEXT, window_start BIGINT, used BIGINT, state TEXT, updated_at BIGINT NOT NULL)"
            ],
            postgres: [
                "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, signature TEXT NOT NULL, tat NUMERIC, window_start BIGINT, used BIGINT, state TEXT, updated_at BIGINT NOT NULL)"
            ])
    ]
}
