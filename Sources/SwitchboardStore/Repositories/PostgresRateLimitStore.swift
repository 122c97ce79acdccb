import JSONValue
import SwitchboardResilience

/// Rate limiters shared by every node through PostgreSQL.
///
/// GCRA and fixed-window decisions that do not wait are **one atomic statement** each (an upsert whose `WHERE`
/// admits or refuses, as documented on `GCRALimiter` and `FixedWindowLimiter`). Token bucket, sliding log, and
/// any decision that may wait run the limiter in Swift inside a transaction holding the key's row lock
/// (`SELECT ... FOR UPDATE`), so concurrent nodes still decide one at a time per key.
public struct PostgresRateLimitStore: RateLimitStore {
    let db: any SQLDatabase

    public init(db: any SQLDatabase) { self.db = db }

    public func acquire(
        key: RateLimitKey, configuration c: RateLimitConfiguration, permits: Int, now: ResilienceInstant, maxWait: Duration
    ) async throws -> RateLimitDecision {
        if permits > max(c.burst, 1) && (c.algorithm == .gcra || c.algorithm == .tokenBucket) { return .exceedsCapacity }
        if permits > c.limit && c.algorithm != .gcra { return .exceedsCapacity }
        let signature = "\(c.algorithm.rawValue)|\(c.limit)|\(c.period.components.seconds).\(c.period.components.attoseconds)|\(c.burst)"
        let k = key.description
        let nowNs = now.nanosecondsSinceEpoch
        let periodNs = Self.nanoseconds(c.period)
        if maxWait == .zero {
            switch c.algorithm {
            case .gcra: return try await gcra(k, signature, c, permits: permits, now: nowNs, periodNs: periodNs)
            case .fixedWindow: return try await fixedWindow(k, signature, c, permits: permits, now: nowNs, periodNs: periodNs)
            default: break
            }
        }
        return try await transactional(k, signature, c, permits: permits, now: now, maxWait: maxWait)
    }

    static func nanoseconds(_ d: Duration) -> Int64 { d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000 }

    /// newTAT = max(TAT, now) + n*T; admitted when newTAT - burst*T <= now. One statement.
    func gcra(_ key: String, _ signature: String, _ c: RateLimitConfiguration, permits: Int, now: Int64, periodNs: Int64) async throws -> RateLimitDecision {
        // T = period / limit, exact as NUMERIC.
        let t = "(\(periodNs)::numeric / \(c.limit)::numeric)"
        let burst = max(c.burst, 1)
        let rows = try await db.query(
            """
            INSERT INTO rate_limits (key, signature, tat, updated_at) VALUES (?, ?, ?::numeric + ?::numeric * \(t), ?)
            ON CONFLICT (key) DO UPDATE SET
                tat = CASE WHEN rate_limits.signature = EXCLUDED.signature THEN GREATEST(rate_limits.tat, ?::numeric) ELSE ?::numeric END + ?::numeric * \(t),
                signature = EXCLUDED.signature, updated_at = EXCLUDED.updated_at
            WHERE rate_limits.signature <> EXCLUDED.signature
               OR GREATEST(rate_limits.tat, ?::numeric) + ?::numeric * \(t) - \(burst)::numeric * \(t) <= ?::numeric
            RETURNING tat::text AS tat
            """,
            [
                .text(key), .text(signature), .text(String(now)), .text(String(permits)), .int(now),
                .text(String(now)), .text(String(now)), .text(String(permits)),
                .text(String(now)), .text(String(permits)), .text(String(now)),
            ])
        if !rows.isEmpty { return .admitted }
        let tat = try await db.first("SELECT tat::text AS tat FROM rate_limits WHERE key = ?", [.text(key)])?.double("tat") ?? Double(now)
        let tNs = Double(periodNs) / Double(c.limit)
        let allowAt = max(tat, Double(now)) + Double(permits) * tNs - Double(burst) * tNs
        return .rejected(retryAfter: .nanoseconds(Int64(max(1, (allowAt - Double(now)).rounded(.up)))))
    }

    /// At most `limit` permits per window aligned to the epoch. One statement.
    func fixedWindow(_ key: String, _ signature: String, _ c: RateLimitConfiguration, permits: Int, now: Int64, periodNs: Int64) async throws -> RateLimitDecision {
        let windowStart = now - ((now % periodNs) + periodNs) % periodNs
        let rows = try await db.query(
            """
            INSERT INTO rate_limits (key, signature, window_start, used, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                used = CASE WHEN rate_limits.window_start = EXCLUDED.window_start AND rate_limits.signature = EXCLUDED.signature
                            THEN rate_limits.used + EXCLUDED.used ELSE EXCLUDED.used END,
                window_start = EXCLUDED.window_start, signature = EXCLUDED.signature, updated_at = EXCLUDED.updated_at
            WHERE rate_limits.window_start <> EXCLUDED.window_start OR rate_limits.signature <> EXCLUDED.signature
               OR rate_limits.used + EXCLUDED.used <= ?
            RETURNING used
            """,
            [.text(key), .text(signature), .int(windowStart), .int(Int64(permits)), .int(now), .int(Int64(c.limit))])
        if !rows.isEmpty { return .admitted }
        return .rejected(retryAfter: .nanoseconds(max(1, windowStart + periodNs - now)))
    }

    /// Any algorithm, waiting allowed: the limiter decides in Swift while the transaction holds the row lock.
    func transactional(
        _ key: String, _ signature: String, _ c: RateLimitConfiguration, permits: Int, now: ResilienceInstant, maxWait: Duration
    ) async throws -> RateLimitDecision {
        try await db.transaction { tx in
            try await tx.execute(
                "INSERT INTO rate_limits (key, signature, state, updated_at) VALUES (?, ?, NULL, ?) ON CONFLICT (key) DO NOTHING",
                [.text(key), .text(signature), .int(now.nanosecondsSinceEpoch)])
            let row = try await tx.first("SELECT signature, state FROM rate_limits WHERE key = ? FOR UPDATE", [.text(key)])
            let stored = row?.text("signature") == signature ? row?.text("state").flatMap(Self.decode) ?? .fresh : .fresh
            var limiter = RateLimiter(configuration: c, state: stored)
            let decision = limiter.acquire(permits: permits, now: now, maxWait: maxWait)
            try await tx.execute(
                "UPDATE rate_limits SET signature = ?, state = ?, updated_at = ? WHERE key = ?",
                [.text(signature), .text(Self.encode(limiter.state)), .int(now.nanosecondsSinceEpoch), .text(key)])
            return decision
        }
    }

    static func encode(_ s: RateLimiterState) -> String {
        switch s {
        case .fresh: return "fresh"
        case .fixedWindow(let start, let used): return "fw|\(start)|\(used)"
        case .tokenBucket(let tokens, let at): return "tb|\(tokens)|\(at)"
        case .gcra(let tat): return "gcra|\(tat)"
        case .slidingLog(let entries): return "sl|" + entries.map { "\($0.at):\($0.permits)" }.joined(separator: ",")
        }
    }

    static func decode(_ text: String) -> RateLimiterState? {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        switch parts.first {
        case "fresh": return .fresh
        case "fw": return parts.count == 3 ? Int64(parts[1]).flatMap { s in Int(parts[2]).map { .fixedWindow(windowStart: s, used: $0) } } : nil
        case "tb": return parts.count == 3 ? Int128(String(parts[1])).flatMap { t in Int64(parts[2]).map { .tokenBucket(scaledTokens: t, updatedAt: $0) } } : nil
        case "gcra": return parts.count == 2 ? Int128(String(parts[1])).map { .gcra(scaledTAT: $0) } : nil
        case "sl":
            guard parts.count == 2 else { return nil }
            let entries = parts[1].split(separator: ",").compactMap { e -> RateLimiterState.LogEntry? in
                let p = e.split(separator: ":")
                guard p.count == 2, let at = Int64(p[0]), let n = Int(p[1]) else { return nil }
                return RateLimiterState.LogEntry(at: at, permits: n)
            }
            return .slidingLog(entries)
        default: return nil
        }
    }
}
