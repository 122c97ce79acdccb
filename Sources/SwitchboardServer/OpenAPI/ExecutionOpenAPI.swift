extension OpenAPIFragments {
    /// Method execution, the executions and events logs, connection tests.
    static let execution = #"""
paths:
  /v1/connections/{id}/methods/{method}:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: method, in: path, required: true, schema: {type: string}}
    post:
      tags: [execution]
      operationId: executeMethod
      summary: Run a method of the connection's definition with the body as parameters
      requestBody:
        required: false
        content:
          application/json: {schema: {type: object}}
      responses:
        "200": {description: SUCCESS, content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "400": {description: The body is not valid JSON (MALFORMED_BODY; no meta), content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "404": {description: "Unknown connection (CONNECTION_NOT_FOUND; no meta: nothing is logged) or method (METHOD_NOT_FOUND)", content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "409": {description: "The connection is not usable (not CONNECTED, or its config lacks a value the path or baseUrl needs: CONNECTION_NOT_USABLE), or the definition cannot run (DEFINITION_ERROR)", content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "413": {description: The body is larger than the server's limit (no meta), content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "415": {description: The body is not JSON (no meta), content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "422": {description: Invalid parameters, content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "429": {description: Rate limited, content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "502": {description: The provider failed, content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "503": {description: Circuit open or bulkhead full or the database unavailable, content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
        "504": {description: Timeout, content: {application/json: {schema: {$ref: "#/components/schemas/ExecutionResult"}}}}
  /v1/connections/{id}/test:
    parameters: [{$ref: "#/components/parameters/ConnectionId"}]
    post:
      tags: [execution]
      operationId: testConnection
      summary: Run the definition's healthCheck method; success moves the connection to CONNECTED
      responses:
        "200": {description: The outcome, content: {application/json: {schema: {type: object, properties: {success: {type: boolean}, connection: {$ref: "#/components/schemas/Connection"}, result: {$ref: "#/components/schemas/ExecutionResult"}}}}}}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/health:
    parameters: [{$ref: "#/components/parameters/ConnectionId"}]
    get:
      tags: [execution]
      operationId: connectionHealth
      summary: The connection's status and its circuit breakers (state, failure and slow-call rates, open until)
      responses:
        "200": {description: Health, content: {application/json: {schema: {type: object}}}}
        "404": {$ref: "#/components/responses/Error"}
  /metrics:
    get:
      tags: [system]
      operationId: metrics
      summary: Prometheus metrics (resilience decisions, circuit states)
      responses:
        "200": {description: Prometheus text format, content: {text/plain: {schema: {type: string}}}}
  /v1/executions:
    get:
      tags: [execution]
      operationId: listExecutions
      summary: The executions log, newest first
      parameters:
        - {name: connectionId, in: query, schema: {type: string}}
        - {name: method, in: query, schema: {type: string}}
        - {name: status, in: query, schema: {type: string, enum: [SUCCESS, ERROR]}}
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: until, in: query, schema: {type: string, format: date-time}}
        - {$ref: "#/components/parameters/Limit"}
        - {$ref: "#/components/parameters/Cursor"}
      responses:
        "200": {description: A page, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Execution"}}, nextCursor: {type: [string, "null"]}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
  /v1/executions/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      tags: [execution]
      operationId: getExecution
      summary: One execution
      responses:
        "200": {description: The execution, content: {application/json: {schema: {$ref: "#/components/schemas/Execution"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/events:
    get:
      tags: [events]
      operationId: listEvents
      summary: The events log, newest first
      parameters:
        - {name: type, in: query, schema: {type: string}, description: "An event type, or a prefix ending in * (integration.method.*)"}
        - {name: connectionId, in: query, schema: {type: string}}
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: until, in: query, schema: {type: string, format: date-time}}
        - {$ref: "#/components/parameters/Limit"}
        - {$ref: "#/components/parameters/Cursor"}
      responses:
        "200": {description: A page, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Event"}}, nextCursor: {type: [string, "null"]}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
components:
  schemas:
    ExecutionResult:
      type: object
      description: >-
        The call's envelope; `meta` is present whenever the call ran and is in the executions log: not when its body
        could not be read, nor for a connection that does not exist (CONNECTION_NOT_FOUND).
      required: [status]
      properties:
        status: {type: string, enum: [SUCCESS, ERROR]}
        data: {}
        error: {$ref: "#/components/schemas/Error/properties/error"}
        meta:
          type: object
          properties:
            executionId: {type: string, description: "The call's entry in the executions log (GET /v1/executions/{id})"}
            attempts: {type: integer}
            durationMs: {type: number}
            cached: {type: boolean}
            fallback: {type: boolean}
    Execution:
      type: object
      properties:
        id: {type: string}
        connectionId: {type: string}
        definitionKey: {type: string}
        definitionVersion: {type: string}
        method: {type: string}
        status: {type: string, enum: [SUCCESS, ERROR]}
        errorCode: {type: [string, "null"]}
        errorMessage: {type: [string, "null"]}
        httpStatus: {type: [integer, "null"]}
        attempts: {type: integer}
        durationMs: {type: number}
        requestBytes: {type: integer}
        responseBytes: {type: integer}
        cached: {type: boolean}
        fallback: {type: boolean}
        createdAt: {type: string, format: date-time, description: When the call started (the list is newest first by it)}
        requestBody: {type: [string, "null"]}
        responseBody: {type: [string, "null"]}
    Event:
      type: object
      properties:
        id: {type: string}
        type:
          type: string
          description: >-
            integration.method.executed, integration.method.failed, integration.connected, integration.auth.failed,
            integration.credentials.refreshed, integration.credentials.revoked, integration.credentials.deleted,
            integration.circuit.opened, integration.circuit.half_opened, integration.circuit.closed,
            integration.circuit.forced_open, integration.circuit.disabled, sync.started, sync.completed, sync.failed,
            sync.cancelled (payload: runId, sync, counts, failures)
        connectionId: {type: [string, "null"]}
        payload: {type: object}
        createdAt: {type: string, format: date-time}
"""#
}
