@testable import SwitchboardResilience

/// `t0 + ms` as an instant, for readable test timelines.
func at(ms: Int64, from origin: ResilienceInstant = t0) -> ResilienceInstant {
    origin + .milliseconds(ms)
}

/// An arbitrary origin well after the epoch, on a whole second.
let t0 = ResilienceInstant(secondsSinceEpoch: 1_700_000_000)
