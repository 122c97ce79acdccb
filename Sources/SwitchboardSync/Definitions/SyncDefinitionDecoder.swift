import JSONValue
import JSONata
import SwitchboardCore

extension SyncDefinition {
    /// Decodes a definition's `syncs` array, reporting every problem with its path (`/syncs/0/pagination/type`).
    public static func decodeAll(_ syncs: JSON?, methods: [String]? = nil) -> (syncs: [SyncDefinition], problems: [Problem]) {
        guard let syncs else { return ([], []) }
        guard case .array(let items) = syncs else {
            return ([], [Problem(path: "/syncs", message: "must be an array, not \(syncs.typeName)")])
        }
        var out: [SyncDefinition] = []
        var problems: [Problem] = []
        var names: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = "/syncs/\(i)"
            let (sync, p) = decode(item, path: path, methods: methods)
            problems += p
            if let sync {
                if !names.insert(sync.name).inserted {
                    problems.append(Problem(path: path + "/name", message: "'\(sync.name)' is already the name of another sync"))
                } else {
                    out.append(sync)
                }
            }
        }
        return (problems.isEmpty ? out : [], problems)
    }

    /// The problems of a definition's syncs (the registry's validation hook).
    public static func problems(in definition: IntegrationDefinition) -> [Problem] {
        decodeAll(definition.syncs, methods: definition.methods.map(\.name)).problems
    }

    /// The syncs of a stored (already validated) definition.
    public static func syncs(of definition: IntegrationDefinition) -> [SyncDefinition] {
        decodeAll(definition.syncs).syncs
    }

    /// Decodes one sync object; `methods`, when given, are the names `sourceMethod` must be one of.
    public static func decode(_ json: JSON, path: String, methods: [String]? = nil) -> (SyncDefinition?, [Problem]) {
        var r = FieldReader(json, path: path)
        let name = r.string("name", required: true, maxLength: 100)
        if let name, !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) {
            r.report("name", "may hold only letters, digits, '_', '-' and '.'")
        }
        let entityType = r.string("entityType", required: true, maxLength: 100)
        let sourceMethod = r.string("sourceMethod", required: true, maxLength: 200)
        if let sourceMethod, let methods, !methods.contains(sourceMethod) {
            r.report("sourceMethod", "'\(sourceMethod)' is not a method of this definition")
        }
        let recordsPath = r.string("recordsPath")
        if let recordsPath, !JSONPath.isWellFormed(recordsPath) { r.report("recordsPath", "must be a dotted path like 'data.items'") }
        let idField = r.string("idField") ?? "id"
        if !JSONPath.isWellFormed(idField) { r.report("idField", "must be a dotted path like 'id'") }
        let mode = r.enumeration("mode", Mode.self) ?? .fullRefresh

        var pagination = SyncPagination.none
        if let p = r.raw("pagination") {
            var problems: [Problem] = []
            pagination = decodePagination(p, path: r.child("pagination"), problems: &problems) ?? .none
            r.absorb(problems)
        }

        var incremental: SyncIncremental?
        if let inc = r.raw("incremental") {
            var ir = FieldReader(inc, path: r.child("incremental"))
            let field = ir.string("cursorField", required: true)
            let param = ir.string("param", required: true)
            if let field, !JSONPath.isWellFormed(field) { ir.report("cursorField", "must be a dotted path like 'updated_at'") }
            ir.rejectUnknown()
            r.absorb(ir.problems)
            if let field, let param { incremental = SyncIncremental(cursorField: field, param: param) }
        }
        if mode == .incremental && incremental == nil && r.object["incremental"] == nil {
            r.report("incremental", "is required when mode is incremental")
        }

        var mapping: JSONataExpression?
        let mappingSource = r.string("mapping", maxLength: 100_000)
        if let mappingSource {
            do { mapping = try JSONataExpression(compiling: mappingSource) } catch {
                r.report("mapping", "is not a valid JSONata expression: \(error)")
            }
        }

        var schedule: SyncSchedule?
        if let s = r.raw("schedule") {
            var sr = FieldReader(s, path: r.child("schedule"))
            let interval = sr.integer("intervalSeconds", range: 1...31_536_000)
            let cronText = sr.string("cron")
            sr.rejectUnknown()
            switch (interval, cronText) {
            case (let i?, nil): schedule = .interval(seconds: i)
            case (nil, let c?):
                do { schedule = .cron(try CronExpression(parsing: c)) } catch { sr.report("cron", error.message) }
            case (.some, .some): sr.report(nil, "takes either intervalSeconds or cron, not both")
            case (nil, nil): if sr.problems.isEmpty { sr.report(nil, "needs intervalSeconds or cron") }
            }
            r.absorb(sr.problems)
        }
        r.rejectUnknown()

        guard r.problems.isEmpty, let name, let entityType, let sourceMethod else { return (nil, r.problems) }
        return (
            SyncDefinition(
                name: name, entityType: entityType, sourceMethod: sourceMethod, pagination: pagination, recordsPath: recordsPath,
                idField: idField, incremental: incremental, mapping: mapping, mappingSource: mappingSource, schedule: schedule, mode: mode),
            []
        )
    }

    static func decodePagination(_ json: JSON, path: String, problems: inout [Problem]) -> SyncPagination? {
        var r = FieldReader(json, path: path)
        defer { problems += r.problems }
        let types = ["cursor", "offset", "page", "link_header", "next_url", "none"]
        guard let type = r.string("type", required: true) else { return nil }
        func dotted(_ key: String) -> String? {
            guard let v = r.string(key, required: true) else { return nil }
            if !JSONPath.isWellFormed(v) { r.report(key, "must be a dotted path like 'meta.next'") }
            return v
        }
        var result: SyncPagination?
        switch type {
        case "cursor":
            let cursorPath = dotted("cursorPath")
            let cursorParam = r.string("cursorParam", required: true)
            if let cursorPath, let cursorParam { result = .cursor(cursorPath: cursorPath, cursorParam: cursorParam) }
        case "offset":
            let offsetParam = r.string("offsetParam") ?? "offset"
            let limitParam = r.string("limitParam") ?? "limit"
            let pageSize = r.integer("pageSize", range: 1...100_000) ?? 100
            result = .offset(offsetParam: offsetParam, limitParam: limitParam, pageSize: pageSize)
        case "page":
            let pageParam = r.string("pageParam") ?? "page"
            let pageSize = r.integer("pageSize", range: 1...100_000) ?? 100
            let startPage = r.integer("startPage", range: 0...1_000_000) ?? 1
            let pageSizeParam = r.string("pageSizeParam")
            result = .page(pageParam: pageParam, pageSize: pageSize, startPage: startPage, pageSizeParam: pageSizeParam)
        case "link_header":
            result = .linkHeader
        case "next_url":
            if let p = dotted("nextUrlPath") { result = .nextURL(nextUrlPath: p) }
        case "none":
            result = SyncPagination.none
        default:
            r.report("type", "'\(type)' is not one of \(types.joined(separator: ", "))")
        }
        r.rejectUnknown()
        return r.problems.isEmpty ? result : nil
    }
}
