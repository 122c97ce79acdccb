// `switchboard-bench BENCHMARK [options]`: benchmarks that print figures (never timed tests).
// Build in release: swift build -c release --product switchboard-bench
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: switchboard-bench json-schema|jsonata|resilience|sync [options]"
guard let name = arguments.first else {
    print(usage)
    exit(2)
}
do {
    switch name {
    case "json-schema": try JSONSchemaBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "jsonata": try JSONataBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "resilience": try ResilienceBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "sync": try await SyncBenchmark.run(arguments: Array(arguments.dropFirst()))
    default:
        print(usage)
        exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
