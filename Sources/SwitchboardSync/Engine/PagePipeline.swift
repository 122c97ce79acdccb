import Synchronization

/// Pages prepared ahead of the commits: one producer task fetches, parses, maps and hashes page after page (each
/// page's parameters follow from the one before it), keeping up to `depth` pages waiting.
///
/// With one page ahead the two stages still wait for each other whenever one page takes longer than usual on
/// either side (a WAL checkpoint in a commit, a slow response); a few pages of slack absorb that.
final class PagePipeline: Sendable {
    private struct State {
        var ready: [SyncEngine.PreparedPage] = []
        var finished = false
        var consumer: CheckedContinuation<SyncEngine.PreparedPage?, Never>?
        var producer: CheckedContinuation<Bool, Never>?
        /// Committed pages handed back to be freed by the producer (see `discard`).
        var discarded: [SyncEngine.PreparedPage] = []
    }

    private let state = Mutex(State())
    private let depth: Int
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts preparing the pages after `checkpoint`, on `executor`; it stops after a failed page, the last page, or
    /// the page that reaches `maxPages`.
    init(
        depth: Int, after checkpoint: SyncCheckpoint, maxPages: Int, executor: any TaskExecutor,
        prepare: @escaping @Sendable (SyncCheckpoint) async -> SyncEngine.PreparedPage
    ) {
        self.depth = max(1, depth)
        let producer = Task(executorPreference: executor) { [self] in
            var after = checkpoint
            while !Task.isCancelled {
                freeDiscarded()
                let page = await prepare(after)
                guard await put(page) else { break }
                if page.error != nil || page.isLast || page.checkpoint.pages >= maxPages { break }
                after = page.checkpoint
            }
            close()
        }
        task.withLock { $0 = producer }
    }

    /// The next page in order; nil once the producer has stopped and every page it prepared was taken.
    func next() async -> SyncEngine.PreparedPage? {
        await withCheckedContinuation { (c: CheckedContinuation<SyncEngine.PreparedPage?, Never>) in
            let (page, producer) = state.withLock { s -> (SyncEngine.PreparedPage??, CheckedContinuation<Bool, Never>?) in
                if !s.ready.isEmpty {
                    let producer = s.producer
                    s.producer = nil
                    return (.some(s.ready.removeFirst()), producer)
                }
                if s.finished { return (.some(nil), nil) }
                s.consumer = c
                return (nil, nil)
            }
            if let page { c.resume(returning: page) }
            producer?.resume(returning: true)
        }
    }

    /// Hands a committed page back, to be freed on the producer's thread before it prepares its next page: a page's
    /// thousands of strings and parameters then come off the commit path. (The producer runs after the consumer's next
    /// `next()`, by which time the consumer's own references to the page are gone.)
    func discard(_ page: SyncEngine.PreparedPage) {
        state.withLock { $0.discarded.append(page) }
    }

    private func freeDiscarded() {
        let pages = state.withLock { s in
            defer { s.discarded = [] }
            return s.discarded
        }
        _ = pages  // the last references: freed here, outside the lock
    }

    /// Stops the producer and drops the pages it prepared: `next()` returns nil from now on.
    func cancel() {
        task.withLock { $0?.cancel() }
        close(dropping: true)
    }

    /// Hands `page` to a waiting consumer or queues it; while `depth` pages are queued, waits for one to be taken.
    /// False once closed.
    private func put(_ page: SyncEngine.PreparedPage) async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let (consumer, resume) = state.withLock { s -> (CheckedContinuation<SyncEngine.PreparedPage?, Never>?, Bool?) in
                if s.finished { return (nil, false) }
                if let waiting = s.consumer {
                    s.consumer = nil
                    return (waiting, true)
                }
                s.ready.append(page)
                if s.ready.count < depth { return (nil, true) }
                s.producer = c  // resumed by `next()` taking a page, or by `close()`
                return (nil, nil)
            }
            consumer?.resume(returning: page)
            if let resume { c.resume(returning: resume) }
        }
    }

    /// Ends the pipeline: pages queued so far are still handed out, unless `dropping`.
    private func close(dropping: Bool = false) {
        let (consumer, producer) = state.withLock { s in
            s.finished = true
            if dropping { s.ready.removeAll() }
            defer {
                s.consumer = nil
                s.producer = nil
            }
            return (s.consumer, s.producer)
        }
        consumer?.resume(returning: nil)
        producer?.resume(returning: false)
    }
}
