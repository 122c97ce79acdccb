import JSONValue
import SwitchboardCore
import SwitchboardTransform
import Synchronization
import Testing

/// An enrichment runner that fails a set number of times, then answers with the params it got.
final class FakeRunner: EnrichmentRunner {
    let failures: Mutex<Int>
    let calls = Mutex(0)
    init(failFirst: Int) { failures = Mutex(failFirst) }

    func call(connectionId: String, method: String, params: JSON) async throws(SwitchboardError) -> JSON {
        calls.withLock { $0 += 1 }
        let fail = failures.withLock { n -> Bool in
            defer { n -= 1 }
            return n > 0
        }
        if fail { throw SwitchboardError(code: "UPSTREAM_ERROR", message: "down", status: 502) }
        return ["connection": .string(connectionId), "method": .string(method), "params": params]
    }
}

func pipeline(_ steps: JSON, mappings: [String: JSON] = [:], validators: [String: JSON] = [:]) async throws -> CompiledPipeline {
    try await CompiledPipeline(
        ["name": "p", "steps": steps], evaluator: evaluator,
        mapping: { id throws(SwitchboardError) in
            try mappings[id].map { doc throws(SwitchboardError) in try CompiledMapping(doc, evaluator: evaluator, schemas: schemas) }
        },
        validator: { id throws(SwitchboardError) in
            try validators[id].map { doc throws(SwitchboardError) in try CompiledValidator(doc, evaluator: evaluator) }
        })
}

func context(_ runner: (any EnrichmentRunner)? = nil) -> CompiledPipeline.Context {
    .init(evaluator: evaluator, schemas: schemas, enrichment: runner)
}

extension CompiledPipeline.Outcome {
    var output: JSON? { if case .output(let o) = self { o } else { nil } }
    var isDropped: Bool { if case .dropped = self { true } else { false } }
    var error: SwitchboardError? { if case .failed(_, let e) = self { e } else { nil } }
}

@Suite struct PipelineTests {
    @Test func stepsRunInOrder() async throws {
        let p = try await pipeline(
            [
                ["type": "mapping", "mappingId": "m"], ["type": "validation", "validatorId": "v"],
                ["type": "transformation", "expression": "$merge([$, {'source': 'crm'}])"],
            ],
            mappings: ["m": ["name": "m", "rules": [["source": "e", "target": "email", "transform": ["type": "string", "case": "lower"]]]]],
            validators: ["v": ["name": "v", "rules": [["field": "email", "type": "required"]]]])
        #expect(await p.run(["e": "A@B.C"], context: context()).output == ["email": "a@b.c", "source": "crm"])
        let invalid = await p.run(["x": 1], context: context())
        #expect(invalid.error?.code == "VALIDATION_FAILED")
    }

    @Test func filteringDropsRecordsWithoutError() async throws {
        let p = try await pipeline([["type": "filtering", "expression": "archived != true"]])
        #expect(await p.run(["archived": true], context: context()).isDropped)
        #expect(await p.run(["archived": false], context: context()).output == ["archived": false])
    }

    @Test func conditionSkipsAStep() async throws {
        let p = try await pipeline([["type": "transformation", "expression": "{'vip': true}", "condition": "score > 10"]])
        #expect(await p.run(["score": 11], context: context()).output == ["vip": true])
        #expect(await p.run(["score": 1], context: context()).output == ["score": 1])
    }

    @Test func enrichmentMergesAtAPathOrByExpression() async throws {
        let runner = FakeRunner(failFirst: 0)
        let atPath = try await pipeline([
            ["type": "enrichment", "connectionId": "c1", "method": "lookup", "params": "{'email': email}", "merge": "company"]
        ])
        let out = await atPath.run(["email": "a@b.c"], context: context(runner)).output
        #expect(out == ["email": "a@b.c", "company": ["connection": "c1", "method": "lookup", "params": ["email": "a@b.c"]]])
        let byExpression = try await pipeline([
            ["type": "enrichment", "connectionId": "c1", "method": "lookup", "merge": "$merge([$, {'m': $result.method}])"]
        ])
        #expect(await byExpression.run(["a": 1], context: context(runner)).output == ["a": 1, "m": "lookup"])
    }

    @Test func errorHandlers() async throws {
        let step: JSONObject = ["type": "enrichment", "connectionId": "c", "method": "m", "merge": "r"]
        func with(_ onError: JSON?) async throws -> CompiledPipeline {
            var s = step
            if let onError { s["onError"] = onError }
            return try await pipeline([.object(s)])
        }
        // throw (the default): the record fails with the step's error.
        let thrown = try await with(nil).run(["a": 1], context: context(FakeRunner(failFirst: 1)))
        #expect(thrown.error?.code == "UPSTREAM_ERROR")
        // ignore: the record passes through unchanged.
        #expect(try await with("ignore").run(["a": 1], context: context(FakeRunner(failFirst: 1))).output == ["a": 1])
        // retry: two failures then success within three attempts.
        let runner = FakeRunner(failFirst: 2)
        let retried = try await with(["action": "retry", "count": 2]).run(["a": 1], context: context(runner))
        #expect(retried.output?["r"]?["method"] == "m")
        #expect(runner.calls.withLock { $0 } == 3)
        let exhausted = FakeRunner(failFirst: 5)
        #expect(try await with(["action": "retry", "count": 2]).run(["a": 1], context: context(exhausted)).error?.code == "UPSTREAM_ERROR")
        #expect(exhausted.calls.withLock { $0 } == 3)
        // fallback: for enrichment the value stands in for the result.
        let fallback = try await with(["action": "fallback", "value": ["n": 0]]).run(["a": 1], context: context(FakeRunner(failFirst: 1)))
        #expect(fallback.output == ["a": 1, "r": ["n": 0]])
        // fallback on another step replaces the record.
        let t = try await pipeline([["type": "transformation", "expression": "'a' + 1", "onError": ["action": "fallback", "value": "F"]]])
        #expect(await t.run(["a": 1], context: context()).output == "F")
    }

    @Test func transformationErrorsCarryTheStep() async throws {
        let p = try await pipeline([["type": "transformation", "expression": "$"], ["type": "transformation", "expression": "a + 'x'"]])
        guard case .failed(let step, let error) = await p.run(["a": 1], context: context()) else {
            Issue.record("did not fail")
            return
        }
        #expect(step == 1)
        #expect(error.details.first?["code"] == "T2002")
        #expect(CompiledPipeline.Outcome.failed(step: step, error: error).json(index: 4)["error"]?["step"] == 1)
    }

    @Test func unknownReferencesAndBadStepsAreListed() async throws {
        do {
            _ = try await pipeline([
                ["type": "mapping", "mappingId": "nope"], ["type": "filtering"], ["type": "enrichment", "method": "m", "merge": "x"],
            ])
            Issue.record("compiled")
        } catch let error as SwitchboardError {
            let paths = error.details.compactMap { $0["path"]?.stringValue }
            #expect(paths == ["/steps/0/mappingId", "/steps/1/expression", "/steps/2/connectionId"])
        }
    }
}
