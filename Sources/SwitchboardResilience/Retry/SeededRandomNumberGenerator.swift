import Synchronization

/// A fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Jitter takes its randomness from an injected generator; tests seed this one so draws repeat.
///
/// ```swift
/// var rng = SeededRandomNumberGenerator(seed: 42)
/// let delay = Jitter.full.delay(base: .milliseconds(200), ..., using: &rng)
/// ```
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }
}

/// A generator shared between tasks: a lock around another generator.
///
/// The pipeline draws jitter and idempotency keys from one of these; pass a seeded generator in
/// tests, or keep the default system generator in production.
public final class SharedRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private let box: Mutex<any RandomNumberGenerator & Sendable>

    public init(_ generator: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        box = Mutex(generator)
    }

    public func next() -> UInt64 {
        box.withLock { $0.next() }
    }
}
