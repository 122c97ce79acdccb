import JSONValue
import SwitchboardCore
import SwitchboardTransform
import Testing

func validator(_ rules: JSON) throws -> CompiledValidator {
    try CompiledValidator(["name": "v", "rules": rules], evaluator: evaluator)
}

func failures(_ rule: JSON, _ doc: JSON) throws -> [CompiledValidator.Failure] {
    try validator([rule]).validate(doc, evaluator: evaluator, schemas: schemas).failures
}

@Suite struct ValidatorTests {
    @Test func required() throws {
        #expect(try failures(["field": "a", "type": "required"], [:]).map(\.message) == ["is required"])
        #expect(try failures(["field": "a", "type": "required"], ["a": ""]).count == 1)
        #expect(try failures(["field": "a", "type": "required"], ["a": 0]).isEmpty)
    }

    @Test func type() throws {
        #expect(try failures(["field": "a", "type": "type", "expected": "string"], ["a": 1]).count == 1)
        #expect(try failures(["field": "a", "type": "type", "expected": "integer"], ["a": 1]).isEmpty)
        #expect(try failures(["field": "a", "type": "type", "expected": "integer"], ["a": 1.5]).count == 1)
        #expect(try failures(["field": "a", "type": "type", "expected": "string"], [:]).isEmpty)
    }

    @Test func range() throws {
        let rule: JSON = ["field": "n", "type": "range", "min": 1, "max": 10]
        #expect(try failures(rule, ["n": 0]).map(\.message) == ["must be at least 1"])
        #expect(try failures(rule, ["n": 11]).map(\.message) == ["must be at most 10"])
        #expect(try failures(rule, ["n": 5]).isEmpty)
    }

    @Test func length() throws {
        let rule: JSON = ["field": "s", "type": "length", "min": 2, "max": 3]
        #expect(try failures(rule, ["s": "a"]).count == 1)
        #expect(try failures(rule, ["s": ["a", "b", "c", "d"]]).count == 1)
        #expect(try failures(rule, ["s": "ab"]).isEmpty)
    }

    @Test func pattern() throws {
        let rule: JSON = ["field": "s", "type": "pattern", "pattern": "^[A-Z]{2}$"]
        #expect(try failures(rule, ["s": "FR"]).isEmpty)
        #expect(try failures(rule, ["s": "fr"]).count == 1)
    }

    @Test func enumeration() throws {
        let rule: JSON = ["field": "s", "type": "enum", "values": ["a", "b"]]
        #expect(try failures(rule, ["s": "a"]).isEmpty)
        #expect(try failures(rule, ["s": "c"]).count == 1)
    }

    @Test func custom() throws {
        let rule: JSON = ["field": "end", "type": "custom", "expression": "$value > start", "message": "end must follow start"]
        #expect(try failures(rule, ["start": 1, "end": 2]).isEmpty)
        #expect(try failures(rule, ["start": 3, "end": 2]).map(\.message) == ["end must follow start"])
    }

    @Test func severitiesDecideValidity() throws {
        let v = try validator([
            ["field": "a", "type": "required", "severity": "warning"], ["field": "b", "type": "required", "severity": "info"],
        ])
        let report = v.validate([:], evaluator: evaluator, schemas: schemas)
        #expect(report.isValid)
        #expect(report.json["warnings"]?.arrayValue?.count == 1)
        #expect(report.json["infos"]?.arrayValue?.count == 1)
        #expect(report.json["errors"] == [])
        let strict = try validator([["field": "a", "type": "required"]]).validate([:], evaluator: evaluator, schemas: schemas)
        #expect(!strict.isValid)
        #expect(strict.json["errors"]?[0]?["severity"] == "error")
    }

    @Test func badRulesAreListed() throws {
        do {
            _ = try validator([["field": "a", "type": "pattern", "pattern": "("], ["type": "range"], ["type": "nope"]])
            Issue.record("compiled")
        } catch let e as SwitchboardError {
            let paths = e.details.compactMap { $0["path"]?.stringValue }
            #expect(paths == ["/rules/0/pattern", "/rules/1/min", "/rules/2/type"])
        }
    }
}
