#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The current thread's stack limit, so deep recursion throws `U1001` instead of crashing,
/// whatever the thread's stack size (512 KiB for secondary threads on Darwin, 8 MiB by default on Linux).
enum StackBounds {
    /// Head-room left below the limit for library functions that recurse over data.
    static let margin: UInt = 128 * 1024

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// The lowest stack address evaluation may reach on this thread (cached per thread); 0 if unknown.
    static func lowLimit() -> UInt {
        if let p = pthread_getspecific(key) { return UInt(bitPattern: p) }
        var low: UInt = 0
        #if canImport(Darwin)
            let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
            let size = UInt(pthread_get_stacksize_np(pthread_self()))
            if top > size { low = top - size + margin }
        #else
            var attr = pthread_attr_t()
            if swb_pthread_getattr_np(pthread_self(), &attr) == 0 {
                var addr: UnsafeMutableRawPointer? = nil
                var size = 0
                if pthread_attr_getstack(&attr, &addr, &size) == 0, let addr {
                    low = UInt(bitPattern: addr) + margin
                }
                pthread_attr_destroy(&attr)
            }
        #endif
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: low))
        return low
    }

    /// The address of a local in the caller's frame (approximately the stack pointer).
    @inline(__always)
    static func current() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}

#if !canImport(Darwin)
    /// glibc/musl `pthread_getattr_np`, which the Swift Glibc module does not export (it needs `_GNU_SOURCE`).
    @_silgen_name("pthread_getattr_np")
    private func swb_pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#endif
