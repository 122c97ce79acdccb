import JSONValue

/// One method call as the executions log keeps it: what ran, how it ended, how long, how big. Never a secret;
/// bodies only when the method opts in, truncated.
public struct ExecutionRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case success = "SUCCESS", error = "ERROR" }

    public var id: String
    public var connectionId: String
    public var definitionKey: String
    public var definitionVersion: String
    public var method: String
    public var status: Status
    public var errorCode: String?
    public var errorMessage: String?
    /// The provider's HTTP status, when there was one.
    public var httpStatus: Int?
    public var attempts: Int
    public var durationMs: Double
    public var requestBytes: Int
    public var responseBytes: Int
    public var cached: Bool
    public var fallback: Bool
    public var createdAt: Timestamp
    public var requestBody: String?
    public var responseBody: String?

    public init(
        id: String, connectionId: String, definitionKey: String, definitionVersion: String, method: String, status: Status,
        errorCode: String? = nil, errorMessage: String? = nil, httpStatus: Int? = nil, attempts: Int, durationMs: Double,
        requestBytes: Int = 0, responseBytes: Int = 0, cached: Bool = false, fallback: Bool = false, createdAt: Timestamp,
        requestBody: String? = nil, responseBody: String? = nil
    ) {
        self.id = id
        self.connectionId = connectionId
        self.definitionKey = definitionKey
        self.definitionVersion = definitionVersion
        self.method = method
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.durationMs = durationMs
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.cached = cached
        self.fallback = fallback
        self.createdAt = createdAt
        self.requestBody = requestBody
        self.responseBody = responseBody
    }

    public var json: JSON {
        [
            "id": .string(id), "connectionId": .string(connectionId), "definitionKey": .string(definitionKey),
            "definitionVersion": .string(definitionVersion), "method": .string(method), "status": .string(status.rawValue),
            "errorCode": errorCode.map(JSON.string) ?? .null, "errorMessage": errorMessage.map(JSON.string) ?? .null,
            "httpStatus": httpStatus.map { .number(Double($0)) } ?? .null, "attempts": .number(Double(attempts)),
            "durationMs": .number((durationMs * 1000).rounded() / 1000), "requestBytes": .number(Double(requestBytes)),
            "responseBytes": .number(Double(responseBytes)), "cached": .bool(cached), "fallback": .bool(fallback),
            "createdAt": .string(createdAt.iso8601), "requestBody": requestBody.map(JSON.string) ?? .null,
            "responseBody": responseBody.map(JSON.string) ?? .null,
        ]
    }
}

/// Filters for the executions log.
public struct ExecutionQuery: Sendable, Equatable {
    public var connectionId: String?
    public var method: String?
    public var status: ExecutionRecord.Status?
    public var since: Timestamp?
    public var until: Timestamp?
    public var limit: Int
    public var cursor: Cursor?

    public init(connectionId: String? = nil, method: String? = nil, status: ExecutionRecord.Status? = nil, since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = 50, cursor: Cursor? = nil) {
        self.connectionId = connectionId
        self.method = method
        self.status = status
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }
}

/// Stores execution records, written in batches.
public protocol ExecutionRepository: Sendable {
    func insert(_ records: [ExecutionRecord]) async throws
    func get(id: String) async throws -> ExecutionRecord?
    /// Newest first.
    func list(_ query: ExecutionQuery) async throws -> Page<ExecutionRecord>
}

/// Something that happened, for subscribers and the events log (`integration.method.executed`, ...).
public struct Event: Sendable, Equatable {
    public var id: String
    public var type: String
    public var connectionId: String?
    public var payload: JSONObject
    public var createdAt: Timestamp

    public init(id: String, type: String, connectionId: String?, payload: JSONObject, createdAt: Timestamp) {
        self.id = id
        self.type = type
        self.connectionId = connectionId
        self.payload = payload
        self.createdAt = createdAt
    }

    public var json: JSON {
        ["id": .string(id), "type": .string(type), "connectionId": connectionId.map(JSON.string) ?? .null, "payload": .object(payload), "createdAt": .string(createdAt.iso8601)]
    }
}

public struct EventQuery: Sendable, Equatable {
    public var type: String?
    public var connectionId: String?
    public var since: Timestamp?
    /// Exclusive, as the executions log's.
    public var until: Timestamp?
    public var limit: Int
    public var cursor: Cursor?

    public init(
        type: String? = nil, connectionId: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = 50, cursor: Cursor? = nil
    ) {
        self.type = type
        self.connectionId = connectionId
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }
}

public protocol EventRepository: Sendable {
    func insert(_ events: [Event]) async throws
    /// Newest first.
    func list(_ query: EventQuery) async throws -> Page<Event>
}
