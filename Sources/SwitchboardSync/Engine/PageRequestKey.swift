import Crypto
import JSONValue

/// What a page's request asked, as 128 bits: a run keeps one per page it fetched (up to `maxPages` of them), to find
/// a request it already made (`SYNC_PAGE_REPEATED`).
///
/// Taken from the request's signature when the source tells it (`SyncPageResult.request`), else from the canonical
/// text of the parameters the sync sent; the two never compare equal. 128 bits of SHA-256: two different requests
/// sharing a key within one run is not a thing to plan for.
struct PageRequestKey: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(signature: String?, params: JSON) {
        var hasher = SHA256()
        if let signature {
            hasher.update(data: Array("request\u{0}".utf8))
            hasher.update(data: Array(signature.utf8))
        } else {
            hasher.update(data: Array("params\u{0}".utf8))
            hasher.update(data: params.serializedBytes(.canonical))
        }
        let bytes = Array(hasher.finalize())
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
