/// `hostname`, `idn-hostname`, `ipv4`, `ipv6`, `email` and `idn-email`.
enum NetworkFormats {
    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    @inline(__always)
    static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// RFC 1123: dot-separated labels of 1 to 63 letters, digits and inner hyphens; at most 253 characters.
    static func isHostname(_ b: Bytes) -> Bool {
        guard !b.isEmpty, b.count <= 253 else { return false }
        var labelStart = b.startIndex
        var i = b.startIndex
        while i <= b.endIndex {
            if i == b.endIndex || b[i] == UInt8(ascii: ".") {
                let length = i - labelStart
                guard length >= 1, length <= 63, b[labelStart] != UInt8(ascii: "-"), b[i - 1] != UInt8(ascii: "-") else { return false }
                labelStart = i + 1
            } else if !(isAlphanumeric(b[i]) || b[i] == UInt8(ascii: "-")) {
                return false
            }
            i += 1
        }
        return true
    }

    /// Dotted-quad, four decimal octets without leading zeros.
    static func isIPv4(_ b: Bytes) -> Bool {
        var parts = 0
        var i = b.startIndex
        while true {
            let start = i
            var value = 0
            while i < b.endIndex, b[i] >= 0x30, b[i] <= 0x39, i - start < 4 {
                value = value * 10 + Int(b[i] - 0x30)
                i += 1
            }
            let length = i - start
            guard length >= 1, length <= 3, value <= 255, length == 1 || b[start] != 0x30 else { return false }
            parts += 1
            if parts == 4 { return i == b.endIndex }
            guard i < b.endIndex, b[i] == UInt8(ascii: ".") else { return false }
            i += 1
        }
    }

    /// RFC 4291 text form: eight groups of 1 to 4 hex digits, one `::` elision, an optional trailing IPv4 address.
    static func isIPv6(_ b: Bytes) -> Bool {
        guard b.count >= 2, b.count <= 45 else { return false }
        var groups = 0
        var elided = false
        var i = b.startIndex
        if b[i] == UInt8(ascii: ":") {
            guard b[i + 1] == UInt8(ascii: ":") else { return false }
            elided = true
            i += 2
            if i == b.endIndex { return true }
        }
        while i < b.endIndex {
            let start = i
            while i < b.endIndex, Format.isHex(b[i]), i - start < 5 { i += 1 }
            if i < b.endIndex, b[i] == UInt8(ascii: ".") {
                // Embedded IPv4 in the last 32 bits.
                guard isIPv4(b[start...]) else { return false }
                groups += 2
                i = b.endIndex
                break
            }
            let length = i - start
            guard length >= 1, length <= 4 else { return false }
            groups += 1
            if i == b.endIndex { break }
            guard b[i] == UInt8(ascii: ":") else { return false }
            i += 1
            if i < b.endIndex, b[i] == UInt8(ascii: ":") {
                guard !elided else { return false }
                elided = true
                i += 1
                if i == b.endIndex { break }
            } else if i == b.endIndex {
                return false
            }
        }
        return elided ? groups < 8 : groups == 8
    }

    /// RFC 5321 mailbox: dot-atom or quoted-string local part, `@`, then a host name or an address literal.
    /// With `international` (RFC 6531), non-ASCII characters are allowed in the local part and the domain.
    /// Works on the UTF-8 bytes: every byte of a multi-byte character is >= 0x80.
    static func isEmail(_ s: UnsafeBufferPointer<UInt8>, international: Bool) -> Bool {
        guard let at = s.lastIndex(of: UInt8(ascii: "@")), at > 0, at < s.count - 1 else { return false }
        let local = s[..<at]
        let domain = s[(at + 1)...]
        if local.first == UInt8(ascii: "\"") {
            guard local.count >= 2, local.last == UInt8(ascii: "\"") else { return false }
            var i = local.startIndex + 1
            while i < local.endIndex - 1 {
                let c = local[i]
                if c == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") || c < 0x20 || c == 0x7F { return false }
                if c >= 0x80 && !international { return false }
                i += 1
            }
            if i != local.endIndex - 1 { return false }
        } else {
            guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".") else { return false }
            var previous = UInt8(ascii: ".")
            for c in local {
                if c == UInt8(ascii: ".") {
                    if previous == UInt8(ascii: ".") { return false }
                } else if c < 0x80 {
                    guard isAlphanumeric(c) || atextBytes[Int(c)] else { return false }
                } else if !international {
                    return false
                }
                previous = c
            }
        }
        if domain.first == UInt8(ascii: "[") {
            guard domain.last == UInt8(ascii: "]") else { return false }
            let literal = domain[(domain.startIndex + 1)..<(domain.endIndex - 1)]
            if literal.starts(with: "IPv6:".utf8) { return isIPv6(literal[(literal.startIndex + 5)...]) }
            return isIPv4(literal)
        }
        if domain.contains(where: { $0 >= 0x80 }) {
            guard international else { return false }
            return IDNHostname.isValid(Array(String(decoding: domain, as: UTF8.self).unicodeScalars))
        }
        return isHostname(domain)
    }

    /// `atext` symbols by byte value.
    static let atextBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for c in "!#$%&'*+-/=?^_`{|}~".utf8 { table[Int(c)] = true }
        return table
    }()
}
