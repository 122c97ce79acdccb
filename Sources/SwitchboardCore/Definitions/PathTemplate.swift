/// A URL path template such as `/users/{id}/posts/{config.region}`: literal parts and `{variable}` parts.
public struct PathTemplate: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    public var segments: [Segment]

    public var variables: [String] {
        segments.compactMap { if case .variable(let v) = $0 { v } else { nil } }
    }

    /// Parses a template; the failure message says what is wrong (unbalanced braces, empty or invalid names).
    public static func parse(_ text: String) -> Result<PathTemplate, TemplateError> {
        guard text.hasPrefix("/") || text.isEmpty else { return .failure("must start with '/'") }
        var segments: [Segment] = []
        var literal = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "{" {
                // `{{params.id}}` is how query, header and body templates read a parameter; a path names it `{id}`.
                if text[i...].hasPrefix("{{") {
                    return .failure("uses '{{...}}': path variables are written '{name}' (a parameter) or '{config.name}'")
                }
                guard let close = text[i...].firstIndex(of: "}") else { return .failure("has a '{' without a matching '}'") }
                let name = String(text[text.index(after: i)..<close])
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }),
                    !name.contains("{")
                else { return .failure("has an invalid variable name '{\(name)}'") }
                if !literal.isEmpty { segments.append(.literal(literal)) }
                literal = ""
                segments.append(.variable(name))
                i = text.index(after: close)
            } else if c == "}" {
                return .failure("has a '}' without a matching '{'")
            } else if c == "?" || c == "#" || c.isWhitespace {
                return .failure("must not contain '\(c)' (put query parameters in `query`)")
            } else {
                literal.append(c)
                i = text.index(after: i)
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        return .success(PathTemplate(segments: segments))
    }
}

/// Why a template could not be parsed.
public struct TemplateError: Error, Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var message: String
    public init(stringLiteral value: String) { message = value }
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Result where Failure == TemplateError {
    static func failure(_ message: String) -> Self { .failure(TemplateError(message)) }
}
