import JSONValue
import Testing

@testable import SwitchboardSync

@Suite struct LinkHeaderTests {
    @Test func findsTheNextLinkAmongSeveralWithQuotedCommasAndRelLists() {
        let headers = [
            (name: "Content-Type", value: "application/json"),
            (name: "link", value: #"<https://api.example.com/items?page=1>; rel="first", <https://api.example.com/items?page=3&q=a,b>; title="x, y"; rel="prefetch NEXT", <https://api.example.com/items?page=9>; rel=last"#),
        ]
        #expect(LinkHeader.next(in: headers) == "https://api.example.com/items?page=3&q=a,b")
        #expect(LinkHeader.target(rel: "last", in: headers) == "https://api.example.com/items?page=9")
        #expect(LinkHeader.target(rel: "prev", in: headers) == nil)
        #expect(LinkHeader.next(in: [(name: "Link", value: "garbage")]) == nil)
    }

    @Test func theNextURLsQueryBecomesTheNextPagesParameters() {
        var checkpoint = SyncCheckpoint()
        let sync = SyncDefinition(
            name: "s", entityType: "e", sourceMethod: "m", pagination: .linkHeader, recordsPath: nil, idField: "id", incremental: nil, mapping: nil,
            mappingSource: nil, schedule: nil, mode: .fullRefresh)
        let isLast = SyncEngine.advance(
            &checkpoint, sync: sync, data: [], headers: [(name: "Link", value: #"<http://h/r?after=250&limit=250&since=2026-01-01T00%3A00%3A00Z>; rel="next""#)],
            received: 250)
        #expect(!isLast)
        #expect(checkpoint.nextParams == ["after": "250", "limit": "250", "since": "2026-01-01T00:00:00Z"])
        #expect(SyncEngine.advance(&checkpoint, sync: sync, data: [], headers: [], received: 10))
    }
}
