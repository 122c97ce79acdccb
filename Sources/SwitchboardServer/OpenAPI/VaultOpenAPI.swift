extension OpenAPIFragments {
    /// The credential vault: credentials, OAuth 2 authorization and the audit log.
    static let vault = #"""
paths:
  /v1/connections/{id}/credentials:
    parameters: [{$ref: "#/components/parameters/ConnectionId"}]
    put:
      tags: [credentials]
      operationId: setCredentials
      summary: Set a connection's credentials (sealed in the vault); usable credentials move the connection to CONNECTED
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: "#/components/schemas/CredentialsInput"}}
      responses:
        "200": {description: What is stored (never a value), content: {application/json: {schema: {$ref: "#/components/schemas/CredentialsInfo"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "415": {$ref: "#/components/responses/UnsupportedMediaType"}
        "422": {$ref: "#/components/responses/Error"}
    get:
      tags: [credentials]
      operationId: getCredentials
      summary: The type, the fields that are set, the expiry and a fingerprint of the credentials; never a value
      responses:
        "200": {description: The credentials' description, content: {application/json: {schema: {$ref: "#/components/schemas/CredentialsInfo"}}}}
        "404": {$ref: "#/components/responses/Error"}
    delete:
      tags: [credentials]
      operationId: deleteCredentials
      summary: Delete the credentials (OAuth tokens are revoked first when the definition has a revocation endpoint)
      description: >-
        A CONNECTED or AUTH_ERROR connection whose definition needs auth moves to PENDING_AUTHENTICATION with the delete
        (integration.credentials.deleted is emitted).
      responses:
        "204": {description: Deleted}
        "404": {$ref: "#/components/responses/Error"}
  /v1/connections/{id}/oauth/authorize:
    parameters: [{$ref: "#/components/parameters/ConnectionId"}]
    post:
      tags: [credentials]
      operationId: authorizeConnection
      summary: Start the OAuth 2 authorization code flow with PKCE (S256); the state is single-use and expires after 10 minutes
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                redirectUri: {type: string, format: uri, description: "Where the provider sends the user back (GET /v1/oauth/callback of this server)"}
      responses:
        "200":
          description: The URL to send the user to
          content:
            application/json:
              schema:
                type: object
                required: [authorizationUrl, expiresAt]
                properties:
                  authorizationUrl: {type: string}
                  expiresAt: {type: string, format: date-time}
        "400": {$ref: "#/components/responses/BadRequest"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/PayloadTooLarge"}
        "422": {$ref: "#/components/responses/Error"}
  /v1/oauth/callback:
    get:
      tags: [credentials]
      operationId: oauthCallback
      summary: The OAuth 2 redirect target; exchanges the code, stores the tokens and answers a small page (JSON with Accept application/json)
      parameters:
        - {name: state, in: query, schema: {type: string}}
        - {name: code, in: query, schema: {type: string}}
        - {name: error, in: query, schema: {type: string}, description: "The provider's error, e.g. access_denied"}
      responses:
        "200": {description: Connected, content: {text/html: {schema: {type: string}}, application/json: {schema: {$ref: "#/components/schemas/OAuthCallbackResult"}}}}
        "400": {description: "Failed (state unknown, used or expired; provider error; code refused)", content: {text/html: {schema: {type: string}}, application/json: {schema: {$ref: "#/components/schemas/OAuthCallbackResult"}}}}
  /v1/audit:
    get:
      tags: [credentials]
      operationId: listAudit
      summary: The audit log of credential reads and changes, oldest first (never a secret)
      parameters:
        - {name: connectionId, in: query, schema: {type: string}}
        - {name: action, in: query, schema: {type: string}, description: "credentials.read, credentials.set, credentials.deleted, credentials.refreshed, oauth.authorize, oauth.connected, oauth.failed, oauth.revoked"}
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: until, in: query, schema: {type: string, format: date-time}}
        - {$ref: "#/components/parameters/Limit"}
        - {$ref: "#/components/parameters/Cursor"}
      responses:
        "200":
          description: A page of entries
          content:
            application/json:
              schema:
                type: object
                required: [items, nextCursor]
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/AuditEntry"}}
                  nextCursor: {type: [string, "null"]}
        "400": {$ref: "#/components/responses/BadRequest"}
components:
  schemas:
    CredentialsInput:
      type: object
      required: [type]
      description: |
        Fields by type. basic: username, password. api_key: key, in (header|query), name. bearer: token.
        oauth2: clientId, clientSecret, accessToken, refreshToken, tokenType, scope, expiresAt or expiresIn,
        assertion {algorithm, key, keyId, claims, ttlSeconds} (JWT bearer grant). jwt: token, or algorithm
        (RS256|ES256|HS256), key, keyId, claims, ttlSeconds. custom: values. client_certificate (mutual TLS):
        certificatePEM (leaf first, then intermediates), privateKeyPEM (unencrypted PKCS#8, RSA or EC), caCertificatePEM
        (optional: the CAs the upstream's certificate must chain to, instead of the system roots); checked when set
        (they parse, the key belongs to the leaf, the leaf has not expired) and the leaf's expiry becomes expiresAt.
        Fields sent in an HTTP header (basic username and password, api_key key and name, bearer and jwt token, oauth2
        accessToken and tokenType, custom values.headers) must not contain line breaks or other control characters (422
        with the field's path, never its value); except basic's (base64 of UTF-8), they must also hold only visible
        ASCII characters, spaces and tabs, so that a secret a provider echoes back is recognised and redacted (an
        api_key sent in the query, by its in or else the definition's auth.apiKey.in, may hold other characters: it is
        percent-encoded).
      properties:
        type: {type: string, enum: [basic, api_key, bearer, oauth2, jwt, custom, client_certificate]}
      additionalProperties: true
    CredentialsInfo:
      type: object
      required: [connectionId, type, fields, fingerprint]
      properties:
        connectionId: {type: string}
        type: {type: string}
        fields: {type: array, items: {type: string}, description: The names of the fields that are set}
        expiresAt: {type: [string, "null"], format: date-time}
        fingerprint: {type: string, description: First 12 hex digits of an HMAC-SHA256 of the secret under a vault key}
        keyId: {type: string, description: The master key that wraps the record's data key}
        revision: {type: integer}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
        connectionStatus: {type: string, description: Only in the PUT answer}
    OAuthCallbackResult:
      type: object
      properties:
        connected: {type: boolean}
        connectionId: {type: [string, "null"]}
        status: {type: [string, "null"]}
        error: {type: [string, "null"]}
    AuditEntry:
      type: object
      required: [id, at, action, actor, details]
      properties:
        id: {type: string}
        at: {type: string, format: date-time}
        connectionId: {type: [string, "null"]}
        action: {type: string}
        actor: {type: string, enum: [engine, api, oauth, cli]}
        details: {type: object}
"""#
}
