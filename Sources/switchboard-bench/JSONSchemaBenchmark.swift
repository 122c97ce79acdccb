import Foundation
import JSONSchema
import JSONValue

/// `switchboard-bench json-schema`: validates generated CRM contact records and prints documents per second.
///
/// Options: `--count N` (100000), `--seed S` (42), `--iterations K` (5, the best pass is reported),
/// `--write-data FILE` (JSONL, one record per line), `--write-schema FILE`, `--all-errors` (also time
/// `validate(mode: .allErrors)`). The records are serialized and parsed back before timing, so the
/// timed work is validation of pre-parsed documents only, as in the Python side of bench/json-schema.sh.
enum JSONSchemaBenchmark {
    static func run(arguments: [String]) throws {
        var count = 100_000
        var seed: UInt64 = 42
        var iterations = 5
        var dataPath: String?
        var schemaPath: String?
        var allErrors = false
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
            case "--write-data":
                dataPath = value
                i += 1
            case "--write-schema":
                schemaPath = value
                i += 1
            case "--all-errors": allErrors = true
            default: throw BenchmarkError.usage("unknown argument \(argument)")
            }
            i += 1
        }

        let schemaJSON = ContactRecords.schema
        var generator = ContactRecords(seed: seed)
        var lines: [UInt8] = []
        lines.reserveCapacity(count * 700)
        for _ in 0..<count {
            generator.next().serialize(into: &lines)
            lines.append(0x0A)
        }
        if let schemaPath {
            try Data(schemaJSON.serialized(.pretty).utf8).write(to: URL(fileURLWithPath: schemaPath))
        }
        if let dataPath {
            try Data(lines).write(to: URL(fileURLWithPath: dataPath))
        }
        let documents = try JSON.parseLines(lines)
        let schema = try JSONSchema.compile(schemaJSON, options: JSONSchema.Options(formatAssertion: true))

        var valid = 0
        var best = Double.infinity
        var bestCPU = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<iterations {
            var passValid = 0
            let cpuStart = cpuSeconds()
            let elapsed = clock.measure {
                for document in documents where schema.isValid(document) { passValid += 1 }
            }
            bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
            valid = passValid
            best = min(best, seconds(elapsed))
        }
        print(
            "switchboard JSONSchema isValid: \(documents.count) documents (\(valid) valid, \(documents.count - valid) invalid), "
                + "best of \(iterations): \(format(best)) s, \(Int(Double(documents.count) / best)) docs/s "
                + "(CPU time \(format(bestCPU)) s, \(Int(Double(documents.count) / bestCPU)) docs/s per CPU second)")
        if allErrors {
            var errorCount = 0
            var bestReport = Double.infinity
            for _ in 0..<iterations {
                var passErrors = 0
                let elapsed = clock.measure {
                    for document in documents { passErrors += schema.validate(document, mode: .allErrors).errors.count }
                }
                errorCount = passErrors
                bestReport = min(bestReport, seconds(elapsed))
            }
            print(
                "switchboard JSONSchema validate(.allErrors): \(errorCount) errors, best of \(iterations): \(format(bestReport)) s, "
                    + "\(Int(Double(documents.count) / bestReport)) docs/s")
        }
    }

    /// Process CPU time, which a busy machine disturbs less than the wall clock.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String {
        String(Double(Int(value * 10_000)) / 10_000)
    }

    enum BenchmarkError: Error, CustomStringConvertible {
        case usage(String)
        var description: String {
            switch self {
            case .usage(let message):
                "\(message)\nusage: switchboard-bench json-schema [--count N] [--seed S] [--iterations K] "
                    + "[--write-data FILE.jsonl] [--write-schema FILE.json] [--all-errors]"
            }
        }
    }
}

/// Deterministic CRM contact records: nested address and company, emails, phone numbers, enums,
/// timestamps, UUIDs and tags; about one in twenty is invalid in one way or another.
struct ContactRecords {
    /// SplitMix64, so every platform generates the same records for a seed.
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random() % UInt64(range.count))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    static let firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis", "Radia", "Linus"]
    static let lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Ritchie"]
    static let cities = ["Zurich", "Berlin", "Lisbon", "Austin", "Toronto", "Osaka", "Nairobi", "Lyon", "Porto", "Denver"]
    static let streets = ["Main Street", "Station Road", "Rue de la Paix", "Bahnhofstrasse", "Elm Avenue", "Harbour Lane"]
    static let countries = ["CH", "DE", "PT", "US", "CA", "JP", "KE", "FR"]
    static let industries = ["software", "finance", "retail", "healthcare", "manufacturing", "education"]
    static let statuses = ["lead", "prospect", "customer", "churned"]
    static let tags = ["vip", "newsletter", "beta", "partner", "trial", "enterprise", "smb", "event-2026", "referral", "support"]
    static let domains = ["example.com", "mail.example.org", "corp.example.net", "example.co.uk"]

    static let hexDigits = Array("0123456789abcdef")

    mutating func hex(_ digits: Int) -> String {
        var s = ""
        for _ in 0..<digits { s.append(Self.hexDigits[int(0...15)]) }
        return s
    }

    mutating func uuid() -> String { "\(hex(8))-\(hex(4))-4\(hex(3))-a\(hex(3))-\(hex(12))" }

    mutating func timestamp() -> String {
        let month = int(1...12)
        let day = int(1...28)
        return String(format: "20%02d-%02d-%02dT%02d:%02d:%02d.%03dZ", int(18...26), month, day, int(0...23), int(0...59), int(0...59), int(0...999))
    }

    mutating func next() -> JSON {
        let first = pick(Self.firstNames)
        let last = pick(Self.lastNames)
        var tags: [JSON] = []
        var available = Self.tags
        for _ in 0..<int(0...4) {
            tags.append(.string(available.remove(at: int(0...(available.count - 1)))))
        }
        var record: JSON = [
            "id": .string(uuid()),
            "firstName": .string(first),
            "lastName": .string(last),
            "email": .string("\(first.lowercased()).\(last.lowercased())\(int(1...999))@\(pick(Self.domains))"),
            "phone": .string("+\(int(1...99))-\(int(200...999))-\(int(100...999))-\(int(1000...9999))"),
            "status": .string(pick(Self.statuses)),
            "createdAt": .string(timestamp()),
            "updatedAt": .string(timestamp()),
            "age": .number(Double(int(18...90))),
            "score": .number(Double(int(0...10_000)) / 100),
            "tags": .array(tags),
            "address": [
                "street": .string("\(int(1...300)) \(pick(Self.streets))"),
                "city": .string(pick(Self.cities)),
                "postalCode": .string(String(int(10_000...99_999))),
                "country": .string(pick(Self.countries)),
            ],
            "company": [
                "name": .string("\(last) \(pick(["AG", "GmbH", "Inc.", "Ltd", "SA"]))"),
                "industry": .string(pick(Self.industries)),
                "employees": .number(Double(int(1...50_000))),
                "website": .string("https://www.\(last.lowercased()).example.com/"),
            ],
            "consent": ["email": .bool(int(0...1) == 1), "sms": .bool(int(0...1) == 1)],
        ]
        // About 5% of the records break one rule.
        switch int(0...99) {
        case 0: record["email"] = .string("\(first.lowercased())-at-example.com")
        case 1: record["age"] = .number(12)
        case 2: record["status"] = .string("archived")
        case 3: record["address"]?["postalCode"] = .string("ABC")
        case 4: record["createdAt"] = .string("2024-02-30T10:00:00Z")
        default: break
        }
        return record
    }

    /// The contact schema: closed objects, required members, formats, patterns and enums.
    static let schema: JSON = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://switchboard.example/schemas/contact.json",
        "title": "CRM contact",
        "type": "object",
        "required": ["id", "firstName", "lastName", "email", "status", "createdAt", "address", "company", "consent"],
        "additionalProperties": false,
        "properties": [
            "id": ["type": "string", "format": "uuid"],
            "firstName": ["type": "string", "minLength": 1, "maxLength": 100],
            "lastName": ["type": "string", "minLength": 1, "maxLength": 100],
            "email": ["type": "string", "format": "email", "maxLength": 254],
            "phone": ["type": "string", "pattern": "^\\+[0-9]{1,3}-[0-9]{3}-[0-9]{3}-[0-9]{4}$"],
            "status": ["enum": ["lead", "prospect", "customer", "churned"]],
            "createdAt": ["type": "string", "format": "date-time"],
            "updatedAt": ["type": "string", "format": "date-time"],
            "age": ["type": "integer", "minimum": 16, "maximum": 130],
            "score": ["type": "number", "minimum": 0, "maximum": 100],
            "tags": ["type": "array", "items": ["type": "string", "minLength": 1], "uniqueItems": true, "maxItems": 20],
            "address": ["$ref": "#/$defs/address"],
            "company": ["$ref": "#/$defs/company"],
            "consent": [
                "type": "object",
                "required": ["email", "sms"],
                "properties": ["email": ["type": "boolean"], "sms": ["type": "boolean"]],
                "additionalProperties": false,
            ],
        ],
        "$defs": [
            "address": [
                "type": "object",
                "required": ["street", "city", "postalCode", "country"],
                "additionalProperties": false,
                "properties": [
                    "street": ["type": "string", "minLength": 1],
                    "city": ["type": "string", "minLength": 1],
                    "postalCode": ["type": "string", "pattern": "^[0-9]{4,10}$"],
                    "country": ["type": "string", "pattern": "^[A-Z]{2}$"],
                ],
            ],
            "company": [
                "type": "object",
                "required": ["name"],
                "additionalProperties": false,
                "properties": [
                    "name": ["type": "string", "minLength": 1],
                    "industry": ["enum": ["software", "finance", "retail", "healthcare", "manufacturing", "education"]],
                    "employees": ["type": "integer", "minimum": 1],
                    "website": ["type": "string", "format": "uri"],
                ],
            ],
        ],
    ]
}
