import Hummingbird
import JSONValue
import SwitchboardCore
import SwitchboardEngine
import SwitchboardResilience

/// `GET /v1/connections/{id}/health` (circuit breakers and their windows) and `GET /metrics` (Prometheus text).
struct HealthMetricsController: Sendable {
    let connections: ConnectionService
    let resilience: ResilienceRuntime

    func register<Context: RequestContext>(on router: Router<Context>, table: inout RouteTable) {
        table.add(router, .get, "/v1/connections/{id}/health") { _, context in
            let c = try await connections.get(id: try context.path("id"))
            let now = resilience.clock.now
            let breakers: [JSON] = resilience.health(connectionId: c.id).map { entry in
                let m = entry.breaker.metrics(now: now)
                let scope: JSON = entry.key.contains("|") ? .string(String(entry.key.split(separator: "|").last!)) : "connection"
                return [
                    "scope": scope, "state": .string(entry.breaker.state.rawValue),
                    "failureRate": m.failureRate.map(JSON.number) ?? .null, "slowCallRate": m.slowCallRate.map(JSON.number) ?? .null,
                    "bufferedCalls": .number(Double(m.bufferedCalls)), "failedCalls": .number(Double(m.failedCalls)),
                    "slowCalls": .number(Double(m.slowCalls)),
                    // RFC 3339, like every other time the API gives (the breaker's clock is the wall clock), rounded up to the ms.
                    "openUntil": m.openUntil.map { .string(Timestamp(millisecondsSinceEpoch: ($0.nanosecondsSinceEpoch + 999_999) / 1_000_000).iso8601) } ?? .null,
                    "notPermittedCalls": .number(Double(m.notPermittedCalls)),
                ]
            }
            let open = resilience.health(connectionId: c.id).contains { $0.breaker.state == .open }
            return APIResponse.json([
                "connectionId": .string(c.id), "status": .string(c.status.rawValue), "healthy": .bool(c.status == .connected && !open),
                "circuitBreakers": .array(breakers), "lastUsedAt": c.lastUsedAt.map { .string($0.iso8601) } ?? .null,
                "lastError": c.lastError.map(JSON.string) ?? .null,
            ])
        }
        table.add(router, .get, "/metrics") { _, _ in
            var lines: [String] = []
            lines.append("# HELP switchboard_resilience_decisions_total Decisions of the resilience layers, by kind.")
            lines.append("# TYPE switchboard_resilience_decisions_total counter")
            for (name, count) in resilience.metrics.snapshot.sorted(by: { $0.key < $1.key }) {
                lines.append("switchboard_resilience_decisions_total{decision=\"\(name)\"} \(count)")
            }
            lines.append("# HELP switchboard_circuit_state Circuit breaker state (0 closed, 1 half-open, 2 open).")
            lines.append("# TYPE switchboard_circuit_state gauge")
            for (key, breaker) in resilience.breakers.all.sorted(by: { $0.key < $1.key }) {
                let v = breaker.state == .closed ? 0 : breaker.state == .halfOpen ? 1 : 2
                lines.append("switchboard_circuit_state{breaker=\"\(key)\"} \(v)")
            }
            return APIResponse.text(lines.joined(separator: "\n") + "\n", contentType: "text/plain; version=0.0.4")
        }
    }
}
