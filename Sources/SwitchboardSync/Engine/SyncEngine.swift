import Foundation
import JSONValue
import Logging
import SwitchboardCore
import SwitchboardEngine
import SwitchboardStore

/// Runs syncs as durable jobs: queues runs, claims them with leases, pages through the source method,
/// and commits each page's records together with the run's checkpoint.
public struct SyncEngine: Sendable {
    public struct Configuration: Sendable {
        /// How long a claim lasts without a heartbeat; a run whose worker died is claimed again after it.
        public var leaseMs: Int64 = 30_000
        /// Largest number of pages one run fetches (a guard against an upstream that never ends).
        public var maxPages = 1_000_000
        /// Pages fetched and prepared ahead of the one being committed.
        public var pagesAhead = 2

        public init(leaseMs: Int64 = 30_000, maxPages: Int = 1_000_000, pagesAhead: Int = 2) {
            self.leaseMs = leaseMs
            self.maxPages = maxPages
            self.pagesAhead = pagesAhead
        }
    }

    /// How a call to `runClaimed` ended.
    public enum Outcome: Sendable, Equatable {
        case completed, failed, cancelled
        /// The worker stopped (shutdown, or told to) after a committed batch; the run stays claimed until its lease
        /// expires, or is released for another worker at once.
        case stopped
        /// Another worker took the run over (this worker's lease had expired); nothing of the last batch was kept.
        case leaseLost
    }

    public let records: SQLSyncRecordRepository
    public let runs: SQLSyncRunRepository
    public let source: any SyncPageSource
    public let catalog: any SyncCatalog
    public let events: EventBus?
    public let clock: any WallClock
    public let logger: Logger
    public var configuration: Configuration

    public init(
        database: any SQLDatabase, source: any SyncPageSource, catalog: any SyncCatalog, events: EventBus?, clock: any WallClock,
        logger: Logger, configuration: Configuration = Configuration()
    ) {
        self.records = SQLSyncRecordRepository(db: database)
        self.runs = SQLSyncRunRepository(db: database)
        self.source = source
        self.catalog = catalog
        self.events = events
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
    }

    /// The sync named `name` of the connection; `SYNC_NOT_FOUND` if its definition has none.
    public func sync(connectionId: String, name: String) async throws -> SyncDefinition {
        guard let s = try await catalog.syncs(connectionId: connectionId).first(where: { $0.name == name }) else {
            throw SwitchboardError.notFound("the connection's definition has no sync named '\(name)'", code: "SYNC_NOT_FOUND")
        }
        return s
    }

    /// Queues a run of the sync (or returns the one already queued or running).
    public func start(connectionId: String, syncName: String, trigger: String = "api") async throws -> (run: SyncRun, isNew: Bool) {
        let sync = try await sync(connectionId: connectionId, name: syncName)
        return try await runs.enqueue(
            connectionId: connectionId, syncName: syncName, entityType: sync.entityType, mode: sync.mode.rawValue, trigger: trigger, now: clock.now())
    }

    /// Asks a run to stop (see `SQLSyncRunRepository.requestCancel`); a queued run ends at once, with its `sync.cancelled`
    /// event. Nil if there is no such run.
    public func cancel(runId: String) async throws -> SyncRun? {
        guard let (run, ended) = try await runs.requestCancel(id: runId, now: clock.now()) else { return nil }
        if ended { await emitCancelled(run) }
        return run
    }

    /// Gives a run `owner` holds back to the queue (graceful shutdown); one whose cancel was requested ends `cancelled`.
    public func release(runId: String, owner: String) async throws {
        if let ended = try await runs.release(id: runId, owner: owner, now: clock.now()) { await emitCancelled(ended) }
    }

    /// Gives back every run `owner` holds (a claim interrupted at shutdown may have been taken by the database); those
    /// whose cancel was requested end `cancelled`.
    public func releaseAll(owner: String) async throws {
        for ended in try await runs.releaseAll(owner: owner, now: clock.now()) { await emitCancelled(ended) }
    }

    /// Claims the next run for `owner` and runs it; nil when there was none to claim. Runs whose cancel was requested
    /// and that no worker holds any more are ended first.
    public func runNext(owner: String, shouldStop: @escaping @Sendable () -> Bool = { false }) async throws -> (SyncRun, Outcome)? {
        guard let run = try await claimNext(owner: owner) else { return nil }
        let outcome = try await runClaimed(run, owner: owner, shouldStop: shouldStop)
        return (try await runs.get(id: run.id) ?? run, outcome)
    }

    /// Claims the next run for `owner`, after ending the runs whose cancel was requested and that no worker holds any
    /// more; nil when there is none to claim.
    public func claimNext(owner: String) async throws -> SyncRun? {
        for ended in try await runs.endAbandonedCancels(now: clock.now()) { await emitCancelled(ended) }
        return try await runs.claim(owner: owner, now: clock.now(), leaseMs: configuration.leaseMs)
    }

    /// Runs a run `owner` has claimed, from its checkpoint, page by page, until it ends or `shouldStop` says so.
    public func runClaimed(_ run: SyncRun, owner: String, shouldStop: @escaping @Sendable () -> Bool = { false }) async throws -> Outcome {
        var log = logger
        log[metadataKey: "sync.run"] = "\(run.id)"
        log[metadataKey: "connection.id"] = "\(run.connectionId)"
        let sync: SyncDefinition
        do {
            sync = try await self.sync(connectionId: run.connectionId, name: run.syncName)
        } catch let error as SwitchboardError {
            return try await fail(run, owner: owner, error: error)
        }

        var checkpoint: SyncCheckpoint
        if let saved = run.checkpoint {
            checkpoint = SyncCheckpoint(json: saved)
            log.info("resuming sync run from its checkpoint", metadata: ["sync.pages": "\(checkpoint.pages)"])
        } else {
            checkpoint = SyncCheckpoint()
            if sync.mode == .incremental, sync.incremental != nil,
                let text = try await runs.state(connectionId: run.connectionId, syncName: run.syncName)?.incrementalCursor
            {
                checkpoint.since = try? JSON(parsing: text)
            }
        }
        // Once per run: a run resumed before its first commit has no checkpoint either, but it had started.
        if run.claims <= 1 {
            events?.emit("sync.started", connectionId: run.connectionId, payload: ["runId": .string(run.id), "sync": .string(run.syncName)])
        }

        if sync.mode == .fullRefresh && checkpoint.startSequence == nil {
            checkpoint.startSequence = try await records.currentSequence()
        }
        if run.checkpoint == nil {
            checkpoint.onlyNew = try await records.isEmpty(connectionId: run.connectionId, entityType: sync.entityType)
        }
        var onlyNew = checkpoint.onlyNew
        // Keeps the lease while a page takes long (backoff after 429s, a slow upstream); each committed batch renews
        // it too.
        let keepAlive = Task { [runs, clock, configuration] in
            let interval = Duration.milliseconds(max(configuration.leaseMs / 3, 10))
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                _ = try? await runs.heartbeat(id: run.id, owner: owner, now: clock.now(), leaseMs: configuration.leaseMs)
            }
        }
        // The next pages are fetched, parsed, mapped and hashed while the current one commits: their parameters only
        // depend on the pages before them, and the two stages use different cores (this process and the database).
        var ahead: PagePipeline?
        defer {
            keepAlive.cancel()
            ahead?.cancel()
        }
        let fullRefresh = sync.mode == .fullRefresh

        // Whether a cancel was requested: read when the run starts, then from each committed batch (which also renews
        // the lease and fails with `LeaseLost` if another worker holds the run).
        // Each page's request (`PreparedPage.request`) with the number of the page it fetched, in this claim of the run:
        // a request made again means the pagination leads back to a page already fetched, and would go on doing so.
        var requested: [PageRequestKey: Int] = [:]
        // How many record failures the run has kept (`SyncRecordFailure.keptPerRun` at most): those of the pages
        // committed before, by this worker or the one it resumed from.
        var failuresKept = try await runs.failures(runId: run.id).count
        var cancelRequested: Bool
        do {
            cancelRequested = try await runs.heartbeat(id: run.id, owner: owner, now: clock.now(), leaseMs: configuration.leaseMs).cancelRequested
        } catch is LeaseLost {
            return .leaseLost
        }
        while true {
            if shouldStop() || Task.isCancelled { return .stopped }
            if cancelRequested {
                do {
                    try await runs.db.transaction { tx in
                        try await runs.forgetSeen(runId: run.id, in: tx)
                        try await runs.finish(id: run.id, owner: owner, status: .cancelled, error: nil, now: clock.now(), in: tx)
                    }
                } catch is LeaseLost {
                    return .leaseLost
                }
                await emitCancelled(try await runs.get(id: run.id) ?? run)
                log.info("sync run cancelled", metadata: ["sync.pages": "\(checkpoint.pages)"])
                return .cancelled
            }
            if checkpoint.pages >= configuration.maxPages {
                return try await fail(
                    run, owner: owner, error: SwitchboardError(code: "SYNC_TOO_MANY_PAGES", message: "the run reached \(configuration.maxPages) pages", status: 502))
            }

            let page: PreparedPage
            if let next = await ahead?.next() {
                page = next
            } else {
                page = await Self.prepare(sync, connectionId: run.connectionId, after: checkpoint, source: source, batchFor: (runs.db.dialect, clock))
            }
            if shouldStop() || Task.isCancelled { return .stopped }
            if let error = page.error { return try await fail(run, owner: owner, error: error, delta: page.delta) }
            if let request = page.request, let earlier = requested.updateValue(page.checkpoint.pages, forKey: request) {
                return try await fail(
                    run, owner: owner, error: Self.repeatedPage(sync, page: page.checkpoint.pages, earlier: earlier), delta: page.delta)
            }
            checkpoint = page.checkpoint
            let isLast = page.isLast
            if ahead == nil && !isLast && checkpoint.pages < configuration.maxPages {
                ahead = PagePipeline(
                    depth: configuration.pagesAhead, after: checkpoint, maxPages: configuration.maxPages, executor: Self.preparation
                ) { [source, clock, dialect = runs.db.dialect] after in
                    await Self.prepare(sync, connectionId: run.connectionId, after: after, source: source, batchFor: (dialect, clock))
                }
            }
            let delta = page.delta
            let inputs = page.inputs
            let newRecords = page.newRecords
            let unmappedIds = page.unmappedIds
            let failures = Array(page.failures.prefix(max(0, SyncRecordFailure.keptPerRun - failuresKept)))
            // A page prepared ahead was prepared before the previous commit could turn `onlyNew` off.
            checkpoint.onlyNew = onlyNew
            let now = clock.now()
            // The page's records, counts and checkpoint, in one transaction that also checks the lease.
            let commit: @Sendable (SyncCheckpoint) async throws -> (outcome: Outcome?, cancelRequested: Bool) = { [records, runs, configuration] committed in
                if committed.onlyNew && !isLast {
                    // A first import's page: nothing to look up, mark seen or delete (on PostgreSQL, one statement).
                    let batch =
                        newRecords
                        ?? NewRecordsBatch(inputs, connectionId: run.connectionId, entityType: sync.entityType, now: now, dialect: runs.db.dialect)
                    let (_, cancel) = try await runs.commitNewRecords(
                        batch, runId: run.id, owner: owner, checkpoint: committed.json, delta: delta, failures: failures, now: now,
                        leaseMs: configuration.leaseMs)
                    return (nil, cancel)
                }
                return try await runs.db.transaction { tx in
                    var d = delta
                    let counts = try await records.upsert(
                        inputs, connectionId: run.connectionId, entityType: sync.entityType, now: now, collectUnchanged: fullRefresh,
                        onlyNew: committed.onlyNew, in: tx)
                    d.created = counts.created
                    d.updated = counts.updated
                    d.unchanged = counts.unchanged
                    if fullRefresh { try await runs.markSeen(runId: run.id, externalIds: counts.unchangedIds + unmappedIds, in: tx) }
                    try await runs.recordFailures(failures, runId: run.id, in: tx)
                    if isLast && fullRefresh {
                        let gone = try await runs.unseen(
                            runId: run.id, connectionId: run.connectionId, entityType: sync.entityType, startSequence: committed.startSequence ?? 0, in: tx)
                        d.deleted = try await records.markDeleted(
                            externalIds: gone, connectionId: run.connectionId, entityType: sync.entityType, now: now, in: tx)
                        try await runs.forgetSeen(runId: run.id, in: tx)
                    }
                    let cancel = try await runs.checkpoint(
                        id: run.id, owner: owner, checkpoint: committed.json, delta: d, now: now, leaseMs: configuration.leaseMs, in: tx)
                    guard isLast else { return (nil, cancel) }
                    let next = sync.mode == .incremental ? committed.nextSince.map { $0.serialized() } : nil
                    try await runs.saveCompletion(
                        connectionId: run.connectionId, syncName: run.syncName, runId: run.id, incrementalCursor: next, now: now, in: tx)
                    try await runs.finish(id: run.id, owner: owner, status: .completed, error: nil, now: now, in: tx)
                    return (.completed, false)
                }
            }
            do {
                let outcome: Outcome?
                do {
                    (outcome, cancelRequested) = try await commit(checkpoint)
                } catch let error as DatabaseError where error.kind == .uniqueViolation && checkpoint.onlyNew {
                    // A record of the page is stored already (the upstream repeated it, or another writer stored it):
                    // the page is upserted instead, and so are the pages after it.
                    onlyNew = false
                    checkpoint.onlyNew = false
                    (outcome, cancelRequested) = try await commit(checkpoint)
                }
                let committed = checkpoint
                failuresKept += failures.count
                ahead?.discard(page)
                if let outcome {
                    let final = try await runs.get(id: run.id)
                    events?.emit(
                        "sync.completed", connectionId: run.connectionId,
                        payload: [
                            "runId": .string(run.id), "sync": .string(run.syncName), "counts": final?.counts.json ?? .null,
                            "failures": .array((final?.failures ?? []).map(\.json)),
                        ])
                    log.info("sync run completed", metadata: ["sync.pages": "\(committed.pages)"])
                    return outcome
                }
            } catch is LeaseLost {
                log.info("sync run lease lost; another worker took it over")
                return .leaseLost
            }
        }
    }

    /// Where the next page is prepared: threads of their own at a lower priority, so that the commit path's short
    /// steps (and, in the server, the event loops) do not wait behind milliseconds of parsing and hashing.
    static let preparation = WorkerThreads(name: "sb-sync", threads: ProcessInfo.processInfo.activeProcessorCount, nice: 10)

    /// One page, fetched and made ready to commit: the checkpoint after it, its records mapped and hashed, its counts.
    struct PreparedPage: Sendable {
        var checkpoint: SyncCheckpoint
        var inputs: [SyncRecordInput] = []
        /// The inputs made ready to commit as a first import's page (when the page was prepared as one).
        var newRecords: NewRecordsBatch?
        /// External ids of the page's records that could not be mapped: they count as failed, and a full refresh
        /// keeps what it stored of them (they were seen upstream, so they are not deleted).
        var unmappedIds: [String] = []
        /// The page's first records that could not be stored (no more than a run keeps), in page order; `delta.failed`
        /// counts them all.
        var failures: [SyncRecordFailure] = []
        var delta = SyncRun.Counts()
        var isLast = false
        /// What the page's request asked: its signature when the source tells it, else the parameters sent.
        var request: PageRequestKey?
        /// Set when the page could not be fetched or has no records array; the run fails with it.
        var error: SwitchboardError?
    }

    /// Fetches the page that follows `checkpoint` and prepares its records (external id, mapping, canonical text and
    /// hash, the incremental cursor's highest value); for a first import's page that is not the last, also the batch
    /// `commitNewRecords` stores on a database of `batchFor`'s dialect, with `batchFor`'s clock's time as the records'.
    static func prepare(
        _ sync: SyncDefinition, connectionId: String, after checkpoint: SyncCheckpoint, source: any SyncPageSource,
        batchFor: (dialect: SQLDialect, clock: any WallClock)? = nil
    ) async -> PreparedPage {
        let params = params(for: sync, checkpoint: checkpoint)
        let page = await source.fetchPage(connectionId: connectionId, method: sync.sourceMethod, params: params)
        var prepared = PreparedPage(checkpoint: checkpoint)
        prepared.request = PageRequestKey(signature: page.request, params: params)
        prepared.delta.retries = max(0, page.attempts - 1)
        guard let data = page.data, page.error == nil else {
            prepared.error = page.error ?? SwitchboardError(code: "UPSTREAM_ERROR", message: "the source method returned no data", status: 502)
            return prepared
        }
        guard let items = sync.records(in: data) else {
            prepared.error = SwitchboardError(
                code: "SYNC_RECORDS_NOT_FOUND", message: "the page has no array at '\(sync.recordsPath ?? "(the result)")'", status: 502)
            return prepared
        }
        prepared.isLast = advance(&prepared.checkpoint, sync: sync, data: data, headers: page.headers, received: items.count)
        prepared.checkpoint.pages += 1
        prepared.delta.pages = 1
        prepared.delta.fetched = items.count
        prepared.inputs.reserveCapacity(items.count)
        let cursorField = sync.incremental?.cursorField
        let pageNumber = prepared.checkpoint.pages
        func failed(_ failure: @autoclosure () -> SyncRecordFailure, cursorValue: JSON?) {
            prepared.delta.failed += 1
            if prepared.failures.count < SyncRecordFailure.keptPerRun { prepared.failures.append(failure()) }
            if cursorField != nil { prepared.checkpoint.failed(cursorValue) }
        }
        for (index, item) in items.enumerated() {
            // The record's incremental cursor value, in whatever order the page holds the records: the highest one seen
            // moves the next run's cursor, the lowest one of a failed record holds it back (`SyncCheckpoint.nextSince`).
            let value = cursorField.flatMap { JSONPath.value(at: $0, in: item) }.flatMap { $0.isNull ? nil : $0 }
            prepared.checkpoint.saw(value)
            let idValue = JSONPath.value(at: sync.idField, in: item)
            guard let id = idValue.flatMap(RecordImport.externalId) else {
                failed(.badId(idValue, idField: sync.idField, page: pageNumber, index: index), cursorValue: value)
                continue
            }
            var mapped = item
            if let mapping = sync.mapping {
                let result: JSON?
                do {
                    result = try mapping.evaluate(input: item)
                } catch {
                    prepared.unmappedIds.append(id)
                    failed(.mapping(error, externalId: id, page: pageNumber, index: index), cursorValue: value)
                    continue
                }
                guard let result else {
                    prepared.unmappedIds.append(id)
                    failed(.mappingGaveNothing(externalId: id, page: pageNumber, index: index), cursorValue: value)
                    continue
                }
                mapped = result
            }
            prepared.inputs.append(.canonical(externalId: id, data: mapped))
        }
        if let batchFor, checkpoint.onlyNew, !prepared.isLast {
            prepared.newRecords = NewRecordsBatch(
                prepared.inputs, connectionId: connectionId, entityType: sync.entityType, now: batchFor.clock.now(), dialect: batchFor.dialect)
        }
        return prepared
    }

    /// `SYNC_PAGE_REPEATED`: the request for page `page` is the one made for page `earlier` of the run. Fetching it again
    /// would bring the same page and the same next pointer, page after page (up to `maxPages`), or end the run as if
    /// complete without the pages after it; the run stops instead, keeping what it committed.
    static func repeatedPage(_ sync: SyncDefinition, page: Int, earlier: Int) -> SwitchboardError {
        let (pointer, sent): (String, String) =
            switch sync.pagination {
            case .cursor(_, let param): ("cursor", "it as '\(param)'")
            case .offset(let param, _, _): ("offset", "it as '\(param)'")
            case .page(let param, _, _, _): ("page number", "it as '\(param)'")
            case .nextURL: ("next URL", "its query parameters")
            case .linkHeader: ("Link header's next URL", "its query parameters")
            case .none: ("pagination", "it")
            }
        return SwitchboardError(
            code: "SYNC_PAGE_REPEATED",
            message: "the request for page \(page) is the one made for page \(earlier) of this run: the upstream's \(pointer) leads back to a "
                + "page already fetched (does the source method '\(sync.sourceMethod)' send \(sent)?)",
            status: 502)
    }

    /// Ends the run as failed with `error`; its checkpoint stays, so the run can be resumed.
    func fail(_ run: SyncRun, owner: String, error: SwitchboardError, delta: SyncRun.Counts = SyncRun.Counts()) async throws -> Outcome {
        do {
            try await runs.db.transaction { tx in
                if delta != SyncRun.Counts() {
                    try await tx.execute(
                        "UPDATE sync_runs SET retries = retries + ? WHERE id = ? AND lease_owner = ?",
                        [.int(Int64(delta.retries)), .text(run.id), .text(owner)])
                }
                try await runs.finish(id: run.id, owner: owner, status: .failed, error: error, now: clock.now(), in: tx)
            }
        } catch is LeaseLost {
            return .leaseLost
        }
        let failures = try await runs.failures(runId: run.id)
        events?.emit(
            "sync.failed", connectionId: run.connectionId,
            payload: ["runId": .string(run.id), "sync": .string(run.syncName), "error": error.json, "failures": .array(failures.map(\.json))])
        logger.info("sync run failed", metadata: ["sync.run": "\(run.id)", "error.code": "\(error.code)"])
        return .failed
    }

    /// `sync.cancelled`, once per run, by whichever call ended it: what the run had committed when it stopped, with the
    /// record failures kept so far (as `sync.completed` and `sync.failed` carry them).
    func emitCancelled(_ run: SyncRun) async {
        guard let events else { return }
        let failures: [SyncRecordFailure]
        do {
            failures = try await runs.failures(runId: run.id)
        } catch {
            failures = []
            logger.warning("could not read a cancelled run's record failures", metadata: ["sync.run": "\(run.id)", "error": "\(error)"])
        }
        events.emit(
            "sync.cancelled", connectionId: run.connectionId,
            payload: [
                "runId": .string(run.id), "sync": .string(run.syncName), "counts": run.counts.json, "failures": .array(failures.map(\.json)),
            ])
    }

    /// The parameters of the next page: pagination's and the incremental filter's.
    static func params(for sync: SyncDefinition, checkpoint: SyncCheckpoint) -> JSON {
        var p = JSONObject()
        switch sync.pagination {
        case .cursor(_, let param):
            if let c = checkpoint.cursor { p[param] = c }
        case .offset(let offsetParam, let limitParam, let pageSize):
            p[offsetParam] = .number(Double(checkpoint.offset))
            p[limitParam] = .number(Double(pageSize))
        case .page(let pageParam, let pageSize, let startPage, let pageSizeParam):
            p[pageParam] = .number(Double(checkpoint.page ?? startPage))
            if let pageSizeParam { p[pageSizeParam] = .number(Double(pageSize)) }
        case .nextURL, .linkHeader:
            if case .object(let o) = checkpoint.nextParams { for (k, v) in o { p[k] = v } }
        case .none:
            break
        }
        if let inc = sync.incremental, let since = checkpoint.since { p[inc.param] = since }
        return .object(p)
    }

    /// Moves the checkpoint past the page just received; true if it was the last page.
    ///
    /// Cursor, next-URL and Link-header pages end with a page that has no next pointer, or repeats the one that led
    /// to it; an empty page with a new one is not the end (an upstream filtering pages on its side may answer so).
    static func advance(_ c: inout SyncCheckpoint, sync: SyncDefinition, data: JSON, headers: [(name: String, value: String)] = [], received: Int) -> Bool {
        switch sync.pagination {
        case .cursor(let path, _):
            let next = JSONPath.value(at: path, in: data)
            switch next {
            case nil, .null?, .string("")?, .bool(false)?: return true
            case let v?:
                if v == c.cursor { return true }
                c.cursor = v
                return false
            }
        case .offset(_, _, let pageSize):
            c.offset += received
            return received < pageSize
        case .page(_, let pageSize, let startPage, _):
            c.page = (c.page ?? startPage) + 1
            return received < pageSize
        case .nextURL(let path):
            guard case .string(let url)? = JSONPath.value(at: path, in: data), !url.isEmpty else { return true }
            return Self.follow(url, &c)
        case .linkHeader:
            guard let url = LinkHeader.next(in: headers) else { return true }
            return Self.follow(url, &c)
        case .none:
            return true
        }
    }

    /// Takes the next page's parameters from `url`; true (the last page) if they are those of the page just received.
    static func follow(_ url: String, _ c: inout SyncCheckpoint) -> Bool {
        let next = Self.queryParameters(of: url)
        if next == c.nextParams { return true }
        c.nextParams = next
        return false
    }

    /// The query parameters of a URL as a JSON object of strings.
    static func queryParameters(of url: String) -> JSON {
        var o = JSONObject()
        guard let q = url.firstIndex(of: "?") else { return .object(o) }
        let query = url[url.index(after: q)...].split(separator: "#", maxSplits: 1).first ?? ""
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(String(parts[0]))
            o[key] = .string(parts.count > 1 ? Self.percentDecode(String(parts[1])) : "")
        }
        return .object(o)
    }

    static func percentDecode(_ s: String) -> String {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
