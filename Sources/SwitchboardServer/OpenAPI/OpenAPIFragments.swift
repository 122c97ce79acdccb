/// OpenAPI fragments (YAML with `paths:` and `components:`) for areas of the API beyond the base document,
/// one constant per area, each defined in its own file beside this one.
enum OpenAPIFragments {
    static var all: [String] { [execution, vault, transform, sync] }
}
