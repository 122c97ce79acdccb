import JSONValue
import SwitchboardCore
import Testing

@testable import SwitchboardSync

@Suite struct SyncDefinitionTests {
    func decode(_ syncs: JSON, methods: [String] = ["contacts.list"]) -> ([SyncDefinition], [String]) {
        let (s, p) = SyncDefinition.decodeAll(syncs, methods: methods)
        return (s, p.map(\.description))
    }

    @Test func decodesEveryPaginationStyle() throws {
        let styles: [(JSON, SyncPagination)] = [
            (["type": "cursor", "cursorPath": "meta.next", "cursorParam": "after"], .cursor(cursorPath: "meta.next", cursorParam: "after")),
            (["type": "offset", "offsetParam": "skip", "limitParam": "take", "pageSize": 500], .offset(offsetParam: "skip", limitParam: "take", pageSize: 500)),
            (["type": "offset"], .offset(offsetParam: "offset", limitParam: "limit", pageSize: 100)),
            (["type": "page", "pageParam": "p", "pageSize": 50, "startPage": 0], .page(pageParam: "p", pageSize: 50, startPage: 0, pageSizeParam: nil)),
            (["type": "link_header"], .linkHeader),
            (["type": "next_url", "nextUrlPath": "links.next"], .nextURL(nextUrlPath: "links.next")),
        ]
        for (json, expected) in styles {
            let (syncs, problems) = decode([["name": "contacts", "entityType": "contact", "sourceMethod": "contacts.list", "pagination": json]])
            #expect(problems == [])
            #expect(syncs.first?.pagination == expected)
        }
    }

    @Test func decodesAFullSync() throws {
        let (syncs, problems) = decode([
            [
                "name": "contacts", "entityType": "contact", "sourceMethod": "contacts.list",
                "pagination": ["type": "cursor", "cursorPath": "meta.next", "cursorParam": "after"],
                "recordsPath": "data", "idField": "id",
                "incremental": ["cursorField": "updated_at", "param": "updated_since"],
                "mapping": "{'id': id, 'email': $lowercase(email)}",
                "schedule": ["cron": "*/5 * * * *"], "mode": "incremental",
            ],
            ["name": "contacts-hourly", "entityType": "contact", "sourceMethod": "contacts.list", "schedule": ["intervalSeconds": 3600]],
        ])
        #expect(problems == [])
        let s = try #require(syncs.first)
        #expect(s.mode == .incremental)
        #expect(s.incremental == SyncIncremental(cursorField: "updated_at", param: "updated_since"))
        #expect(s.schedule == .cron(try CronExpression(parsing: "*/5 * * * *")))
        #expect(s.records(in: ["data": [["id": 1]]]) == [["id": 1]])
        let mapped = try s.mapping?.evaluate(input: ["id": 7, "email": "A@B.C"])
        #expect(mapped == ["id": 7, "email": "a@b.c"])
        #expect(syncs[1].mode == .fullRefresh)
        #expect(syncs[1].schedule == .interval(seconds: 3600))
        #expect(syncs[1].idField == "id")
    }

    @Test func listsEveryProblemWithItsPath() {
        let (_, problems) = decode([
            [
                "name": "c", "entityType": "contact", "sourceMethod": "nope",
                "pagination": ["type": "cursor", "cursorParam": "after"],
                "mapping": "{", "schedule": ["cron": "* * *"], "mode": "incremental", "colour": "red",
            ],
            ["name": "c", "entityType": "contact", "sourceMethod": "contacts.list", "pagination": ["type": "scroll"]],
            ["entityType": "x", "sourceMethod": "contacts.list", "schedule": ["intervalSeconds": 10, "cron": "* * * * *"]],
        ])
        #expect(problems.contains("/syncs/0/sourceMethod: 'nope' is not a method of this definition"))
        #expect(problems.contains("/syncs/0/pagination/cursorPath: is required"))
        #expect(problems.contains { $0.hasPrefix("/syncs/0/mapping: is not a valid JSONata expression") })
        #expect(problems.contains { $0.hasPrefix("/syncs/0/schedule/cron: must have 5 fields") })
        #expect(problems.contains("/syncs/0/incremental: is required when mode is incremental"))
        #expect(problems.contains("/syncs/0/colour: is not a known field"))
        #expect(problems.contains { $0.hasPrefix("/syncs/1/pagination/type: 'scroll' is not one of") })
        #expect(problems.contains("/syncs/2/name: is required"))
        #expect(problems.contains("/syncs/2/schedule: takes either intervalSeconds or cron, not both"))
    }

    @Test func duplicateNamesAndNonArraysAreRefused() {
        let sync: JSON = ["name": "a", "entityType": "x", "sourceMethod": "contacts.list"]
        #expect(decode([sync, sync]).1 == ["/syncs/1/name: 'a' is already the name of another sync"])
        #expect(decode(["a": 1]).1 == ["/syncs: must be an array, not object"])
    }

    @Test func aDefinitionWithoutSyncsHasNoProblems() {
        #expect(SyncDefinition.decodeAll(nil).problems.isEmpty)
    }
}
