extension Library {
    /// Number and date formatting functions (wired to `JSONataFormatting` when available).
    static let formattingFunctions: [Builtin] = []
}
