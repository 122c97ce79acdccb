/// A change to rows that nodes keep cached (the execution cache's connections and definitions, the vault's decrypted
/// credentials).
public enum StoreChange: Sendable, Equatable {
    /// A connection's row (status, config, definition version) changed, or the connection was deleted.
    case connection(String)
    /// A connection's stored credentials changed or were deleted.
    case credentials(String)
    /// Some version of a definition key was published, deprecated, changed or deleted.
    case definition(String)
    /// Anything may have changed (this node was not listening for a while): drop every cached row.
    case everything
}
