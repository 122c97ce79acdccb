import JSONValue
import Testing

@testable import SwitchboardResilience

@Suite struct ResponseCacheTests {
    func key(_ n: Int) -> ResponseCacheKey { ResponseCacheKey(connectionID: "c", method: "m", params: ["n": .number(Double(n))]) }

    @Test func entriesExpireAfterTheTTL() {
        var c = ResponseCache<String>(ttl: .seconds(60), maxEntries: 10)
        c.insert("a", forKey: key(1), now: t0)
        #expect(c.value(forKey: key(1), now: at(ms: 59_999)) == "a")
        #expect(c.value(forKey: key(1), now: at(ms: 60_000)) == nil)
        #expect(c.staleValue(forKey: key(1))?.value == "a")  // kept for the last-good fallback
    }

    @Test func leastRecentlyUsedIsEvictedFirst() {
        var c = ResponseCache<Int>(ttl: .seconds(60), maxEntries: 3)
        for i in 1...3 { c.insert(i, forKey: key(i), now: t0) }
        #expect(c.value(forKey: key(1), now: t0) == 1)  // 1 is now the most recent; 2 the least
        c.insert(4, forKey: key(4), now: t0)
        #expect(c.count == 3)
        #expect(c.value(forKey: key(2), now: t0) == nil)
        #expect(c.value(forKey: key(1), now: t0) == 1)
        #expect(c.value(forKey: key(3), now: t0) == 3)
        c.insert(5, forKey: key(5), now: t0)  // evicts 4 (3 and 1 were read after it)
        #expect(c.value(forKey: key(4), now: t0) == nil)
    }

    @Test func overwritingRefreshesTimeAndRecency() {
        var c = ResponseCache<Int>(ttl: .seconds(10), maxEntries: 2)
        c.insert(1, forKey: key(1), now: t0)
        c.insert(2, forKey: key(2), now: t0)
        c.insert(10, forKey: key(1), now: at(ms: 5000))
        c.insert(3, forKey: key(3), now: at(ms: 5000))  // evicts 2
        #expect(c.value(forKey: key(2), now: at(ms: 5000)) == nil)
        #expect(c.value(forKey: key(1), now: at(ms: 14_000)) == 10)
    }

    @Test func removalKeepsTheListConsistent() {
        var c = ResponseCache<Int>(ttl: .seconds(10), maxEntries: 3)
        for i in 1...3 { c.insert(i, forKey: key(i), now: t0) }
        let removed = c.removeValue(forKey: key(1))
        #expect(removed)
        c.insert(4, forKey: key(4), now: t0)
        c.insert(5, forKey: key(5), now: t0)  // evicts 2, the least recent
        #expect(c.value(forKey: key(2), now: t0) == nil)
        for i in 3...5 { #expect(c.value(forKey: key(i), now: t0) == i) }
    }

    @Test func keysUseCanonicalParams() throws {
        let a = ResponseCacheKey(connectionID: "c", method: "m", params: try JSON(parsing: #"{"b":2,"a":{"y":1,"x":[1,2]}}"#))
        let b = ResponseCacheKey(connectionID: "c", method: "m", params: try JSON(parsing: #"{"a":{"x":[1,2],"y":1},"b":2}"#))
        #expect(a == b)
        #expect(a != ResponseCacheKey(connectionID: "c2", method: "m", params: ["a": 1]))
        #expect(b.description == #"c|m|{"a":{"x":[1,2],"y":1},"b":2}"#)
    }
}
