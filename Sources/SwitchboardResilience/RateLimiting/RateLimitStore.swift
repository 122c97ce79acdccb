/// Where limiter state lives: in-process (``RateLimiterRegistry``) or shared by every node
/// (a PostgreSQL implementation doing one atomic statement per decision).
///
/// An implementation must make each call atomic per key: read the state, decide, write the state.
/// The persisted state of each algorithm is documented on its limiter type; ``RateLimiterState``
/// carries it, so a store can also decide in Swift inside a transaction
/// (`SELECT … FOR UPDATE`, `RateLimiter(configuration:state:)`, `acquire`, `UPDATE` with `.state`).
public protocol RateLimitStore: Sendable {
    /// Asks the limiter for `key` (created from `configuration` if new, or replaced if the
    /// configuration's algorithm, limit, period or burst changed) for `permits` at `now`,
    /// waiting at most `maxWait`.
    func acquire(
        key: RateLimitKey,
        configuration: RateLimitConfiguration,
        permits: Int,
        now: ResilienceInstant,
        maxWait: Duration
    ) async throws -> RateLimitDecision
}
