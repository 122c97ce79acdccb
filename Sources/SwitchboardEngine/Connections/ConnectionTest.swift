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
        c = try await get(id: id)
        let now = clock.now()
        if result.isSuccess {
            if c.status != .connected || c.lastError != nil {
                c.status = .connected
                c.lastError = nil
                c.lastConnectedAt = now
                c.updatedAt = now
                c = try await save(c, expectedVersion: c.version)
            }
        } else if result.error?.code == "UPSTREAM_AUTH_ERROR" {
            c.status = .authError
            c.lastError = result.error?.message
            c.updatedAt = now
            c = try await save(c, expectedVersion: c.version)
        }
        executor.cache.invalidate(connectionId: id)
        var out: JSONObject = ["success": .bool(result.isSuccess), "method": .string(check), "connection": c.json, "result": result.json]
        if let e = result.error { out["error"] = e.json }
        return .object(out)
    }
}
