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
            ]),
        Migration(
            version: 41, name: "sync_runs",
            both: [
                // A run is a durable job: queued, then claimed by a worker holding a lease it renews; a run whose
                // lease expired is claimed again and resumes from `checkpoint`.
                """
                CREATE TABLE sync_runs (
                    id TEXT PRIMARY KEY,
                    connection_id TEXT NOT NULL,
                    sync_name TEXT NOT NULL,
                    entity_type TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    status TEXT NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at BIGINT,
                    claimed_by TEXT,
                    claims INTEGER NOT NULL,
                    cancel_requested INTEGER NOT NULL,
                    checkpoint TEXT,
                    fetched BIGINT NOT NULL,
                    created BIGINT NOT NULL,
                    updated BIGINT NOT NULL,
                    unchanged BIGINT NOT NULL,
                    deleted BIGINT NOT NULL,
                    failed BIGINT NOT NULL,
                    pages BIGINT NOT NULL,
                    retries BIGINT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    finished_at BIGINT,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX sync_runs_claim ON sync_runs (status, created_at)",
                "CREATE INDEX sync_runs_sync ON sync_runs (connection_id, sync_name, created_at)",
                """
                CREATE TABLE sync_states (
                    connection_id TEXT NOT NULL,
                    sync_name TEXT NOT NULL,
                    incremental_cursor TEXT,
                    paused INTEGER NOT NULL,
                    next_run_at BIGINT,
                    last_run_id TEXT,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (connection_id, sync_name)
                )
                """,
                // External ids a full-refresh run has seen, for marking the others deleted when it completes.
                "CREATE TABLE sync_run_seen (run_id TEXT NOT NULL, external_id TEXT NOT NULL, PRIMARY KEY (run_id, external_id))",
            ]),
        Migration(
            version: 42, name: "sync_records_modified_partial",
            both: [
                // The modified_seq index, made partial so that only queries naming `modified_seq > 0` (the listing by
                // modified_seq does; every sequence number is positive) can use it. As a plain index its leading
                // (connection_id, entity_type) columns made PostgreSQL, without statistics for a new connection's
                // records (a first large sync), plan primary-key lookups by external id as a walk through all of the
                // entity's records with a filter: each page's lookups then cost O(records so far).
                "DROP INDEX sync_records_modified",
                "CREATE INDEX sync_records_modified ON sync_records (connection_id, entity_type, modified_seq) WHERE modified_seq > 0",
            ]),
        Migration(
            version: 43, name: "sync_run_failures",
            both: [
                // The first records of a run that could not be stored (`SyncRecordFailure.keptPerRun` of them), each
                // written in the transaction of the page it failed on: a page is committed once, so a resumed run keeps
                // those of its earlier pages and the key keeps a page's records from being noted twice. `page` is
                // 1-based, `record_index` 0-based within the page's records; `external_id` is NULL when the id itself
                // is what failed.
                """
                CREATE TABLE sync_run_failures (
                    run_id TEXT NOT NULL,
                    page BIGINT NOT NULL,
                    record_index INTEGER NOT NULL,
                    external_id TEXT,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    PRIMARY KEY (run_id, page, record_index)
                )
                """
            ]),
    ]
}
