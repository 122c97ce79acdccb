import Foundation
import JSONValue
import JSONata

/// `switchboard-bench jsonata`: maps HubSpot-style contact records (JSON Lines) with a JSONata
/// expression end to end — parse each line, evaluate, serialize — and prints records per second.
///
/// Options: `--count N` (100000), `--seed S` (7), `--iterations K` (3, the best pass is reported),
/// `--input FILE` (read JSONL instead of generating), `--write-input FILE` (write the generated JSONL),
/// `--output FILE` (write the mapped JSONL of the last pass), `--print-expression`, `--print-jq`,
/// `--expression TEXT` (map with another expression, e.g. to profile one part of the mapping).
enum JSONataBenchmark {
    /// The contact mapping: trim, case changes, number parsing, defaults, a filtered nested array.
    static let expression = """
        {"id": $string(id), "email": $lowercase($trim(properties.email)), \
        "name": $trim(properties.firstname & " " & properties.lastname), \
        "phone": properties.phone ? properties.phone : null, \
        "score": $number(properties.hs_score) ?: 0, \
        "tags": properties.tags[active].{"name": $uppercase(name)}, \
        "archived": archived = true}
        """

    /// The same mapping in jq (1.6), including JSONata's singleton unwrapping and dropped undefined members.
    static let jqProgram = """
        {id: (.id | tostring), \
        email: (.properties.email | gsub("^[ \\t\\n\\r]+|[ \\t\\n\\r]+$"; "") | gsub("[ \\t\\n\\r]+"; " ") | ascii_downcase), \
        name: ((.properties.firstname + " " + .properties.lastname) | gsub("[ \\t\\n\\r]+"; " ") | ltrimstr(" ") | rtrimstr(" ")), \
        phone: (.properties.phone // null), \
        score: (if .properties.hs_score == null then 0 else (.properties.hs_score | tonumber) end), \
        tags: ([(.properties.tags // [])[] | select(.active) | {name: (.name | ascii_upcase)}] \
        | if length == 0 then null elif length == 1 then .[0] else . end), \
        archived: (.archived == true)} | if .tags == null then del(.tags) else . end
        """

    static func run(arguments: [String]) throws {
        var count = 100_000
        var seed: UInt64 = 7
        var iterations = 3
        var inputPath: String?
        var writeInput: String?
        var outputPath: String?
        var mapping = expression
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            let value = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch argument {
            case "--count":
                count = Int(value) ?? count
                i += 1
            case "--seed":
                seed = UInt64(value) ?? seed
                i += 1
            case "--iterations":
                iterations = max(1, Int(value) ?? iterations)
                i += 1
            case "--input":
                inputPath = value
                i += 1
            case "--write-input":
                writeInput = value
                i += 1
            case "--output":
                outputPath = value
                i += 1
            case "--expression":
                mapping = value
                i += 1
            case "--print-expression":
                print(expression)
                return
            case "--print-jq":
                print(jqProgram)
                return
            default: throw Failure(message: "unknown argument \(argument)")
            }
            i += 1
        }

        let data: [UInt8]
        if let inputPath {
            data = Array(try Data(contentsOf: URL(fileURLWithPath: inputPath)))
        } else {
            var generator = ContactGenerator(seed: seed)
            var lines: [UInt8] = []
            lines.reserveCapacity(count * 400)
            for _ in 0..<count {
                generator.next().serialize(into: &lines)
                lines.append(0x0A)
            }
            data = lines
        }
        if let writeInput {
            try Data(data).write(to: URL(fileURLWithPath: writeInput))
        }
        let lineRanges = splitLines(data)
        let compiled = try JSONataExpression(compiling: mapping)

        var best = Duration.seconds(1_000_000)
        var output: [UInt8] = []
        let clock = ContinuousClock()
        for _ in 0..<iterations {
            output.removeAll(keepingCapacity: true)
            output.reserveCapacity(data.count)
            let elapsed = try clock.measure {
                try data.withUnsafeBufferPointer { buffer in
                    for range in lineRanges {
                        let record = try JSON(parsing: UnsafeBufferPointer(rebasing: buffer[range]))
                        if let mapped = try compiled.evaluate(input: record) {
                            mapped.serialize(into: &output)
                        }
                        output.append(0x0A)
                    }
                }
            }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        let rate = Double(lineRanges.count) / seconds
        print("jsonata (swift): \(lineRanges.count) records in \(String(format: "%.3f", seconds)) s = \(Int(rate)) records/s")
        if let outputPath {
            try Data(output).write(to: URL(fileURLWithPath: outputPath))
        }
    }

    static func splitLines(_ data: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (i, b) in data.enumerated() where b == 0x0A {
            if i > start { ranges.append(start..<i) }
            start = i + 1
        }
        if start < data.count { ranges.append(start..<data.count) }
        return ranges
    }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Seeded HubSpot-style contacts (SplitMix64), ASCII so every peer's case mapping agrees.
    struct ContactGenerator {
        var state: UInt64
        var nextID = 1000

        init(seed: UInt64) { state = seed }

        mutating func random() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func pick<T>(_ items: [T]) -> T { items[Int(random() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { random() % 100 < percent }

        static let first = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "John"]
        static let last = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Backus"]
        static let domains = ["Example.COM", "mail.example.org", "Corp.Example.net"]
        static let tagNames = ["vip", "newsletter", "trial", "partner", "churn-risk", "beta"]
        static let stages = ["lead", "subscriber", "opportunity", "customer"]

        mutating func next() -> JSON {
            nextID += 1
            let f = pick(Self.first)
            let l = pick(Self.last)
            var properties = JSONObject()
            properties["email"] = .string((chance(30) ? "  " : "") + "\(f).\(l)\(random() % 1000)@\(pick(Self.domains))" + (chance(30) ? " " : ""))
            properties["firstname"] = .string(chance(20) ? " \(f)" : f)
            properties["lastname"] = .string(chance(20) ? "\(l)  " : l)
            if chance(60) {
                properties["phone"] = .string("+1 555 \(1000 + random() % 9000)")
            } else if chance(50) {
                properties["phone"] = .null
            }
            if chance(70) {
                properties["hs_score"] = .string(chance(50) ? "\(random() % 100)" : "\(random() % 100).\(random() % 10 + 1)")
            }
            properties["lifecyclestage"] = .string(pick(Self.stages))
            properties["company"] = .string("\(pick(Self.last)) Systems")
            properties["createdate"] = .string("2024-0\(1 + random() % 9)-1\(random() % 10)T10:00:00.000Z")
            var tags: [JSON] = []
            for _ in 0..<(random() % 4) {
                tags.append(["name": .string(pick(Self.tagNames)), "active": .bool(chance(60))])
            }
            properties["tags"] = .array(tags)
            var contact = JSONObject()
            contact["id"] = .number(Double(nextID))
            contact["properties"] = .object(properties)
            contact["archived"] = .bool(chance(10))
            contact["createdAt"] = .string("2024-01-01T00:00:00.000Z")
            contact["updatedAt"] = .string("2024-06-01T00:00:00.000Z")
            return .object(contact)
        }
    }
}
