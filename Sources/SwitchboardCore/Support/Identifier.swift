#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates identifiers: UUID version 7 (RFC 9562), time-ordered, so sorting ids sorts by creation time.
public enum Identifier {
    /// A new UUIDv7 string in lowercase canonical form, optionally prefixed (`conn_0190...`).
    public static func make(prefix: String = "", now: Timestamp = SystemWallClock().now()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let ms = UInt64(max(0, now.millisecondsSinceEpoch))
        for i in 0..<6 { bytes[i] = UInt8((ms >> (8 * (5 - UInt64(i)))) & 0xFF) }
        var rng = SystemRandomNumberGenerator()
        let a = rng.next()
        let b = rng.next()
        for i in 6..<14 { bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i - 6))) }
        for i in 14..<16 { bytes[i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i - 14))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        let groups = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }
        return prefix + groups.joined(separator: "-")
    }

    /// True if `text` looks like an identifier this type makes (guards path parameters before a database lookup).
    public static func isWellFormed(_ text: String, prefix: String = "") -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let body = text.utf8.dropFirst(prefix.utf8.count)
        guard body.count == 36 else { return false }
        for (i, c) in body.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
                return false
            }
        }
        return true
    }
}
