import ECMARegex

/// The formats asserted by the `format` keyword; unknown format names are annotations only.
enum Format: String, Sendable {
    case dateTime = "date-time"
    case date
    case time
    case duration
    case email
    case idnEmail = "idn-email"
    case hostname
    case idnHostname = "idn-hostname"
    case ipv4
    case ipv6
    case uri
    case uriReference = "uri-reference"
    case iri
    case iriReference = "iri-reference"
    case uriTemplate = "uri-template"
    case uuid
    case regex
    case jsonPointer = "json-pointer"
    case relativeJSONPointer = "relative-json-pointer"

    /// Whether `string` is in this format. Hand-written checks over the UTF-8 bytes; no Foundation.
    func isValid(_ string: String) -> Bool {
        if self == .regex { return (try? ECMARegex(string, options: [.unicode])) != nil }
        if let result = string.utf8.withContiguousStorageIfAvailable({ check(bytes: $0, string) }) { return result }
        return Array(string.utf8).withUnsafeBufferPointer { check(bytes: $0, string) }
    }

    private func check(bytes: UnsafeBufferPointer<UInt8>, _ string: String) -> Bool {
        switch self {
        case .email: return NetworkFormats.isEmail(bytes, international: false)
        case .idnEmail: return NetworkFormats.isEmail(bytes, international: true)
        case .idnHostname: return IDNHostname.isValid(Array(string.unicodeScalars))
        case .uri, .uriReference, .iri, .iriReference:
            let relative = self == .uriReference || self == .iriReference
            return URIFormats.isURI(bytes, relative: relative, international: self == .iri || self == .iriReference)
        default: break
        }
        return switch self {
        case .dateTime: DateFormats.isDateTime(bytes)
        case .date: DateFormats.isDate(bytes[...])
        case .time: DateFormats.isTime(bytes[...])
        case .duration: DateFormats.isDuration(bytes)
        case .hostname: NetworkFormats.isHostname(bytes[...])
        case .ipv4: NetworkFormats.isIPv4(bytes[...])
        case .ipv6: NetworkFormats.isIPv6(bytes[...])
        case .uuid: Self.isUUID(bytes)
        case .jsonPointer: Self.isJSONPointer(bytes[...])
        case .relativeJSONPointer: Self.isRelativeJSONPointer(bytes)
        case .uriTemplate: URIFormats.isURITemplate(bytes)
        default: true
        }
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// RFC 4122: 8-4-4-4-12 hexadecimal digits.
    static func isUUID(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 36 else { return false }
        for i in 0..<36 {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b[i] != UInt8(ascii: "-") { return false }
            } else if !isHex(b[i]) {
                return false
            }
        }
        return true
    }

    /// RFC 6901: empty, or `/`-separated tokens where `~` is followed by `0` or `1`.
    static func isJSONPointer(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard let first = b.first else { return true }
        guard first == UInt8(ascii: "/") else { return false }
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] == UInt8(ascii: "~") {
                guard i + 1 < b.endIndex, b[i + 1] == UInt8(ascii: "0") || b[i + 1] == UInt8(ascii: "1") else { return false }
                i += 1
            }
            i += 1
        }
        return true
    }

    /// draft-bhutton-relative-json-pointer-00: a non-negative integer, an optional index adjustment, then `#` or a JSON Pointer.
    static func isRelativeJSONPointer(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        guard i < b.count, isDigit(b[i]) else { return false }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            i += 1
            guard i < b.count, isDigit(b[i]), b[i] != UInt8(ascii: "0") else { return false }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i == b.count { return true }
        if b[i] == UInt8(ascii: "#") { return i + 1 == b.count }
        return isJSONPointer(b[i...])
    }
}
