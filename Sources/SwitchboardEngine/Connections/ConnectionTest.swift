import JSONValue
import SwitchboardCore

extension ConnectionService {
    /// Runs the definition's health-check method on the connection. Success moves the connection to CONNECTED
    /// (recording lastConnectedAt); a failure is reported with its error and leaves the status as it was, except
    /// that a refused credential (UPSTREAM_AUTH_ERROR) sets AUTH_ERROR.
    public func test(id: String, executor: MethodExecutor) async throws -> JSON {
        var c = try await get(id: id)
        guard let definition = try await definitions.version(key: c.definitionKey, version: c.definitionVersion) else {
            throw SwitchboardError.conflict("the connection's definition version no longer exists", code: "DEFINITION_NOT_FOUND")
        }
        guard let check = definition.healthCheck else {
            throw SwitchboardError.conflict("definition '\(definition.key)' declares no healthCheck method", code: "NO_HEALTH_CHECK")
        }
        // A test may run on a connection that is not CONNECTED yet (that is what it is for): its call runs as if it
        // were. Only its call: a CONNECTED copy in the shared cache let every other call on the connection run too.
        let result = await executor.execute(connectionId: id, methodName: check, params: [:], testing: true)
        // The outcome is written on the connection as it is now. Another writer may get in between the read and the
        // save (a second test of the same connection, a PATCH): then it is read and written again, a few times.
        var attempt = 0
        while true {
            c = try await get(id: id)
            let now = clock.now()
            var changed = c
            if result.isSuccess {
                if c.status != .connected || c.lastError != nil {
                    changed.status = .connected
                    changed.lastError = nil
                    changed.lastConnectedAt = now
                }
            } else if result.error?.code == "UPSTREAM_AUTH_ERROR" {
                changed.status = .authError
                changed.lastError = result.error?.message
            }
            guard changed != c else { break }
            changed.updatedAt = now
            do {
                let before = c.status
                c = try await save(changed, expectedVersion: c.version)
                // The status the test moved the connection to, as the vault announces it when credentials do it.
                if c.status == .connected && before != .connected {
                    _ = executor.events.emit("integration.connected", connectionId: id, payload: ["via": "test"])
                } else if c.status == .authError && before != .authError {
                    _ = executor.events.emit(
                        "integration.auth.failed", connectionId: id, payload: ["stage": "test", "reason": .string(result.error?.code ?? "")])
                }
                break
            } catch let error as SwitchboardError where error.code == "VERSION_CONFLICT" && attempt < 5 {
                attempt += 1
            }
        }
        executor.cache.invalidate(connectionId: id)
        var out: JSONObject = ["success": .bool(result.isSuccess), "method": .string(check), "connection": c.json, "result": result.json]
        if let e = result.error { out["error"] = e.json }
        return .object(out)
    }
}
