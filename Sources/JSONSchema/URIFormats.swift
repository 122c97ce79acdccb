/// `uri`, `uri-reference`, `iri`, `iri-reference` (RFC 3986 / RFC 3987 grammar) and `uri-template` (RFC 6570).
enum URIFormats {

    @inline(__always)
    static func isAlpha(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }

    @inline(__always)
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    static func isHex(_ c: Unicode.Scalar) -> Bool { c.isASCII && Format.isHex(UInt8(c.value)) }

    static func isUnreserved(_ c: Unicode.Scalar) -> Bool {
        isAlpha(c) || isDigit(c) || c == "-" || c == "." || c == "_" || c == "~"
    }

    static func isSubDelimiter(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=": true
        default: false
        }
    }

    /// RFC 3987 `ucschar` / `iprivate`, approximated as any non-ASCII scalar outside the C1 controls.
    static func isInternational(_ c: Unicode.Scalar) -> Bool { c.value >= 0xA0 }

    /// Checks the characters of `s[range]`: each is allowed by `allowed`, or a `%HH` escape.
    static func scan<S: RandomAccessCollection<Unicode.Scalar>>(
        _ s: S, _ range: Range<Int>, international: Bool, _ allowed: (Unicode.Scalar) -> Bool
    ) -> Bool where S.Index == Int {
        var i = range.lowerBound
        while i < range.upperBound {
            let c = s[i]
            if c == "%" {
                guard i + 2 < range.upperBound, isHex(s[i + 1]), isHex(s[i + 2]) else { return false }
                i += 3
                continue
            }
            guard allowed(c) || (international && isInternational(c)) else { return false }
            i += 1
        }
        return true
    }

    static func isPathCharacter(_ c: Unicode.Scalar) -> Bool {
        isUnreserved(c) || isSubDelimiter(c) || c == ":" || c == "@" || c == "/"
    }

    /// RFC 3986 `URI` / `URI-reference`, or RFC 3987 `IRI` / `IRI-reference` with `international`.
    static func isURI<S: RandomAccessCollection<Unicode.Scalar>>(_ s: S, relative: Bool, international: Bool) -> Bool where S.Index == Int {
        var i = 0
        var hasScheme = false
        if let colon = s.firstIndex(of: ":"), colon > 0, isAlpha(s[s.startIndex]),
            s[1..<colon].allSatisfy({ isAlpha($0) || isDigit($0) || $0 == "+" || $0 == "-" || $0 == "." })
        {
            hasScheme = true
            i = colon + 1
        }
        if !hasScheme && !relative { return false }
        let end = s.count
        let fragmentStart = s[i...].firstIndex(of: "#") ?? end
        let queryStart = s[i..<fragmentStart].firstIndex(of: "?") ?? fragmentStart
        var pathStart = i
        if queryStart - i >= 2 && s[i] == "/" && s[i + 1] == "/" {
            let authorityStart = i + 2
            let authorityEnd = s[authorityStart..<queryStart].firstIndex(of: "/") ?? queryStart
            guard isAuthority(s, authorityStart..<authorityEnd, international: international) else { return false }
            pathStart = authorityEnd
        } else if !hasScheme {
            // A relative path's first segment cannot contain ":" (it would read as a scheme).
            let firstSegmentEnd = s[i..<queryStart].firstIndex(of: "/") ?? queryStart
            if s[i..<firstSegmentEnd].contains(":") { return false }
        }
        guard scan(s, pathStart..<queryStart, international: international, isPathCharacter) else { return false }
        if queryStart < fragmentStart {
            guard scan(s, (queryStart + 1)..<fragmentStart, international: international, { isPathCharacter($0) || $0 == "?" }) else {
                return false
            }
        }
        if fragmentStart < end {
            guard scan(s, (fragmentStart + 1)..<end, international: international, { isPathCharacter($0) || $0 == "?" }) else {
                return false
            }
        }
        return true
    }

    static func isAuthority<S: RandomAccessCollection<Unicode.Scalar>>(_ s: S, _ range: Range<Int>, international: Bool) -> Bool
    where S.Index == Int {
        var hostStart = range.lowerBound
        if let at = s[range].lastIndex(of: "@") {
            guard scan(s, range.lowerBound..<at, international: international, { isUnreserved($0) || isSubDelimiter($0) || $0 == ":" }) else {
                return false
            }
            hostStart = at + 1
        }
        var hostEnd = range.upperBound
        if hostStart < range.upperBound && s[hostStart] == "[" {
            guard let close = s[hostStart..<range.upperBound].firstIndex(of: "]") else { return false }
            let literal = Array(s[(hostStart + 1)..<close])
            if literal.first == "v" || literal.first == "V" {
                guard let dot = literal.firstIndex(of: "."), dot > 1, literal[1..<dot].allSatisfy(isHex), dot + 1 < literal.count,
                    literal[(dot + 1)...].allSatisfy({ isUnreserved($0) || isSubDelimiter($0) || $0 == ":" })
                else { return false }
            } else {
                guard literal.allSatisfy({ $0.isASCII }) else { return false }
                let bytes = literal.map { UInt8($0.value) }
                guard bytes.withUnsafeBufferPointer({ NetworkFormats.isIPv6($0[...]) }) else { return false }
            }
            hostEnd = close + 1
            if hostEnd < range.upperBound && s[hostEnd] != ":" { return false }
        } else {
            hostEnd = s[hostStart..<range.upperBound].firstIndex(of: ":") ?? range.upperBound
            guard scan(s, hostStart..<hostEnd, international: international, { isUnreserved($0) || isSubDelimiter($0) }) else { return false }
        }
        if hostEnd < range.upperBound {
            // ":" port
            return s[(hostEnd + 1)..<range.upperBound].allSatisfy(isDigit)
        }
        return true
    }

    /// RFC 6570 level 4: literals, and `{` [operator] varspec *( "," varspec ) `}` expressions.
    static func isURITemplate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "{") {
                guard let close = b[(i + 1)...].firstIndex(of: UInt8(ascii: "}")) else { return false }
                guard isExpression(b[(i + 1)..<close]) else { return false }
                i = close + 1
                continue
            }
            switch c {
            case 0..<0x21, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7C, 0x7D, 0x7F: return false
            case UInt8(ascii: "%"):
                guard i + 2 < b.count, Format.isHex(b[i + 1]), Format.isHex(b[i + 2]) else { return false }
                i += 3
                continue
            default: i += 1
            }
        }
        return true
    }

    static func isExpression(_ e: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var i = e.startIndex
        guard i < e.endIndex else { return false }
        if "+#./;?&=,!@|".utf8.contains(e[i]) { i += 1 }
        while true {
            // varname
            let start = i
            var previousDot = true
            while i < e.endIndex {
                let c = e[i]
                if NetworkFormats.isAlphanumeric(c) || c == UInt8(ascii: "_") {
                    previousDot = false
                    i += 1
                } else if c == UInt8(ascii: "%") {
                    guard i + 2 < e.endIndex, Format.isHex(e[i + 1]), Format.isHex(e[i + 2]) else { return false }
                    previousDot = false
                    i += 3
                } else if c == UInt8(ascii: "."), !previousDot {
                    previousDot = true
                    i += 1
                } else {
                    break
                }
            }
            guard i > start, !previousDot else { return false }
            if i < e.endIndex && e[i] == UInt8(ascii: ":") {
                i += 1
                let digitsStart = i
                while i < e.endIndex, Format.isDigit(e[i]) { i += 1 }
                guard i > digitsStart, i - digitsStart <= 4, e[digitsStart] != UInt8(ascii: "0") else { return false }
            } else if i < e.endIndex && e[i] == UInt8(ascii: "*") {
                i += 1
            }
            if i == e.endIndex { return true }
            guard e[i] == UInt8(ascii: ",") else { return false }
            i += 1
        }
    }
}
