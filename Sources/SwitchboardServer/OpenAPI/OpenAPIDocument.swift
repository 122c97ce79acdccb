import JSONValue
import SwitchboardCore

/// The API described as OpenAPI 3.1, written by hand and checked against the router's routes by a test.
public struct OpenAPIDocument: Sendable {
    public let yaml: String
    public let json: JSON

    /// The base document and the fragments other areas of the API add (each with `paths` and `components`).
    static var fragments: [String] { [OpenAPIDocument.source] + OpenAPIFragments.all }

    public init() {
        // The documents are constants of this build: failing to read one is a programming error caught by tests.
        var merged: JSON = ["openapi": "3.1.0"]
        for (i, fragment) in Self.fragments.enumerated() {
            let part = (try? DocumentReader.read(Array(fragment.utf8), format: .yaml)) ?? [:]
            merged = i == 0 ? part : Self.merge(merged, part)
        }
        json = merged
        yaml = Self.fragments.count == 1 ? Self.source : merged.serialized(.pretty)
    }

    /// Deep-merges objects (`paths`, `components/schemas`, ...); later fragments add keys.
    static func merge(_ a: JSON, _ b: JSON) -> JSON {
        guard case .object(var x) = a, case .object(let y) = b else { return b }
        for (k, v) in y { x[k] = x[k].map { merge($0, v) } ?? v }
        return .object(x)
    }

    /// `(METHOD, path)` of every operation the document describes.
    public var operations: Set<String> {
        var out: Set<String> = []
        for (path, item) in json["paths"]?.objectValue ?? [:] {
            for (method, _) in item.objectValue ?? [:] where ["get", "post", "put", "patch", "delete"].contains(method) {
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    static let source = #"""
openapi: 3.1.0
info:
  title: Switchboard
  version: 0.1.0
  description: |
    The management and execution API of Switchboard, an integration service: a registry of integration
    definitions, connections per customer, method execution, syncs and events.
    Every error has the shape {"error": {"code", "message", "details"}} with a stable code. A method a path does
    not serve is answered 405 METHOD_NOT_ALLOWED with an Allow header (HEAD is served wherever GET is; OPTIONS answers
    204 with Allow); a path no route has, 404 ROUTE_NOT_FOUND. Conventions and codes: docs/api.md.
servers:
  - url: http://127.0.0.1:8080
tags:
  - name: system
  - name: definitions
  - name: connections
paths:
  /health:
    get:
      tags: [system]
      operationId: health
      summary: Liveness
      responses:
        "200": {description: The process is up, content: {application/json: {schema: {type: object}}}}
  /ready:
    get:
      tags: [system]
      operationId: ready
      summary: Readiness (the database answers)
      responses:
        "200":
          description: >-
            Ready. `database` is sqlite or postgres; `changeFeed` says whether this node hears the cache invalidations of
            the other nodes sharing the PostgreSQL database (listening, reconnecting) or runs alone (single-node).
          content:
            application/json:
              schema:
                type: object
                properties:
                  status: {type: string, const: ready}
                  database: {type: string, enum: [sqlite, postgres]}
                  changeFeed: {type: string, enum: [listening, reconnecting, single-node]}
        "503": {$ref: "#/components/responses/Error"}
  /openapi.json:
    get:
      tags: [system]
      operationId: openapiJSON
      summary: This document as JSON
      responses:
        "200": {description: The OpenAPI document, content: {application/json: {schema: {type: object}}}}
  /openapi.yaml:
    get:
      tags: [system]
      operationId: openapiYAML
      summary: This document as YAML
      responses:
        "200": {description: The OpenAPI document (a YAML mapping), content: {application/yaml: {schema: {type: object}}}}
  /v1/definitions:
    post:
      tags: [definitions]
      operationId: createDefinition
      summary: Create a definition version (JSON or YAML body); it starts as DRAFT
      description: >-
        Validated as a whole (422 lists every problem with its path): schemas, templates (path, query, headers, body,
        baseUrl: parsed as calls parse them), JSONata transforms (compiled), options.maxResponseBytes (1 to 4294967295),
        resilience settings, headers the HTTP client computes (Content-Length, Transfer-Encoding, Connection,
        Keep-Alive, Upgrade, TE, Trailer, Proxy-Connection, Expect; Host is allowed), and each method's adapter settings
        (graphql, soap, sql), checked by the adapter of the definition's type with the parsing calls use.
      parameters:
        - {name: publish, in: query, schema: {type: boolean}, description: Publish the new version at once}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/DefinitionInput"}}
          application/yaml: {schema: {$ref: "#/components/schemas/DefinitionInput"}}
      responses:
        "201": {description: Created, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "409": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {$ref: "#/components/responses/Error"}
    get:
      tags: [definitions]
      operationId: listDefinitions
      summary: List definitions (one entry per key, its current version)
      parameters:
        - {name: search, in: query, schema: {type: string}, description: "Matches key, name and description"}
        - {name: category, in: query, schema: {type: string}}
        - {name: status, in: query, schema: {$ref: "#/components/schemas/DefinitionStatus"}}
        - {name: type, in: query, schema: {$ref: "#/components/schemas/IntegrationType"}}
        - {name: popular, in: query, schema: {type: boolean}}
        - {$ref: "#/components/parameters/Limit"}
        - {$ref: "#/components/parameters/Cursor"}
      responses:
        "200": {description: A page, content: {application/json: {schema: {$ref: "#/components/schemas/DefinitionPage"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
  /v1/definitions/{key}:
    parameters: [{$ref: "#/components/parameters/Key"}]
    get:
      tags: [definitions]
      operationId: getDefinition
      summary: The latest published version, or the latest draft when none is published
      responses:
        "200": {description: The definition, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/definitions/{key}/versions:
    parameters: [{$ref: "#/components/parameters/Key"}]
    get:
      tags: [definitions]
      operationId: listDefinitionVersions
      summary: All versions of a definition, newest first
      responses:
        "200": {description: The versions, content: {application/json: {schema: {$ref: "#/components/schemas/DefinitionPage"}}}}
        "404": {$ref: "#/components/responses/Error"}
  /v1/definitions/{key}/versions/{version}:
    parameters: [{$ref: "#/components/parameters/Key"}, {$ref: "#/components/parameters/Version"}]
    get:
      tags: [definitions]
      operationId: getDefinitionVersion
      summary: One version
      responses:
        "200": {description: The version, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
    put:
      tags: [definitions]
      operationId: replaceDefinitionDraft
      summary: Replace a DRAFT version (other statuses are not editable)
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/DefinitionInput"}}
          application/yaml: {schema: {$ref: "#/components/schemas/DefinitionInput"}}
      responses:
        "200": {description: Replaced, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {$ref: "#/components/responses/Error"}
    delete:
      tags: [definitions]
      operationId: deleteDefinitionDraft
      summary: Delete a DRAFT version no connection uses
      responses:
        "204": {description: Deleted}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
  /v1/definitions/{key}/versions/{version}/publish:
    parameters: [{$ref: "#/components/parameters/Key"}, {$ref: "#/components/parameters/Version"}]
    post:
      tags: [definitions]
      operationId: publishDefinition
      summary: DRAFT or DEPRECATED to PUBLISHED (422 if its methods' settings fail the checks made when a definition is written)
      responses:
        "200": {description: Published, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /v1/definitions/{key}/versions/{version}/deprecate:
    parameters: [{$ref: "#/components/parameters/Key"}, {$ref: "#/components/parameters/Version"}]
    post:
      tags: [definitions]
      operationId: deprecateDefinition
      summary: PUBLISHED to DEPRECATED
      responses:
        "200": {description: Deprecated, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
  /v1/definitions/{key}/versions/{version}/archive:
    parameters: [{$ref: "#/components/parameters/Key"}, {$ref: "#/components/parameters/Version"}]
    post:
      tags: [definitions]
      operationId: archiveDefinition
      summary: DRAFT, PUBLISHED or DEPRECATED to ARCHIVED
      responses:
        "200": {description: Archived, content: {application/json: {schema: {$ref: "#/components/schemas/Definition"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
  /v1/connections:
    post:
      tags: [connections]
      operationId: createConnection
      summary: Create a connection; config is validated against the definition's configSchema, defaults applied
      description: >-
        Config holds no secret: a SQL connection's databaseUrl carrying a password is 422 SECRET_IN_CONFIG (details
        at /config/databaseUrl, nothing quoted back); the password goes in the connection's credentials (basic).
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/ConnectionInput"}}
      responses:
        "201": {description: Created, content: {application/json: {schema: {$ref: "#/components/schemas/Connection"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "409": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {description: "Invalid (every problem with its path), or the definition named is not there or not published (VALIDATION_ERROR)", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    get:
      tags: [connections]
      operationId: listConnections
      summary: List connections
      parameters:
        - {name: definitionKey, in: query, schema: {type: string}}
        - {name: status, in: query, schema: {$ref: "#/components/schemas/ConnectionStatus"}}
        - {$ref: "#/components/parameters/Limit"}
        - {$ref: "#/components/parameters/Cursor"}
      responses:
        "200": {description: A page, content: {application/json: {schema: {$ref: "#/components/schemas/ConnectionPage"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
  /v1/connections/{id}:
    parameters: [{$ref: "#/components/parameters/ConnectionId"}]
    get:
      tags: [connections]
      operationId: getConnection
      summary: One connection (ETag is its version)
      responses:
        "200": {description: The connection, content: {application/json: {schema: {$ref: "#/components/schemas/Connection"}}}}
        "404": {$ref: "#/components/responses/Error"}
    patch:
      tags: [connections]
      operationId: updateConnection
      summary: Change name, config or metadata; a stale If-Match (412) or version (409) changes nothing
      description: >-
        A config is checked as on create: a SQL connection's databaseUrl carrying a password is 422
        SECRET_IN_CONFIG, and nothing is changed.
      parameters:
        - name: If-Match
          in: header
          description: 'The version as an entity tag ("3", W/"3" or 3), or * for any version; anything else is a 400 INVALID_PARAMETER'
          schema: {type: string, pattern: '^(\*|(W/)?"[1-9][0-9]{0,9}"|[1-9][0-9]{0,9})$'}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/ConnectionPatch"}}
      responses:
        "200": {description: Updated, content: {application/json: {schema: {$ref: "#/components/schemas/Connection"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "412": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {$ref: "#/components/responses/Error"}
    delete:
      tags: [connections]
      operationId: deleteConnection
      summary: Delete a connection
      responses:
        "204": {description: Deleted}
        "404": {$ref: "#/components/responses/Error"}
components:
  parameters:
    Key: {name: key, in: path, required: true, schema: {type: string, pattern: "^[a-z][a-z0-9._-]{0,63}$"}}
    Version:
      name: version
      in: path
      required: true
      description: A semantic version (semver.org 2.0.0, each number at most 9 digits); anything else is a 400 INVALID_PARAMETER
      schema: {$ref: "#/components/schemas/SemanticVersion"}
    ConnectionId: {name: id, in: path, required: true, schema: {type: string}}
    Limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
    Cursor:
      name: cursor
      in: query
      description: >-
        The nextCursor of the previous page of the same listing, passed back unchanged: the position of that page's
        last item. A value that is not a cursor of this listing's shape (another listing's cursor, text that does not
        decode) is a 400 INVALID_CURSOR, which no schema can tell apart from a cursor it did issue; a cursor given
        with other filters goes on from its position under them.
      schema: {type: string, minLength: 1}
  responses:
    Error:
      description: An error
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
    BadRequest:
      description: >-
        A parameter, header or body that cannot be read: INVALID_PARAMETER (a path or query parameter or a header is
        malformed, empty values of typed query parameters included; details name it), INVALID_CURSOR, MALFORMED_BODY
        (no body where one is needed, or one that does not parse)
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
    PayloadTooLarge:
      description: The body is larger than the server's limit (PAYLOAD_TOO_LARGE)
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
    UnsupportedMediaType:
      description: The body's Content-Type is not one the operation reads (UNSUPPORTED_MEDIA_TYPE)
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [code, message, details]
          properties:
            code: {type: string, examples: [VALIDATION_ERROR]}
            message: {type: string}
            details:
              type: array
              description: >-
                Validation errors list {path, message} (path a JSON pointer); an upstream error carries the provider's
                answer ({status, body}, the body truncated); a GRAPHQL_ERROR the GraphQL errors as the server sent them
                ({message, locations, path, extensions}, path an array of field names and list indexes); a SOAP_FAULT
                one {faultcode, subcodes?, faultactor?, node?, detail?} (the faultstring, or SOAP 1.2 Reason, is the
                error's message).
              items:
                type: object
                properties:
                  path:
                    description: A JSON pointer (validation errors), or a GraphQL error's response path.
                    oneOf:
                      - {type: string}
                      - {type: array, items: {type: [string, integer]}}
                  message: {type: string}
                  locations: {type: array, items: {type: object, properties: {line: {type: integer}, column: {type: integer}}}}
                  extensions: {type: object}
                  status: {type: integer, description: The provider's HTTP status (upstream errors)}
                  body: {description: "The provider's answer, truncated (upstream errors)"}
                  faultcode: {type: string}
                  subcodes: {type: array, items: {type: string}}
                  faultactor: {type: string}
                  node: {type: string}
                  detail: {description: The Fault's detail element as JSON}
            retryAfter:
              type: number
              description: >-
                Seconds to wait before calling again (also sent as a Retry-After header), only when known: the wait a
                circuit breaker or our rate limiter computed, or the provider's Retry-After (delay-seconds or an
                HTTP-date). Absent otherwise (a provider's 429 without a Retry-After, or with one in neither form).
    SemanticVersion:
      type: string
      pattern: '^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
      examples: [1.0.0, 2.1.0-beta.1+build.5]
    DefinitionStatus: {type: string, enum: [DRAFT, PUBLISHED, DEPRECATED, ARCHIVED]}
    IntegrationType: {type: string, enum: [rest_api, graphql, soap, webhook, event_stream, message_queue, database, file_transfer, custom]}
    AuthType: {type: string, enum: [none, basic, api_key, bearer, oauth2, jwt, custom, client_certificate]}
    ConnectionStatus: {type: string, enum: [PENDING_CONFIGURATION, PENDING_AUTHENTICATION, CONNECTED, DISCONNECTED, AUTH_ERROR, CONFIG_ERROR]}
    Method:
      type: object
      required: [name]
      properties:
        name: {type: string, pattern: "^[A-Za-z0-9_.-]{1,100}$"}
        description: {type: string}
        verb: {type: string, enum: [GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS]}
        path: {type: string, description: "Path template: /users/{id}"}
        query: {type: object, additionalProperties: {type: string}}
        headers: {type: object, additionalProperties: {type: string}}
        body: {description: "Body template"}
        bodyEncoding: {type: string, enum: [json, form, raw, none]}
        paramSchema: {type: [object, boolean]}
        resultSchema: {type: [object, boolean]}
        requestTransform: {type: string}
        responseTransform: {type: string}
        timeoutMs: {type: integer}
        retry: {type: object}
        rateLimit: {type: object}
        cache: {type: object}
        resilience: {type: object}
        logBodies: {type: boolean}
        graphql:
          type: object
          description: "GraphQL definitions: {query (required), operationName?, variables? (template)}"
        soap:
          type: object
          description: "SOAP definitions: {version (1.1|1.2), action?, operation?, namespace?, namespacePrefix?, elementForm?, bodyTemplate?, headerTemplate?, arrays?}"
        sql:
          type: object
          description: "Database definitions: {query (required; :name parameters only, no positional ? or $1), readOnly?}"
        options: {type: object, description: "Adapter settings may also be given here: options.graphql, options.soap, options.sql"}
    DefinitionInput:
      type: object
      description: >-
        Fields not listed here are refused (422); null is the same as absent. What a schema cannot say is checked too and listed in the 422: that
        healthCheck names a declared method, method names are unique, schemas, templates, transforms and syncs are valid.
      required: [key, name, version]
      additionalProperties: false
      properties:
        key: {type: string, pattern: "^[a-z][a-z0-9._-]{0,63}$"}
        name: {type: string, minLength: 1, maxLength: 200}
        description: {type: [string, "null"]}
        category: {type: [string, "null"], maxLength: 100}
        provider: {type: [string, "null"], maxLength: 100}
        type: {$ref: "#/components/schemas/IntegrationType"}
        version: {$ref: "#/components/schemas/SemanticVersion"}
        status: {$ref: "#/components/schemas/DefinitionStatus"}
        auth:
          description: "The auth settings, or only the type's name (not oauth2, which needs settings); none when absent"
          anyOf:
            - {type: string, enum: [none, basic, api_key, bearer, jwt, custom, client_certificate]}
            - type: object
              required: [type]
              properties:
                type: {$ref: "#/components/schemas/AuthType"}
                apiKey: {type: object, properties: {in: {type: string, enum: [header, query]}, name: {type: string}}}
                oauth2: {type: object}
        baseUrl: {type: [string, "null"], maxLength: 2048, pattern: "(://|^\\{config\\.)", description: "An absolute URL, or a {config.name} reference"}
        configSchema: {type: [object, boolean, "null"]}
        defaultConfig: {type: object}
        capabilities: {type: array, items: {type: string}}
        credentials: {type: object, properties: {required: {type: array, items: {type: string}}, optional: {type: array, items: {type: string}}}}
        popular: {type: boolean}
        icon: {type: [string, "null"], maxLength: 2048}
        docsUrl: {type: [string, "null"], maxLength: 2048}
        metadata: {type: object}
        methods: {type: array, items: {$ref: "#/components/schemas/Method"}}
        healthCheck: {type: [string, "null"], description: The name of a declared method}
        syncs: {type: array, items: {type: object, required: [name, entityType, sourceMethod], description: A sync (docs/sync.md)}}
        resilience: {type: object}
        createdAt: {type: string, format: date-time, readOnly: true}
        updatedAt: {type: string, format: date-time, readOnly: true}
        publishedAt: {type: [string, "null"], format: date-time, readOnly: true}
        methodCount: {type: integer, readOnly: true, description: "In lists, which leave the methods out"}
    Definition:
      allOf:
        - {$ref: "#/components/schemas/DefinitionInput"}
    DefinitionPage:
      type: object
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Definition"}}
        nextCursor: {type: [string, "null"]}
    ConnectionInput:
      type: object
      required: [definitionKey, name]
      additionalProperties: false
      properties:
        definitionKey: {type: string, minLength: 1, maxLength: 64}
        definitionVersion: {$ref: "#/components/schemas/SemanticVersion"}
        name: {type: string, minLength: 1, maxLength: 200}
        config: {type: object}
        metadata: {$ref: "#/components/schemas/ConnectionMetadata"}
    ConnectionMetadata:
      type: object
      description: >-
        Free-form, except resilience: the connection's resilience overrides, layered over the definition's and each
        method's settings and validated when written (422 with the path of each problem, e.g.
        /metadata/resilience/retry/maxAtempts).
      properties:
        resilience: {type: object}
    ConnectionPatch:
      type: object
      additionalProperties: false
      properties:
        name: {type: string, minLength: 1, maxLength: 200}
        config: {type: object}
        metadata: {$ref: "#/components/schemas/ConnectionMetadata"}
        version: {type: integer, minimum: 1, maximum: 2147483647, description: The version being changed (409 when stale)}
    Connection:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        definitionKey: {type: string}
        definitionVersion: {type: string}
        status: {$ref: "#/components/schemas/ConnectionStatus"}
        config: {type: object}
        metadata: {type: object}
        lastError: {type: [string, "null"]}
        lastUsedAt: {type: [string, "null"], format: date-time}
        lastConnectedAt: {type: [string, "null"], format: date-time}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
        version: {type: integer}
    ConnectionPage:
      type: object
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Connection"}}
        nextCursor: {type: [string, "null"]}
"""#
}
