/// `uri`, `uri-reference`, `iri`, `iri-reference` (RFC 3986 / RFC 3987 grammar) and `uri-template` (RFC 6570).
enum URIFormats {

    typealias Bytes = UnsafeBufferPointer<UInt8>

    @inline(__always)
    static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Character classes of RFC 3986 by byte value.
    static let unreserved = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static let subDelimiters = table("!$&'()*+,;=")
    static let pathCharacters = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")
    static let queryCharacters = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?")
    static let userinfoCharacters = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:")
    static let hostCharacters = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=")
    static let schemeCharacters = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.")

    static func table(_ characters: String) -> [Bool] {
        var result = [Bool](repeating: false, count: 256)
        for c in characters.utf8 { result[Int(c)] = true }
        return result
    }

    static func firstIndex(of byte: UInt8, in s: Bytes, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if s[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Checks the bytes of `s[range]`: each is in `allowed`, a `%HH` escape, or (for IRIs) part of a
    /// non-ASCII character other than a C1 control.
    static func scan(_ s: Bytes, _ range: Range<Int>, international: Bool, _ allowed: [Bool]) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            let c = s[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < range.upperBound, Format.isHex(s[i + 1]), Format.isHex(s[i + 2]) else { return false }
                i += 3
                continue
            }
            if c >= 0x80 {
                // U+0080...U+009F are C2 80...C2 9F in UTF-8.
                guard international, !(c == 0xC2 && i + 1 < range.upperBound && s[i + 1] < 0xA0) else { return false }
            } else if !allowed[Int(c)] {
                return false
            }
            i += 1
        }
        return true
    }

    /// RFC 3986 `URI` / `URI-reference`, or RFC 3987 `IRI` / `IRI-reference` with `international`, over UTF-8 bytes.
    static func isURI(_ s: Bytes, relative: Bool, international: Bool) -> Bool {
        let end = s.count
        var i = 0
        var hasScheme = false
        if let colon = firstIndex(of: UInt8(ascii: ":"), in: s, 0..<end), colon > 0, isAlpha(s[0]),
            (1..<colon).allSatisfy({ schemeCharacters[Int(s[$0])] })
        {
            hasScheme = true
            i = colon + 1
        }
        if !hasScheme && !relative { return false }
        let fragmentStart = firstIndex(of: UInt8(ascii: "#"), in: s, i..<end) ?? end
        let queryStart = firstIndex(of: UInt8(ascii: "?"), in: s, i..<fragmentStart) ?? fragmentStart
        var pathStart = i
        if queryStart - i >= 2 && s[i] == UInt8(ascii: "/") && s[i + 1] == UInt8(ascii: "/") {
            let authorityStart = i + 2
            let authorityEnd = firstIndex(of: UInt8(ascii: "/"), in: s, authorityStart..<queryStart) ?? queryStart
            guard isAuthority(s, authorityStart..<authorityEnd, international: international) else { return false }
            pathStart = authorityEnd
        } else if !hasScheme {
            // A relative path's first segment cannot contain ":" (it would read as a scheme).
            let firstSegmentEnd = firstIndex(of: UInt8(ascii: "/"), in: s, i..<queryStart) ?? queryStart
            if firstIndex(of: UInt8(ascii: ":"), in: s, i..<firstSegmentEnd) != nil { return false }
        }
        guard scan(s, pathStart..<queryStart, international: international, pathCharacters) else { return false }
        if queryStart < fragmentStart && !scan(s, (queryStart + 1)..<fragmentStart, international: international, queryCharacters) {
            return false
        }
        if fragmentStart < end && !scan(s, (fragmentStart + 1)..<end, international: international, queryCharacters) {
            return false
        }
        return true
    }

    static func isAuthority(_ s: Bytes, _ range: Range<Int>, international: Bool) -> Bool {
        var hostStart = range.lowerBound
        var at = range.upperBound - 1
        while at >= range.lowerBound && s[at] != UInt8(ascii: "@") { at -= 1 }
        if at >= range.lowerBound {
            guard scan(s, range.lowerBound..<at, international: international, userinfoCharacters) else { return false }
            hostStart = at + 1
        }
        var hostEnd = range.upperBound
        if hostStart < range.upperBound && s[hostStart] == UInt8(ascii: "[") {
            guard let close = firstIndex(of: UInt8(ascii: "]"), in: s, hostStart..<range.upperBound) else { return false }
            let literal = s[(hostStart + 1)..<close]
            if let first = literal.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") {
                guard let dot = firstIndex(of: UInt8(ascii: "."), in: s, literal.startIndex..<literal.endIndex), dot > literal.startIndex + 1,
                    s[(literal.startIndex + 1)..<dot].allSatisfy(Format.isHex), dot + 1 < literal.endIndex,
                    s[(dot + 1)..<literal.endIndex].allSatisfy({ userinfoCharacters[Int($0)] })
                else { return false }
            } else if !NetworkFormats.isIPv6(literal) {
                return false
            }
            hostEnd = close + 1
            if hostEnd < range.upperBound && s[hostEnd] != UInt8(ascii: ":") { return false }
        } else {
            hostEnd = firstIndex(of: UInt8(ascii: ":"), in: s, hostStart..<range.upperBound) ?? range.upperBound
            guard scan(s, hostStart..<hostEnd, international: international, hostCharacters) else { return false }
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
