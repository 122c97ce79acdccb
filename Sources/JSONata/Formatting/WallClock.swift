#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The current time in milliseconds since the epoch, for `$toMillis` pictures that leave out leading components
/// when the caller does not pass the evaluation's fixed `now`.
enum WallClock {
    static func nowMillis() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec / 1_000_000)
    }
}
