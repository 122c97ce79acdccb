extension SchemaMigrations {
    /// Synced records and sync runs (versions 40-49 belong to sync).
    static let sync: [Migration] = [
        Migration(
            version: 40, name: "sync_records",
            both: [
                """
                CREATE TABLE sync_records (
                    connection_id TEXT NOT NULL,
                    entity_type TEXT NOT NULL,
                    external_id TEXT NOT NULL,
                    data TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    deleted_at BIGINT,
                    created_seq BIGINT NOT NULL,
                    modified_seq BIGINT NOT NULL,
                    PRIMARY KEY (connection_id, entity_type, external_id)
                )
                """,
                "CREATE INDEX sync_records_modified ON sync_records (connection_id, entity_type, modified_seq)",
                // One row per counter; incrementing it inside a writing transaction locks the row, so sequence
                // values become visible in commit order and a reader paging by modified_seq never skips a change.
                "CREATE TABLE sync_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
                "INSERT INTO sync_counters (name, value) VALUES ('records', 0)",
            ])
    ]
}
