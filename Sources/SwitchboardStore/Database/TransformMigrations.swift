extension SchemaMigrations {
    /// Mappings, mapping templates, validators and pipelines (versions 30-39 belong to transformation).
    static let transform: [Migration] = [
        Migration(version: 30, name: "transform_mappings", both: table("transform_mappings")),
        Migration(version: 31, name: "transform_mapping_templates", both: table("transform_mapping_templates")),
        Migration(version: 32, name: "transform_validators", both: table("transform_validators")),
        Migration(version: 33, name: "transform_pipelines", both: table("transform_pipelines")),
    ]

    private static func table(_ name: String) -> [String] {
        [
            """
            CREATE TABLE \(name) (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                lookup_key TEXT UNIQUE,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """
        ]
    }
}
