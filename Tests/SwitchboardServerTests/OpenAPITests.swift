import JSONValue
import Logging
import SwitchboardCore
import SwitchboardServer
import SwitchboardStore
import SwitchboardTestSupport
import Testing

@Suite struct OpenAPITests {
    /// Every route the router serves is in the OpenAPI document, and the document names no route that doesn't exist.
    @Test func documentMatchesTheRoutes() async throws {
        try await TestBackend.sqlite.withDatabase { db, _ in
            let schemas = makeSchemaChecker()
            let services = AppServices(store: Store(database: db), schemas: schemas, logger: Logger(label: "test"))
            let (_, table) = buildRouter(services: services, configuration: ServerConfiguration())
            let served = Set(table.routes.map { "\($0.method) \($0.path)" })
            let documented = OpenAPIDocument().operations
            #expect(served.count > 10)
            #expect(served.subtracting(documented).sorted() == [], "routes missing from openapi")
            #expect(documented.subtracting(served).sorted() == [], "documented routes that are not served")
        }
    }

    @Test func documentIsValidOpenAPIShape() {
        let doc = OpenAPIDocument().json
        #expect(doc["openapi"] == "3.1.0")
        #expect(doc["info"]?["title"] == "Switchboard")
        #expect(doc["components"]?["schemas"]?["Error"] != nil)
    }
}
