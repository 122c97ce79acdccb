extension Library {
    /// Number and date/time formatting functions, implemented by `JSONataFormatting`.
    static let formattingFunctions: [Builtin] = [
        builtin("formatNumber", "<n-so?:s>", 3) { _, args, _ throws(JSONataError) in
            guard let n = num(args, 0) else { return nil }
            return .string(try JSONataFormatting.formatNumber(n, picture: str(args, 1) ?? "", options: arg(args, 2)?.toJSON()))
        },
        builtin("formatBase", "<n-n?:s>", 2) { _, args, _ throws(JSONataError) in
            guard let n = num(args, 0) else { return nil }
            return .string(try JSONataFormatting.formatBase(n, radix: num(args, 1)))
        },
        builtin("formatInteger", "<n-s:s>", 2) { _, args, _ throws(JSONataError) in
            guard let n = num(args, 0) else { return nil }
            return .string(try JSONataFormatting.formatInteger(n, picture: str(args, 1) ?? ""))
        },
        builtin("parseInteger", "<s-s:n>", 2) { _, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            return try JSONataFormatting.parseInteger(s, picture: str(args, 1) ?? "").map { .number($0) }
        },
        builtin("fromMillis", "<n-s?s?:s>", 3) { _, args, _ throws(JSONataError) in
            guard let n = num(args, 0) else { return nil }
            return .string(try JSONataFormatting.fromMillis(n, picture: str(args, 1), timezone: str(args, 2)))
        },
        builtin("toMillis", "<s-s?:n>", 2) { ev, args, _ throws(JSONataError) in
            guard let s = str(args, 0) else { return nil }
            return try JSONataFormatting.toMillis(s, picture: str(args, 1), now: ev.timestampMillis).map { .number($0) }
        },
        builtin("now", "<s?s?:s>", 2) { ev, args, _ throws(JSONataError) in
            .string(try JSONataFormatting.fromMillis(ev.timestampMillis, picture: str(args, 0), timezone: str(args, 1)))
        },
    ]
}
