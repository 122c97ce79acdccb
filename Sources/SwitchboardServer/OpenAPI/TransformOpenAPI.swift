extension OpenAPIFragments {
    /// Data transformation: JSONata, schema mappings, mapping templates, validators and pipelines (docs/transform.md).
    static let transform: String = {
        var yaml = #"""
paths:
  /v1/transform:
    post:
      tags: [transform]
      operationId: transform
      summary: Evaluate a JSONata expression against an input (time and depth limited; compiled expressions cached)
      requestBody:
        required: true
        content:
          application/json: {schema: {type: object, required: [expression], additionalProperties: false, properties: {expression: {type: string, minLength: 1, maxLength: 100000}, input: {}, bindings: {type: [object, "null"]}}}}
      responses:
        "200": {description: "The result (undefined: result null and undefined true)", content: {application/json: {schema: {type: object, properties: {result: {}, undefined: {type: boolean}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {description: "TRANSFORM_ERROR (details: code, position, token) or VALIDATION_ERROR", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/transform/data:
    post:
      tags: [transform]
      operationId: transformData
      summary: Apply the mapping of the template for an integration type and entity type
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [integrationType, entityType, data]
              additionalProperties: false
              properties: {integrationType: {type: string, minLength: 1}, entityType: {type: string, minLength: 1}, data: {description: Any JSON value but null, not: {type: "null"}}}
      responses:
        "200": {description: The mapping's result, content: {application/json: {schema: {$ref: "#/components/schemas/MappingResult"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /v1/mappings/{id}/apply:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      tags: [transform]
      operationId: applyMapping
      summary: "Apply a mapping to a document, or to each document of an array (then results)"
      requestBody:
        required: true
        content:
          application/json: {schema: {}}
      responses:
        "200": {description: The output and the errors, content: {application/json: {schema: {$ref: "#/components/schemas/MappingResult"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "404": {$ref: "#/components/responses/Error"}
  /v1/validators/{id}/validate:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      tags: [transform]
      operationId: validateDocument
      summary: Check a document against a validator's rules
      requestBody:
        required: true
        content:
          application/json: {schema: {}}
      responses:
        "200": {description: The report, content: {application/json: {schema: {type: object, properties: {valid: {type: boolean}, errors: {type: array}, warnings: {type: array}, infos: {type: array}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "404": {$ref: "#/components/responses/Error"}
  /v1/pipelines/{id}/run:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: stopOnError, in: query, schema: {type: boolean}}
    post:
      tags: [transform]
      operationId: runPipeline
      summary: Run a pipeline on one document (object), a batch (array) or a stream (NDJSON in and out, ending with a summary line)
      requestBody:
        required: true
        content:
          application/json: {schema: {}}
          application/x-ndjson: {schema: {type: string}}
      responses:
        "200":
          description: "The output (output or dropped); for an array results and summary; for NDJSON one line per record and a summary line"
          content:
            application/json: {schema: {type: object}}
            application/x-ndjson: {schema: {type: string}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {$ref: "#/components/responses/Error"}

"""#
        for (path, name, noun) in [
            ("/v1/mappings", "Mapping", "schema mapping"), ("/v1/mapping-templates", "MappingTemplate", "mapping template"),
            ("/v1/validators", "Validator", "validator"), ("/v1/pipelines", "Pipeline", "pipeline"),
        ] {
            yaml += """
              \(path):
                post:
                  tags: [transform]
                  operationId: create\(name)
                  summary: "Create a \(noun) (compiled and checked first; 422 lists every problem)"
                  requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/\(name)Input"}}}}
                  responses:
                    "201": {description: Created, content: {application/json: {schema: {$ref: "#/components/schemas/TransformDocument"}}}}
                    "400": {$ref: "#/components/responses/BadRequest"}
                    "413": {$ref: "#/components/responses/PayloadTooLarge"}
                    "415": {$ref: "#/components/responses/UnsupportedMediaType"}
                    "409": {$ref: "#/components/responses/Error"}
                    "422": {$ref: "#/components/responses/Error"}
                get:
                  tags: [transform]
                  operationId: list\(name)s
                  summary: List \(noun)s in creation order
                  parameters: [{$ref: "#/components/parameters/Limit"}, {$ref: "#/components/parameters/Cursor"}]
                  responses:
                    "200": {description: A page, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/TransformDocument"}}, nextCursor: {type: [string, "null"]}}}}}}
                    "400": {$ref: "#/components/responses/BadRequest"}
              \(path)/{id}:
                parameters: [{name: id, in: path, required: true, schema: {type: string}}]
                get:
                  tags: [transform]
                  operationId: get\(name)
                  summary: One \(noun)
                  responses:
                    "200": {description: The \(noun), content: {application/json: {schema: {$ref: "#/components/schemas/TransformDocument"}}}}
                    "404": {$ref: "#/components/responses/Error"}
                put:
                  tags: [transform]
                  operationId: replace\(name)
                  summary: Replace a \(noun)
                  requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/\(name)Input"}}}}
                  responses:
                    "200": {description: The \(noun), content: {application/json: {schema: {$ref: "#/components/schemas/TransformDocument"}}}}
                    "400": {$ref: "#/components/responses/BadRequest"}
                    "413": {$ref: "#/components/responses/PayloadTooLarge"}
                    "415": {$ref: "#/components/responses/UnsupportedMediaType"}
                    "404": {$ref: "#/components/responses/Error"}
                    "409": {$ref: "#/components/responses/Error"}
                    "422": {$ref: "#/components/responses/Error"}
                delete:
                  tags: [transform]
                  operationId: delete\(name)
                  summary: Delete a \(noun)
                  responses:
                    "204": {description: Deleted}
                    "404": {$ref: "#/components/responses/Error"}

            """
        }
        yaml += #"""
components:
  schemas:
    TransformDocument:
      type: object
      required: [id, createdAt, updatedAt]
      properties:
        id: {type: string}
        name: {type: string}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
      additionalProperties: true
    MappingInput:
      type: object
      description: A schema mapping (docs/transform.md); each rule is compiled and checked, 422 lists every problem
      required: [name, rules]
      additionalProperties: false
      properties:
        id: {type: string, readOnly: true}
        name: {type: string, minLength: 1, maxLength: 200}
        description: {type: [string, "null"]}
        createdAt: {type: string, format: date-time, readOnly: true}
        updatedAt: {type: string, format: date-time, readOnly: true}
        sourceSchema: {type: [object, boolean, "null"]}
        targetSchema: {type: [object, boolean, "null"]}
        rules:
          type: array
          items:
            type: object
            description: "A rule takes its value from a source path or an expression (not both), or a default"
            required: [target]
            additionalProperties: false
            properties: {target: {type: string, minLength: 1}, source: {type: string}, expression: {type: string}, default: {}, transform: {}, condition: {type: object}}
    MappingTemplateInput:
      type: object
      description: Which mapping /v1/transform/data applies to an integration type's entity type
      required: [integrationType, entityType, mappingId]
      additionalProperties: false
      properties:
        id: {type: string, readOnly: true}
        integrationType: {type: string, minLength: 1, maxLength: 200}
        entityType: {type: string, minLength: 1, maxLength: 200}
        mappingId: {type: string, minLength: 1}
        name: {type: string, maxLength: 200}
        description: {type: [string, "null"]}
        createdAt: {type: string, format: date-time, readOnly: true}
        updatedAt: {type: string, format: date-time, readOnly: true}
    ValidatorInput:
      type: object
      description: A validator (docs/transform.md); each rule is compiled and checked, 422 lists every problem
      required: [name, rules]
      additionalProperties: false
      properties:
        id: {type: string, readOnly: true}
        name: {type: string, minLength: 1, maxLength: 200}
        description: {type: [string, "null"]}
        createdAt: {type: string, format: date-time, readOnly: true}
        updatedAt: {type: string, format: date-time, readOnly: true}
        rules: {type: array, items: {type: object, required: [type], properties: {type: {type: string, enum: [required, type, format, range, length, pattern, enum, custom]}}}}
    PipelineInput:
      type: object
      description: A pipeline (docs/transform.md); each step is compiled and checked, 422 lists every problem
      required: [name, steps]
      additionalProperties: false
      properties:
        id: {type: string, readOnly: true}
        name: {type: string, minLength: 1, maxLength: 200}
        description: {type: [string, "null"]}
        createdAt: {type: string, format: date-time, readOnly: true}
        updatedAt: {type: string, format: date-time, readOnly: true}
        steps: {type: array, items: {type: object, required: [type], properties: {type: {type: string, enum: [mapping, validation, transformation, enrichment, filtering]}}}}
    MappingResult:
      type: object
      properties:
        output: {}
        errors: {type: array, items: {type: object, properties: {rule: {type: [integer, "null"]}, path: {type: string}, message: {type: string}}}}
        results: {type: array}

"""#
        return yaml
    }()
}
