extension SchemaMigrations {
    /// The executions and events logs (versions 10-19 belong to execution).
    static let execution: [Migration] = [
        Migration(
            version: 10, name: "executions",
            both: [
                """
                CREATE TABLE executions (
                    id TEXT PRIMARY KEY,
                    connection_id TEXT NOT NULL,
                    definition_key TEXT NOT NULL,
                    definition_version TEXT NOT NULL,
                    method TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    http_status INTEGER,
                    attempts INTEGER NOT NULL,
                    duration_ms DOUBLE PRECISION NOT NULL,
                    request_bytes BIGINT NOT NULL,
                    response_bytes BIGINT NOT NULL,
                    cached INTEGER NOT NULL,
                    fallback INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    request_body TEXT,
                    response_body TEXT
                )
                """,
                "CREATE INDEX executions_connection ON executions (connection_id, id)",
                "CREATE INDEX executions_created ON executions (created_at)",
            ]),
        Migration(
            version: 11, name: "events",
            both: [
                """
                CREATE TABLE events (
                    id TEXT PRIMARY KEY,
                    type TEXT NOT NULL,
                    connection_id TEXT,
                    payload TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX events_type ON events (type, id)",
                "CREATE INDEX events_connection ON events (connection_id, id)",
            ]),
    ]
}
