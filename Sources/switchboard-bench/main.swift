// `switchboard-bench BENCHMARK [options]`: benchmarks that print figures (never timed tests).
// Build in release: swift build -c release --product switchboard-bench
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: switchboard-bench json-schema|jsonata|resilience|sync|proxy [options]"
guard let name = arguments.first else {
    print(usage)
    exit(2)
}
// The proxy ceilings run their tasks on NIO's event loops, as the switchboard server does.
if name == "proxy" { _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() }
do {
    switch name {
    case "json-schema": try JSONSchemaBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "jsonata": try JSONataBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "resilience": try ResilienceBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "sync": try await SyncBenchmark.run(arguments: Array(arguments.dropFirst()))
    case "proxy": try await ProxyCeiling.run(arguments: Array(arguments.dropFirst()))
    default:
        print(usage)
        exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
