import JSONValue
import Testing

@testable import JSONata

/// What a conformance case expects: a value, an error code, or nothing (JSONata's `undefined`).
enum Expected<Value: Sendable & Equatable>: Sendable, Equatable {
    case value(Value)
    case error(String)
    case undefined
}

/// Runs `body` and compares its outcome with `expected`.
func outcome<Value>(_ body: () throws(JSONataError) -> Value?) -> Expected<Value> {
    do {
        guard let value = try body() else { return .undefined }
        return .value(value)
    } catch {
        return .error(error.code)
    }
}

/// `$formatNumber(value, picture, options)`.
struct FormatNumberCase: Sendable, CustomTestStringConvertible {
    let name: String
    let value: Double
    let picture: String
    let options: JSON?
    let expected: Expected<String>
    init(_ name: String, value: Double, picture: String, options: JSON?, _ expected: Expected<String>) {
        (self.name, self.value, self.picture, self.options, self.expected) = (name, value, picture, options, expected)
    }
    var testDescription: String { name }
}

/// `$formatBase(value, radix)`.
struct FormatBaseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let value: Double
    let radix: Double?
    let expected: Expected<String>
    init(_ name: String, value: Double, radix: Double?, _ expected: Expected<String>) {
        (self.name, self.value, self.radix, self.expected) = (name, value, radix, expected)
    }
    var testDescription: String { name }
}

/// `$formatInteger(value, picture)`.
struct FormatIntegerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let value: Double
    let picture: String
    let expected: Expected<String>
    init(_ name: String, value: Double, picture: String, _ expected: Expected<String>) {
        (self.name, self.value, self.picture, self.expected) = (name, value, picture, expected)
    }
    var testDescription: String { name }
}

/// `$parseInteger(text, picture)`.
struct ParseIntegerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let picture: String
    let expected: Expected<Double>
    init(_ name: String, text: String, picture: String, _ expected: Expected<Double>) {
        (self.name, self.text, self.picture, self.expected) = (name, text, picture, expected)
    }
    var testDescription: String { name }
}

/// `$fromMillis(millis, picture, timezone)`.
struct FromMillisCase: Sendable, CustomTestStringConvertible {
    let name: String
    let millis: Double
    let picture: String?
    let timezone: String?
    let expected: Expected<String>
    init(_ name: String, millis: Double, picture: String?, timezone: String?, _ expected: Expected<String>) {
        (self.name, self.millis, self.picture, self.timezone, self.expected) = (name, millis, picture, timezone, expected)
    }
    var testDescription: String { name }
}

/// `$toMillis(timestamp, picture)`.
struct ToMillisCase: Sendable, CustomTestStringConvertible {
    let name: String
    let timestamp: String
    let picture: String?
    let expected: Expected<Double>
    init(_ name: String, timestamp: String, picture: String?, _ expected: Expected<Double>) {
        (self.name, self.timestamp, self.picture, self.expected) = (name, timestamp, picture, expected)
    }
    var testDescription: String { name }
}

/// `$toMillis(timestamp, picture) ~> $fromMillis()`.
struct ToMillisThenFromMillisCase: Sendable, CustomTestStringConvertible {
    let name: String
    let timestamp: String
    let picture: String
    let expected: Expected<String>
    init(_ name: String, timestamp: String, picture: String, _ expected: Expected<String>) {
        (self.name, self.timestamp, self.picture, self.expected) = (name, timestamp, picture, expected)
    }
    var testDescription: String { name }
}

/// `$fromMillis($toMillis(date, '[Y]-[M]-[D]'), '[X0001]-W[W01]-[F1]')`.
struct ISOWeekDateCase: Sendable, CustomTestStringConvertible {
    let name: String
    let date: String
    let expected: Expected<String>
    init(_ name: String, date: String, _ expected: Expected<String>) {
        (self.name, self.date, self.expected) = (name, date, expected)
    }
    var testDescription: String { name }
}
