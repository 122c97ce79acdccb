/// The credential vault's tables (issue 6). Secrets are only ever stored sealed (base64 of AES-256-GCM blobs).
extension SchemaMigrations {
    static let vault: [Migration] = [
        Migration(
            version: 3, name: "vault_keys",
            both: [
                """
                CREATE TABLE vault_keys (
                    id TEXT PRIMARY KEY,
                    created_at BIGINT NOT NULL,
                    check_value TEXT NOT NULL
                )
                """
            ]),
        Migration(
            version: 4, name: "vault_credentials",
            both: [
                """
                CREATE TABLE vault_credentials (
                    connection_id TEXT PRIMARY KEY,
                    type TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    expires_at BIGINT,
                    fingerprint TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    wrapped_key TEXT NOT NULL,
                    ciphertext TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX vault_credentials_key ON vault_credentials (key_id, connection_id)",
            ]),
        Migration(
            version: 5, name: "vault_audit",
            both: [
                """
                CREATE TABLE vault_audit (
                    id TEXT PRIMARY KEY,
                    at BIGINT NOT NULL,
                    connection_id TEXT,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    details TEXT NOT NULL
                )
                """,
                "CREATE INDEX vault_audit_time ON vault_audit (at, id)",
                "CREATE INDEX vault_audit_connection ON vault_audit (connection_id, at, id)",
            ]),
        Migration(
            version: 6, name: "vault_oauth_states",
            both: [
                """
                CREATE TABLE vault_oauth_states (
                    state_hash TEXT PRIMARY KEY,
                    connection_id TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    wrapped_key TEXT NOT NULL,
                    ciphertext TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """
            ]),
    ]
}
