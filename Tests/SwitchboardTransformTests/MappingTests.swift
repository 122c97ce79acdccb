import JSONValue
import SwitchboardCore
import SwitchboardTransform
import Testing

let evaluator = TransformEvaluator()
let schemas = StructuralSchemaChecker()

func mapping(_ rules: JSON, extra: JSONObject = [:]) throws -> CompiledMapping {
    var o: JSONObject = ["name": "m", "rules": rules]
    for (k, v) in extra { o[k] = v }
    return try CompiledMapping(.object(o), evaluator: evaluator, schemas: schemas)
}

func applyRule(_ rule: JSON, to doc: JSON) throws -> (output: JSON, errors: [CompiledMapping.ApplyError]) {
    try mapping([rule]).apply(doc, evaluator: evaluator, schemas: schemas)
}

@Suite struct MappingTests {
    @Test func pathsCopyIntoNestedTargetsAndAppendToArrays() throws {
        let m = try mapping([
            ["source": "properties.email", "target": "contact.email"],
            ["source": "properties.phone", "target": "phones[]"],
            ["source": "properties.mobile", "target": "phones[]"],
            ["source": "items[1].sku", "target": "second"],
        ])
        let doc: JSON = ["properties": ["email": "a@b.c", "phone": "1", "mobile": "2"], "items": [["sku": "x"], ["sku": "y"]]]
        let (out, errors) = m.apply(doc, evaluator: evaluator, schemas: schemas)
        #expect(errors.isEmpty)
        #expect(out == ["contact": ["email": "a@b.c"], "phones": ["1", "2"], "second": "y"])
    }

    @Test func expressionSourcesAreJSONata() throws {
        let (out, _) = try applyRule(["expression": "first & ' ' & last", "target": "name"], to: ["first": "Ada", "last": "Lovelace"])
        #expect(out == ["name": "Ada Lovelace"])
    }

    @Test func stringTransformConvertsTrimsAndChangesCase() throws {
        #expect(try applyRule(["source": "n", "target": "s", "transform": ["type": "string"]], to: ["n": 42]).output == ["s": "42"])
        #expect(try applyRule(["source": "n", "target": "s", "transform": ["type": "string"]], to: ["n": true]).output == ["s": "true"])
        let r = try applyRule(["source": "n", "target": "s", "transform": ["type": "string", "trim": true, "case": "upper"]], to: ["n": "  ab "])
        #expect(r.output == ["s": "AB"])
        let lower = try applyRule(["source": "n", "target": "s", "transform": ["type": "string", "case": "lower"]], to: ["n": "AbC"])
        #expect(lower.output == ["s": "abc"])
        let bad = try applyRule(["source": "n", "target": "s", "transform": ["type": "string"]], to: ["n": ["x"]])
        #expect(bad.errors.count == 1 && bad.errors[0].rule == 0 && bad.errors[0].path == "s")
    }

    @Test func numberTransformParsesStrings() throws {
        #expect(try applyRule(["source": "n", "target": "x", "transform": ["type": "number"]], to: ["n": " 1,234.5 "]).output == ["x": 1234.5])
        #expect(try applyRule(["source": "n", "target": "x", "transform": ["type": "number"]], to: ["n": true]).output == ["x": 1])
        let bad = try applyRule(["source": "n", "target": "x", "transform": ["type": "number"]], to: ["n": "abc"])
        #expect(bad.errors.map(\.message) == ["'abc' is not a number"])
    }

    @Test func booleanTransformReadsWords() throws {
        for (input, expected): (JSON, Bool) in [("yes", true), ("false", false), ("1", true), (0, false), (2, true), (true, true)] {
            #expect(
                try applyRule(["source": "v", "target": "b", "transform": ["type": "boolean"]], to: ["v": input]).output == ["b": .bool(expected)])
        }
        #expect(try applyRule(["source": "v", "target": "b", "transform": ["type": "boolean"]], to: ["v": "maybe"]).errors.count == 1)
    }

    @Test func dateTransformUsesPictureStrings() throws {
        let rule: JSON = [
            "source": "d", "target": "iso",
            "transform": ["type": "date", "inputFormat": "[D01]/[M01]/[Y0001]", "outputFormat": "[Y0001]-[M01]-[D01]"],
        ]
        #expect(try applyRule(rule, to: ["d": "31/01/2026"]).output == ["iso": "2026-01-31"])
        let iso: JSON = ["source": "d", "target": "ms", "transform": ["type": "date", "outputFormat": "millis"]]
        #expect(try applyRule(iso, to: ["d": "1970-01-01T00:00:01.000Z"]).output == ["ms": 1000])
        let fromMillis: JSON = ["source": "d", "target": "iso", "transform": ["type": "date"]]
        #expect(try applyRule(fromMillis, to: ["d": 0]).output == ["iso": "1970-01-01T00:00:00.000Z"])
        #expect(try applyRule(rule, to: ["d": "not a date"]).errors.count == 1)
    }

    @Test func arrayAndObjectTransforms() throws {
        #expect(try applyRule(["source": "v", "target": "a", "transform": ["type": "array"]], to: ["v": "x"]).output == ["a": ["x"]])
        #expect(
            try applyRule(["source": "v", "target": "a", "transform": ["type": "array", "separator": ";"]], to: ["v": "a; b"]).output == [
                "a": ["a", "b"]
            ])
        #expect(try applyRule(["source": "v", "target": "o", "transform": ["type": "object"]], to: ["v": "{\"k\":1}"]).output == ["o": ["k": 1]])
        #expect(try applyRule(["source": "v", "target": "o", "transform": ["type": "object"]], to: ["v": 3]).errors.count == 1)
    }

    @Test func expressionTransformSeesValueAndSource() throws {
        let rule: JSON = ["source": "price", "target": "total", "transform": ["type": "expression", "expression": "$ * $source.qty"]]
        #expect(try applyRule(rule, to: ["price": 2.5, "qty": 4]).output == ["total": 10])
    }

    @Test(arguments: [
        ("exists", JSON.null, true), ("not_exists", .null, false), ("equals", "ada", true), ("not_equals", "ada", false),
        ("greater_than", "a", true), ("less_than", "b", true), ("greater_than_or_equals", "ada", true), ("less_than_or_equals", "adb", true),
        ("contains", "d", true), ("not_contains", "d", false), ("starts_with", "ad", true), ("ends_with", "da", true), ("regex", "^a.a$", true),
        ("equals", "bob", false), ("regex", "^b", false), ("starts_with", "x", false),
    ])
    func conditionOperators(op: String, value: JSON, expected: Bool) throws {
        var condition: JSONObject = ["field": "name", "operator": .string(op)]
        if !value.isNull { condition["value"] = value }
        let rule: JSON = ["source": "name", "target": "out", "condition": .object(condition)]
        let out = try applyRule(rule, to: ["name": "ada"]).output
        #expect(out == (expected ? ["out": "ada"] : [:]))
    }

    @Test func numericConditionsAndArrayContains() throws {
        let gt: JSON = ["source": "n", "target": "o", "condition": ["field": "n", "operator": "greater_than", "value": 9]]
        #expect(try applyRule(gt, to: ["n": 10]).output == ["o": 10])
        #expect(try applyRule(gt, to: ["n": 9]).output == [:])
        let has: JSON = ["source": "tags", "target": "o", "condition": ["field": "tags", "operator": "contains", "value": "vip"]]
        #expect(try applyRule(has, to: ["tags": ["vip"]]).output == ["o": ["vip"]])
        #expect(try applyRule(has, to: ["tags": ["new"]]).output == [:])
    }

    @Test func defaultsAndRequired() throws {
        #expect(try applyRule(["source": "x", "target": "y", "default": "none"], to: [:]).output == ["y": "none"])
        #expect(try applyRule(["source": "x", "target": "y", "default": 0, "transform": ["type": "string"]], to: ["x": nil]).output == ["y": "0"])
        #expect(try applyRule(["source": "x", "target": "y"], to: [:]).output == [:])
        let missing = try applyRule(["source": "x", "target": "y", "required": true], to: [:])
        #expect(missing.errors == [CompiledMapping.ApplyError(rule: 0, path: "y", message: "required value is missing")])
    }

    @Test func otherRulesRunPastAFailingRule() throws {
        let m = try mapping([
            ["source": "a", "target": "a", "required": true], ["source": "b", "target": "b"],
        ])
        let (out, errors) = m.apply(["b": 1], evaluator: evaluator, schemas: schemas)
        #expect(out == ["b": 1])
        #expect(errors.count == 1)
    }

    @Test func sourceAndTargetSchemasAreChecked() throws {
        let m = try mapping(
            [["source": "a", "target": "b"]],
            extra: [
                "sourceSchema": ["type": "object", "required": ["a"]], "targetSchema": ["type": "object", "properties": ["b": ["type": "string"]]],
            ])
        #expect(m.apply(["a": "x"], evaluator: evaluator, schemas: schemas).errors.isEmpty)
        let noSource = m.apply([:], evaluator: evaluator, schemas: schemas)
        #expect(noSource.errors.count == 1 && noSource.errors[0].rule == nil && noSource.errors[0].message.hasPrefix("source:"))
        let badTarget = m.apply(["a": 1], evaluator: evaluator, schemas: schemas)
        #expect(badTarget.errors.count == 1 && badTarget.errors[0].message.hasPrefix("target:"))
    }

    @Test func compileListsEveryProblem() throws {
        do {
            _ = try mapping([
                ["source": "a", "target": ""], ["expression": "(", "target": "x"], ["source": "a", "target": "b", "transform": ["type": "weird"]],
                ["source": "a", "target": "b", "condition": ["field": "a", "operator": "regex", "value": "("]],
            ])
            Issue.record("compiled")
        } catch let e as SwitchboardError {
            #expect(e.code == "VALIDATION_ERROR")
            let paths = e.details.compactMap { $0["path"]?.stringValue }
            #expect(paths.contains("/rules/0/target"))
            #expect(paths.contains("/rules/1/expression"))
            #expect(paths.contains("/rules/2/transform/type"))
            #expect(paths.contains("/rules/3/condition/value"))
        }
    }
}

@Suite struct ExpressionCacheTests {
    @Test func cacheIsBoundedAndReportsJSONataErrors() throws {
        let cache = ExpressionCache(capacity: 2)
        _ = try cache.expression("a")
        _ = try cache.expression("b")
        _ = try cache.expression("c")
        #expect(cache.count == 2)
        do {
            _ = try cache.expression("1 +")
            Issue.record("compiled")
        } catch {
            #expect(error.code == "TRANSFORM_ERROR" && error.status == 422)
            #expect(error.details.first?["code"]?.stringValue?.hasPrefix("S0") == true)
        }
    }

    @Test func evaluationErrorsCarryTheJSONataCode() throws {
        do {
            _ = try evaluator.evaluate("$x + 1", input: nil, bindings: ["x": "s"])
            Issue.record("evaluated")
        } catch {
            #expect(error.details.first?["code"] == "T2001")
            #expect(error.details.first?["position"]?.numberValue != nil)
        }
    }
}
