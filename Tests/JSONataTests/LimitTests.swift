import JSONValue
import Testing

@testable import JSONata

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct LimitTests {
    static let factorial = "($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(%N))"

    @Test func deepRecursionThrowsU1001AtTheDepthLimit() throws {
        let limits = EvaluationLimits(maxDepth: 100, timeLimit: nil)
        #expect(errorCode(Self.factorial.replacingN(with: 1000), limits: limits) == "U1001")
        #expect(try eval(Self.factorial.replacingN(with: 10), limits: limits) == 3_628_800)
    }

    @Test func tailCallsDoNotGrowTheDepth() throws {
        let loop = "($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + 1) }; $loop(20000, 0))"
        #expect(try eval(loop, limits: EvaluationLimits(maxDepth: 200, timeLimit: nil)) == 20000)
    }

    @Test func unboundedRecursionNeverCrashesWithAHugeDepthLimit() throws {
        let limits = EvaluationLimits(maxDepth: Int.max, timeLimit: nil)
        #expect(errorCode("($f := function($n){ 1 + $f($n + 1) }; $f(0))", limits: limits) == "U1001")
    }

    @Test func unboundedRecursionOnASmallStackThreadThrowsInsteadOfCrashing() throws {
        let code = SmallStackThread.run(stackSize: 512 * 1024) {
            errorCode("($f := function($n){ 1 + $f($n + 1) }; $f(0))", limits: EvaluationLimits(maxDepth: Int.max, timeLimit: nil))
        }
        #expect(code == "U1001")
    }

    @Test func deeplyNestedConstructedValuesAreRejectedInsteadOfCrashing() async throws {
        let limits = EvaluationLimits(maxDepth: 1000, timeLimit: nil)
        let codes = try await onOwnThread {
            [
                "$reduce([1..100000], function($a, $b){ {'x': $a} }, {})", "$reduce([1..100000], function($a, $b){ $zip($a) }, [1])",
                "$reduce([1..100000], function($a, $b){ [[$a]] }, [])",
            ].map { errorCode($0, limits: limits) }
        }
        #expect(codes == ["U1001", "U1001", "U1001"])
        #expect(try eval("$reduce([1..100], function($a, $b){ {'x': $a} }, {}) ~> $string() ~> $length()") == 602)
    }

    /// A range is as long as its count says at any magnitude: from 2^53 up, adding 1 leaves a double as it is, and the
    /// loop that stepped to the right end never ended (the process's memory went, through the API and the CLI).
    @Test func rangesOfHugeNumbersEnd() throws {
        #expect(try eval("[9007199254740992..9007199254740992]") == [9_007_199_254_740_992])
        #expect(try eval("$count([1e300..1e300+1])") == 1)
        #expect(try eval("$count([-1e300..-1e300])") == 1)
        #expect(try eval("[9007199254740990..9007199254740992]") == [9_007_199_254_740_990, 9_007_199_254_740_991, 9_007_199_254_740_992])
        #expect(errorCode("[0..1e300]") == "D2014")
    }

    @Test func infiniteLoopsHitTheTimeLimit() throws {
        let limits = EvaluationLimits(maxDepth: 1000, timeLimit: .milliseconds(50))
        #expect(errorCode("($f := function($n){ $f($n + 1) }; $f(0))", limits: limits) == "U1001")
    }

    /// Built-ins looping over large inputs reach the time limit's check points: each of these ran for
    /// 10-20 s through /v1/transform, past its 2 s limit.
    @Test func builtInsOverLargeInputsHitTheTimeLimit() async throws {
        let limits = EvaluationLimits(maxDepth: 1000, timeLimit: .milliseconds(50))
        let expressions = [
            "$string([1..10000000])",
            "$zip([1..10000000], [1..10000000])",
            "$shuffle([1..10000000])",
            "$sort([1..10000000])",
            "$distinct([1..1000000])",
            "$keys($merge([1..1000000].{$string($): $}))",
            "$spread([1..1000000].{$string($): $})",
            "$join([1..3000000].'ab', ',')",
        ]
        let codes = try await onOwnThread { expressions.map { errorCode($0, limits: limits) } }
        for (expression, code) in zip(expressions, codes) { #expect(code == "U1001", "\(expression)") }
    }

    /// A small expression can return the same large value many times: the result's JSON text is bounded
    /// (`U1002`) before anyone serializes it (400 references to a 1 MB string wrote 400 MB after the 2 s limit).
    @Test func resultsLargerThanTheSizeLimitThrowU1002() async throws {
        // The time limit is far off: this is about size (a debug build on a loaded machine took over 10 s to build the
        // 100 copies of a 100,000-item array, and answered U1001).
        let limits = EvaluationLimits(maxDepth: 1000, timeLimit: .seconds(300), maxResultSize: 10_000_000)
        // Input handed back unchanged counts too.
        let big: JSON = ["text": .string(String(repeating: "y", count: 1_000_000))]
        let codes = try await onOwnThread {
            [
                errorCode("($s := $pad('', 1000000, 'x'); [1..20].$s)", limits: limits),
                errorCode("($o := {'a': [1..100000]}; [1..100].{'o': $o})", limits: limits),
                errorCode("($s := $pad('', 1000000, 'x'); [1..9].$s)", limits: limits),
                errorCode("[1..20].$$", big, limits: limits),
                errorCode("[1..5].$$", big, limits: limits),
                errorCode("($s := $pad('', 1000000, 'x'); [1..100].$s)"),
            ]
        }
        #expect(codes == ["U1002", "U1002", nil, "U1002", nil, "U1002"])
        #expect(EvaluationLimits.default.maxResultSize == 64 << 20)
    }

    /// A string or array is held to the result size limit where it is built, not only as the result: an expression
    /// that doubles a value allocated gigabytes before the time limit tripped. Here each value is used only for its
    /// length or count, so without the check they all evaluate (to the numbers the unlimited run gives).
    @Test func valuesGrowingPastTheSizeLimitThrowU1002WhenBuilt() async throws {
        let limits = EvaluationLimits(maxDepth: 1000, timeLimit: .seconds(30), maxResultSize: 100_000)
        let unlimited = EvaluationLimits(maxDepth: 1000, timeLimit: .seconds(30), maxResultSize: nil)
        let doubling = "$length($reduce([1..19], function($a, $i){ $a & $a }, 'x'))"
        #expect(errorCode(doubling, limits: limits) == "U1002")
        #expect(try eval(doubling, limits: unlimited) == 524_288)
        #expect(try eval("$length($reduce([1..15], function($a, $i){ $a & $a }, 'x'))", limits: limits) == 32_768)
        let built = [
            // strings: concatenation, $join, $pad, $replace, $base64encode, $string of a value built from shared parts
            "$length($join([1..200].$pad('', 1000, 'x')))",
            "$length($pad('x', 200000))",
            "$length($replace($pad('', 400, 'a'), 'a', $pad('', 400, 'b')))",
            "$length($base64encode($pad('', 90000, 'x')))",
            "$length($string($reduce([1..14], function($a, $i){ {'a': $a, 'b': $a} }, {})))",
            // arrays: $append, the array constructor, path steps, wildcards, descendants, $lookup, $spread, $match
            "$count($reduce([1..16], function($a, $i){ $append($a, $a) }, [1]))",
            "$count($reduce([1..16], function($a, $i){ [$a, $a] }, [1]))",
            "($b := [1..300]; $count([1..300].$b))",
            "$count($merge([1..300].{$string($): [1..300]}).*)",
            "$count($reduce([1..16], function($a, $i){ {'a': $a, 'b': $a} }, {}).**)",
            "$count($lookup([1..300].{'a': [1..300]}, 'a'))",
            "$count($spread([1..300].$merge([1..300].{$string($): $})))",
            "$count($match($pad('', 80000, 'x'), /x/))",
        ]
        let codes = try await onOwnThread { built.map { errorCode($0, limits: limits) } }
        for (expression, code) in zip(built, codes) { #expect(code == "U1002", "\(expression)") }
    }

    /// With the default limit (64 MiB), doubling a string 40 times fails fast instead of taking the machine's memory
    /// (arrays are held to the same limit by the test above).
    @Test func doublingFortyTimesFailsFastWithTheDefaultLimit() throws {
        #expect(EvaluationLimits.default.maxResultSize == 64 << 20)
        #expect(errorCode("$reduce([1..40], function($a, $i){ $a & $a }, 'x')") == "U1002")
    }

    /// Converting the result to JSON counts towards the time limit: here the evaluation is a few thousand
    /// steps but the result has ten million members.
    @Test func convertingAHugeResultHitsTheTimeLimit() throws {
        let limits = EvaluationLimits(maxDepth: 1000, timeLimit: .milliseconds(50), maxResultSize: nil)
        #expect(errorCode("($a := [[1..100000]]; [1..100].$a)", limits: limits) == "U1001")
        #expect(try eval("($a := [[1..100000]]; $count([1..100].$a))", limits: limits) == 100)
    }

    @Test func mergeAndKeysOfManyKeysKeepTheirOrder() async throws {
        let merged = "$merge([1..100000].{$string($): $})"
        // No time limit: a debug build under the whole suite's load can take longer than the default 10 s (speed is
        // the benchmark's to show, not a test's).
        let unlimited = EvaluationLimits(timeLimit: nil)
        let large = try await onOwnThread {
            [
                try eval("$count($keys(\(merged)))", limits: unlimited), try eval("$keys(\(merged))[[0, 1, 99999]]", limits: unlimited),
                try eval("\(merged).`100000`", limits: unlimited), try eval("$count($spread([1..100000].{$string($): $}))", limits: unlimited),
            ]
        }
        #expect(large == [100_000, ["1", "2", "100000"], 100_000, 100_000])
        #expect(try eval("$keys($merge([{'a': 1, 'b': 2}, {'c': 3, 'a': 4}]))") == ["a", "b", "c"])
        #expect(try eval("$merge([{'a': 1, 'b': 2}, {'c': 3, 'a': 4}]).a") == 4)
        #expect(try eval("$keys([{'b': 1, 'a': 2}, [{'a': 3, 'c': 4}]])") == ["b", "a", "c"])
        #expect(try eval("$spread([{'a': 1, 'b': 2}, [{'c': 3}], 5])") == [["a": 1], ["b": 2], ["c": 3], 5])
    }

    @Test func padBuildsOnlyTheCharactersItNeeds() async throws {
        #expect(try eval("$pad('x', 7, 'abc')") == "xabcabc")
        #expect(try eval("$pad('x', -6, 'abc')") == "abcabx")
        #expect(try eval("$pad('x', 4, '\u{1F600}ab')") == "x\u{1F600}ab")
        let longPad = String(repeating: "y", count: 100)
        let long = try await onOwnThread {
            [
                try eval("$length($pad('x', 2000000, '\(longPad)'))", limits: EvaluationLimits(timeLimit: nil)),
                try eval("$substring($pad('x', -2000000, '\(longPad)'), 1999998)", limits: EvaluationLimits(timeLimit: nil)),
            ]
        }
        #expect(long == [2_000_000, "yx"])
    }
}

extension String {
    func replacingN(with n: Int) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: "%N") {
            out += rest[..<r.lowerBound]
            out += String(n)
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

/// Runs a closure on a new thread with a given stack size and returns its result.
enum SmallStackThread {
    final class Box: @unchecked Sendable {
        var body: () -> String?
        var result: String?
        init(_ body: @escaping () -> String?) { self.body = body }
    }

    static func run(stackSize: Int, _ body: @escaping () -> String?) -> String? {
        let box = Box(body)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, stackSize)
        let context = Unmanaged.passRetained(box).toOpaque()
        #if canImport(Darwin)
            var thread: pthread_t? = nil
        #else
            var thread = pthread_t()
        #endif
        pthread_create(
            &thread, &attr,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.result = box.body()
                return nil
            }, context)
        #if canImport(Darwin)
            pthread_join(thread!, nil)
        #else
            pthread_join(thread, nil)
        #endif
        pthread_attr_destroy(&attr)
        return box.result
    }
}
