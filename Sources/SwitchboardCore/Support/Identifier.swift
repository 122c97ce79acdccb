import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates identifiers: UUID version 7 (RFC 9562), time-ordered, so sorting ids sorts by creation time.
public enum Identifier {
    /// A new UUIDv7 string in lowercase canonical form, optionally prefixed (`conn_0190...`).
    ///
    /// On the execute path this runs twice per call (the execution and its event), so it formats into one buffer and
    /// takes its 74 random bits from `RandomPool` rather than asking the kernel for random bytes twice per id.
    public static func make(prefix: String = "", now: Timestamp = SystemWallClock().now()) -> String {
        let ms = UInt64(max(0, now.millisecondsSinceEpoch))
        let random = RandomPool.shared.next()
        var bytes: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &bytes) { raw -> String in
            for i in 0..<6 { raw[i] = UInt8(truncatingIfNeeded: ms >> (8 * UInt64(5 - i))) }
            for i in 6..<14 { raw[i] = UInt8(truncatingIfNeeded: random.0 >> (8 * UInt64(i - 6))) }
            for i in 14..<16 { raw[i] = UInt8(truncatingIfNeeded: random.1 >> (8 * UInt64(i - 14))) }
            raw[6] = (raw[6] & 0x0F) | 0x70
            raw[8] = (raw[8] & 0x3F) | 0x80
            let body = String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        out[o] = UInt8(ascii: "-")
                        o += 1
                    }
                    out[o] = hexDigits[Int(raw[i] >> 4)]
                    out[o + 1] = hexDigits[Int(raw[i] & 0x0F)]
                    o += 2
                }
                return o
            }
            return prefix.isEmpty ? body : prefix + body
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

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

/// Random bits from the system generator, fetched 4 KiB at a time: one read serves 256 identifiers.
final class RandomPool: Sendable {
    static let shared = RandomPool()
    private static let words = 512

    private struct State {
        var words: [UInt64] = []
        var next = 0
    }

    private let state = Mutex(State())

    /// Two fresh random words (never handed out twice).
    func next() -> (UInt64, UInt64) {
        state.withLock { s in
            if s.next + 2 > s.words.count {
                s.words = Self.systemRandomWords(Self.words)
                s.next = 0
            }
            defer { s.next += 2 }
            return (s.words[s.next], s.words[s.next + 1])
        }
    }

    /// `count` words from the kernel's generator, in one read.
    static func systemRandomWords(_ count: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: count)
        #if canImport(Darwin)
            words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            return words
        #else
            // The kernel's generator through /dev/urandom (never blocks once the system has booted; `getrandom` is not
            // visible through the Glibc module).
            let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                let filled = words.withUnsafeMutableBytes { raw -> Bool in
                    var done = 0
                    while done < raw.count {
                        let n = read(fd, raw.baseAddress! + done, raw.count - done)
                        if n > 0 {
                            done += n
                        } else if n == 0 || errno != EINTR {
                            return false
                        }
                    }
                    return true
                }
                if filled { return words }
            }
            var rng = SystemRandomNumberGenerator()
            for i in words.indices { words[i] = rng.next() }
            return words
        #endif
    }
}
