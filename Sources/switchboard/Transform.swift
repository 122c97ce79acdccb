import ArgumentParser
import JSONValue
import JSONata
import SwitchboardCore
import SwitchboardTransform

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `switchboard transform EXPR`: evaluates a JSONata expression locally, one result line per input line.
struct Transform: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a JSONata expression on JSON Lines (stdin) or a file, locally (no server needed).",
        discussion: """
            Each input line is one JSON document and gives one output line: the result, compact (an empty line when \
            the result is undefined). A line that fails is reported on stderr with its line number and gives no output \
            line; the exit status is 1 if any line failed. --input FILE reads one JSON document, or JSON Lines.
            """)

    @Argument(help: "The JSONata expression.") var expression: String
    @Option(help: "Read this file (one JSON document, or JSON Lines) instead of stdin.") var input: String?
    @Option(help: "Variables as a JSON object: '{\"rate\": 1.2}' binds $rate.") var bindings: String?
    @Option(help: "The largest result, in bytes of JSON text (default 64 MiB; 0 for no limit); a larger one fails with U1002.")
    var maxResultSize: Int?

    func run() throws {
        var limits = EvaluationLimits.default
        if let maxResultSize { limits.maxResultSize = maxResultSize > 0 ? maxResultSize : nil }
        let evaluator = TransformEvaluator(limits: limits)
        let compiled: JSONataExpression
        do { compiled = try evaluator.cache.expression(expression) } catch {
            printError("expression: \(error.message)")
            throw ExitCode(2)
        }
        var vars: [String: JSON] = [:]
        if let bindings {
            guard case .object(let o)? = try? JSON(parsing: bindings) else {
                printError("--bindings must be a JSON object")
                throw ExitCode(2)
            }
            for (k, v) in o { vars[k.hasPrefix("$") ? String(k.dropFirst()) : k] = v }
        }
        var failed = 0
        var out: [UInt8] = []
        func emit(_ line: Int, _ text: Substring) {
            guard text.contains(where: { !$0.isWhitespace }) else { return }
            do {
                let doc = try JSON(parsing: String(text))
                if let result = try evaluator.run(compiled, input: doc, bindings: vars) { result.serialize(into: &out) }
                out.append(0x0A)
            } catch let e as SwitchboardError {
                failed += 1
                printError("line \(line): \(e.message)")
            } catch {
                failed += 1
                printError("line \(line): not JSON: \(error)")
            }
            if out.count > 1 << 16 { flush(&out) }
        }
        if let input {
            guard let file = fopen(input, "rb") else {
                printError("cannot open \(input)")
                throw ExitCode(2)
            }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&buffer, 1, buffer.count, file)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            fclose(file)
            let text = String(decoding: bytes, as: UTF8.self)
            if let whole = try? JSON(parsing: bytes) {
                do {
                    if let result = try evaluator.run(compiled, input: whole, bindings: vars) { result.serialize(into: &out) }
                    out.append(0x0A)
                } catch {
                    failed += 1
                    printError("\(input): \(error.message)")
                }
            } else {
                for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() { emit(i + 1, line) }
            }
        } else {
            var number = 0
            while let line = readLine(strippingNewline: true) {
                number += 1
                emit(number, Substring(line))
            }
        }
        flush(&out)
        if failed > 0 { throw ExitCode(1) }
    }

    private func flush(_ out: inout [UInt8]) {
        guard !out.isEmpty else { return }
        Self.writeAll(1, out)
        out.removeAll(keepingCapacity: true)
    }

    private func printError(_ message: String) {
        Self.writeAll(2, Array("switchboard transform: \(message)\n".utf8))
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
