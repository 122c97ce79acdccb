/// Switchboard's schema, in order. Never edit a released migration: add a new one.
///
/// Shapes shared by both engines: booleans are INTEGER 0/1, timestamps BIGINT milliseconds since the epoch,
/// JSON documents TEXT.
public enum SchemaMigrations {
    public static let all: [Migration] = [registry, connections] + vault + execution + transform + resilience + sync

    static let registry = Migration(
        version: 1, name: "registry",
        both: [
            """
            CREATE TABLE definition_versions (
                key TEXT NOT NULL,
                version TEXT NOT NULL,
                status TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                category TEXT,
                provider TEXT,
                type TEXT NOT NULL,
                popular INTEGER NOT NULL,
                document TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                published_at BIGINT,
                PRIMARY KEY (key, version)
            )
            """,
            """
            CREATE TABLE definitions (
                key TEXT PRIMARY KEY,
                current_version TEXT NOT NULL,
                status TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                category TEXT,
                type TEXT NOT NULL,
                popular INTEGER NOT NULL,
                search_text TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX definitions_category ON definitions (category)",
        ])

    static let connections = Migration(
        version: 2, name: "connections",
        both: [
            """
            CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                definition_key TEXT NOT NULL,
                definition_version TEXT NOT NULL,
                status TEXT NOT NULL,
                config TEXT NOT NULL,
                metadata TEXT NOT NULL,
                last_error TEXT,
                last_used_at BIGINT,
                last_connected_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version INTEGER NOT NULL,
                FOREIGN KEY (definition_key, definition_version) REFERENCES definition_versions (key, version)
            )
            """,
            "CREATE INDEX connections_definition ON connections (definition_key, id)",
            "CREATE INDEX connections_status ON connections (status, id)",
        ])
}
