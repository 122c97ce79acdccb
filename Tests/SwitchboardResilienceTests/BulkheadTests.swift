import Testing

@testable import SwitchboardResilience

@Suite struct BulkheadTests {
    @Test func admitsUpToMaxConcurrentQueuesUpToMaxQueueThenIsFull() async throws {
        let clock = ManualClock()
        let b = Bulkhead(configuration: .init(maxConcurrent: 2, maxQueue: 1, maxWait: nil))
        try await b.acquire(clock: clock)
        try await b.acquire(clock: clock)
        let waiter = Task { try await b.acquire(clock: clock) }
        await eventually { b.queuedCount == 1 }
        await #expect(throws: ResilienceError.self) { try await b.acquire(clock: clock) }
        do {
            try await b.acquire(clock: clock)
        } catch let e as ResilienceError {
            #expect(e.code == .bulkheadFull)
        }
        b.release()
        try await waiter.value
        #expect(b.activeCount == 2)
        #expect(b.queuedCount == 0)
    }

    @Test func releasedSlotsGoToWaitersInFIFOOrder() async throws {
        let clock = ManualClock()
        let b = Bulkhead(configuration: .init(maxConcurrent: 1, maxQueue: 10, maxWait: nil))
        try await b.acquire(clock: clock)
        let order = Recorder<Int>()
        var tasks: [Task<Void, any Error>] = []
        for i in 0..<5 {
            tasks.append(
                Task {
                    try await b.acquire(clock: clock)
                    order.append(i)
                })
            await eventually { b.queuedCount == i + 1 }
        }
        for i in 0..<5 {
            b.release()
            try await tasks[i].value
        }
        #expect(order.all == [0, 1, 2, 3, 4])
        #expect(b.activeCount == 1)
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let clock = ManualClock()
        let b = Bulkhead(configuration: .init(maxConcurrent: 1, maxQueue: 2, maxWait: nil))
        try await b.acquire(clock: clock)
        let first = Task { try await b.acquire(clock: clock) }
        await eventually { b.queuedCount == 1 }
        let second = Task { try await b.acquire(clock: clock) }
        await eventually { b.queuedCount == 2 }
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(b.queuedCount == 1)
        b.release()  // goes to the second waiter, not the cancelled one
        try await second.value
        #expect(b.activeCount == 1)
        #expect(b.queuedCount == 0)
    }

    @Test func waitingLongerThanMaxWaitIsBulkheadFull() async throws {
        let clock = ManualClock()
        let b = Bulkhead(configuration: .init(maxConcurrent: 1, maxQueue: 5, maxWait: .milliseconds(500)))
        try await b.acquire(clock: clock)
        let waiter = Task { () -> ResilienceError.Code? in
            do {
                try await b.acquire(clock: clock)
                return nil
            } catch let e as ResilienceError {
                return e.code
            }
        }
        await clock.waitForSleepers(count: 1)
        #expect(b.queuedCount == 1)
        clock.advance(by: .milliseconds(499))
        #expect(b.queuedCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await waiter.value == .bulkheadFull)
        #expect(b.queuedCount == 0)
        #expect(b.activeCount == 1)
    }

    @Test func noSlotIsLostWhenWaitersAreCancelledWhileSlotsAreReleased() async throws {
        let clock = ManualClock()
        let b = Bulkhead(configuration: .init(maxConcurrent: 3, maxQueue: 100, maxWait: nil))
        for _ in 0..<3 { try await b.acquire(clock: clock) }
        let completed = Counter()
        let cancelled = Counter()
        var tasks: [Task<Void, Never>] = []
        for _ in 0..<30 {
            tasks.append(
                Task {
                    do {
                        try await b.acquire(clock: clock)
                        defer { b.release() }
                        await Task.yield()
                        completed.increment()
                    } catch {
                        cancelled.increment()
                    }
                })
        }
        await eventually { b.queuedCount == 30 }
        for _ in 0..<3 { b.release() }  // slots flow to waiters while some of them are being cancelled
        for (i, task) in tasks.enumerated() where i % 3 == 0 { task.cancel() }
        for task in tasks { await task.value }
        #expect(completed.count + cancelled.count == 30)
        #expect(completed.count >= 20)
        #expect(b.activeCount == 0)
        #expect(b.queuedCount == 0)
    }

    @Test func zeroQueueRejectsAtOnce() async throws {
        let b = Bulkhead(configuration: .init(maxConcurrent: 1, maxQueue: 0))
        let clock = ManualClock()
        try await b.acquire(clock: clock)
        await #expect(throws: ResilienceError.self) { try await b.acquire(clock: clock) }
        #expect(clock.totalSleeps == 0)
    }
}

@Suite struct TimeoutTests {
    @Test func returnsTheValueWhenTheOperationFinishesFirst() async throws {
        let clock = ManualClock()
        let v = try await withTimeout(.seconds(1), clock: clock, error: .timeout(after: .seconds(1))) { 42 }
        #expect(v == 42)
    }

    @Test func throwsTheGivenErrorAndCancelsTheOperationWhenTimeRunsOut() async throws {
        let clock = ManualClock()
        let cancelled = Counter()
        let task = Task { () -> ResilienceError.Code? in
            do {
                _ = try await withTimeout(.seconds(1), clock: clock, error: .attemptTimeout(after: .seconds(1))) {
                    do {
                        try await clock.sleep(for: .seconds(10))
                    } catch {
                        cancelled.increment()
                        throw error
                    }
                }
                return nil
            } catch let e as ResilienceError {
                return e.code
            }
        }
        await clock.waitForSleepers(count: 2)  // the timer and the operation
        clock.advance(by: .seconds(1))
        #expect(try await task.value == .attemptTimeout)
        #expect(cancelled.count == 1)
        #expect(clock.sleeperCount == 0)
    }
}

@Suite struct RegistryTests {
    @Test func registriesReuseByKeyAndReplaceOnConfigurationChange() {
        let breakers = CircuitBreakerRegistry()
        let a = breakers.breaker(for: "conn_1", configuration: .init())
        #expect(breakers.breaker(for: "conn_1", configuration: .init()) === a)
        #expect(breakers.breaker(for: "conn_2", configuration: .init()) !== a)
        #expect(breakers.breaker(for: "conn_1", configuration: .init(minimumCalls: 3)) !== a)
        #expect(breakers.all.count == 2)

        let bulkheads = BulkheadRegistry()
        let b = bulkheads.bulkhead(for: "conn_1", configuration: .init(maxConcurrent: 2))
        #expect(bulkheads.bulkhead(for: "conn_1", configuration: .init(maxConcurrent: 2)) === b)
        #expect(bulkheads.bulkhead(for: "conn_1", configuration: .init(maxConcurrent: 3)) !== b)
    }
}
