extension String {
    /// The text as the store keeps it: a NUL character (U+0000) as U+FFFD, the replacement character, on both databases.
    /// PostgreSQL's text cannot hold NUL (a batch holding one was refused, 22021), and SQLite must keep the same.
    /// Applied to what is logged (a method name from the path, `ge%00t`; a body or an error from the provider, before a
    /// body is cut to its limit) and to what looks it up (filters and ids from the request), so both meet.
    public var withoutNUL: String {
        utf8.contains(0) ? replacing("\u{0}", with: "\u{FFFD}") : self
    }
}
