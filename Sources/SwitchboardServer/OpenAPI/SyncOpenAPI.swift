import SwitchboardStore

extension OpenAPIFragments {
    /// Syncs: runs, schedules and synced records.
    static let sync = #"""
paths:
  /v1/connections/{id}/syncs/{name}/run:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: name, in: path, required: true, schema: {type: string}}
    post:
      tags: [sync]
      operationId: runSync
      summary: Queue a run of the sync (or return the run already queued or running)
      responses:
        "202": {description: Queued, content: {application/json: {schema: {type: object, properties: {runId: {type: string}, run: {$ref: "#/components/schemas/SyncRun"}, created: {type: boolean}}}}}}
        "200": {description: A run was already queued or running, content: {application/json: {schema: {type: object}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/syncs/{name}/pause:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: name, in: path, required: true, schema: {type: string}}
    post:
      tags: [sync]
      operationId: pauseSync
      summary: Pause the sync's schedule (runs started through the API still run)
      responses:
        "200": {description: The schedule's state, content: {application/json: {schema: {$ref: "#/components/schemas/SyncScheduleState"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/syncs/{name}/resume:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: name, in: path, required: true, schema: {type: string}}
    post:
      tags: [sync]
      operationId: resumeSync
      summary: Resume the sync's schedule
      responses:
        "200": {description: The schedule's state, content: {application/json: {schema: {$ref: "#/components/schemas/SyncScheduleState"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/sync-runs/{runId}:
    parameters: [{name: runId, in: path, required: true, schema: {type: string}}]
    get:
      tags: [sync]
      operationId: getSyncRun
      summary: A run's status, counts, pages, duration, error and the first records that failed
      responses:
        "200": {description: The run, content: {application/json: {schema: {$ref: "#/components/schemas/SyncRun"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/sync-runs/{runId}/cancel:
    parameters: [{name: runId, in: path, required: true, schema: {type: string}}]
    post:
      tags: [sync]
      operationId: cancelSyncRun
      summary: Cancel a run (a queued run at once, a running one at its next page)
      responses:
        "202": {description: The run, content: {application/json: {schema: {$ref: "#/components/schemas/SyncRun"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/records/{entity}:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: entity, in: path, required: true, schema: {type: string}}
    get:
      tags: [sync]
      operationId: listSyncedRecords
      summary: Synced records in change order (modifiedSeq), deletions included and flagged
      parameters:
        - {name: modifiedAfter, in: query, schema: {type: integer, minimum: 0}, description: The highest modifiedSeq already read}
        - {name: includeDeleted, in: query, schema: {type: boolean, default: true}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
        - {$ref: "#/components/parameters/Cursor"}
      responses:
        "200":
          description: One page
          content:
            application/json:
              schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/SyncedRecord"}}, nextCursor: {type: [string, "null"]}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/records/{entity}/export:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: entity, in: path, required: true, schema: {type: string}}
    get:
      tags: [sync]
      operationId: exportSyncedRecords
      summary: Stream the entity's records as JSON Lines (each record's data) or CSV (header row, RFC 4180 quoting)
      description: >-
        Records are read in keyset pages of 1000 in external id order and written as they are read. CSV columns are
        `fields` when given, else the union of the records' top-level keys in first-seen order; objects and arrays are
        written as JSON text, null and missing values as empty cells. With `fields`, JSON Lines objects hold only those fields.
      parameters:
        - {name: format, in: query, schema: {type: string, enum: [jsonl, csv], default: jsonl}}
        - {name: fields, in: query, schema: {type: string, minLength: 1}, description: "Comma-separated field names or dotted paths (address.city)", example: "id,name,address.city"}
        - {name: includeDeleted, in: query, schema: {type: boolean, default: false}}
      responses:
        "200":
          description: The file (Content-Disposition attachment)
          content:
            application/x-ndjson: {schema: {type: string}}
            text/csv: {schema: {type: string}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/records/{entity}/import:
    parameters:
      - {$ref: "#/components/parameters/ConnectionId"}
      - {name: entity, in: path, required: true, schema: {type: string}}
    post:
      tags: [sync]
      operationId: importSyncedRecords
      summary: Upsert records from a JSON Lines or CSV file, read line by line, optionally through a pipeline
      description: >-
        Each line (or CSV row, keyed by the header's names, every value a string) becomes a record, optionally run through
        the pipeline, and is upserted by the external id at `idField`, in batches of 1000 per transaction. A line that
        cannot be stored (not JSON, ragged row, no id, failed in the pipeline, longer than the server's body limit) counts
        as failed with its line number and never stops the import.
      parameters:
        - {name: format, in: query, schema: {type: string, enum: [jsonl, csv]}, description: Defaults to the Content-Type's format}
        - {name: pipeline, in: query, schema: {type: string}, description: A pipeline id; a dropped record counts as dropped}
        - {name: idField, in: query, schema: {type: string, minLength: 1, default: id}, description: Dotted path to the external id}
      requestBody:
        required: true
        content:
          application/x-ndjson: {schema: {type: string}}
          text/csv: {schema: {type: string}}
      responses:
        "200": {description: What the import did, content: {application/json: {schema: {$ref: "#/components/schemas/RecordImportSummary"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
components:
  schemas:
    SyncRun:
      type: object
      properties:
        id: {type: string}
        connectionId: {type: string}
        sync: {type: string}
        entityType: {type: string}
        mode: {type: string, enum: [full_refresh, incremental]}
        trigger: {type: string}
        status: {type: string, enum: [queued, running, completed, failed, cancelled]}
        counts:
          type: object
          properties:
            fetched: {type: integer}
            created: {type: integer}
            updated: {type: integer}
            unchanged: {type: integer}
            deleted: {type: integer}
            failed: {type: integer}
            pages: {type: integer}
            retries: {type: integer}
        pages: {type: integer}
        claims: {type: integer, description: How many times a worker claimed the run (more than 1 means it resumed)}
        durationMs: {type: number}
        error: {type: object, properties: {code: {type: string}, message: {type: string}}}
        createdAt: {type: string, format: date-time}
        startedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
        failures:
          type: array
          description: >-
            The run's first \#(SyncRecordFailure.keptPerRun) records that could not be stored, in page order (counts.failed counts them all), each kept
            with the page that was committed: a resumed run keeps those of the pages committed before it resumed.
          items: {$ref: "#/components/schemas/SyncRecordFailure"}
    SyncRecordFailure:
      type: object
      required: [externalId, page, index, code, message]
      properties:
        externalId: {type: [string, "null"], description: The record's external id; null when the id itself failed}
        page: {type: integer, minimum: 1, description: The run's page the record came in}
        index: {type: integer, minimum: 0, description: The record's position in the page's records array}
        code: {type: string, enum: [RECORD_ID_MISSING, RECORD_ID_INVALID, MAPPING_FAILED, MAPPING_UNDEFINED]}
        message: {type: string, description: "What went wrong; for MAPPING_FAILED the JSONata error's code and message"}
    RecordImportSummary:
      type: object
      properties:
        read: {type: integer, description: "Lines (rows) read, blank ones excepted: created + updated + unchanged + dropped + failed"}
        created: {type: integer}
        updated: {type: integer}
        unchanged: {type: integer}
        dropped: {type: integer}
        failed: {type: integer}
        errors:
          type: array
          description: The first 100 failures
          items: {type: object, properties: {line: {type: integer}, code: {type: string}, message: {type: string}}}
    SyncScheduleState:
      type: object
      properties: {connectionId: {type: string}, sync: {type: string}, paused: {type: boolean}}
    SyncedRecord:
      type: object
      properties:
        externalId: {type: string}
        entityType: {type: string}
        data: {}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
        deletedAt: {type: string, format: date-time}
        deleted: {type: boolean}
        modifiedSeq: {type: integer}
"""#
}
