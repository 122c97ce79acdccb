import ArgumentParser
import Logging
import NIOCore
import NIOPosix

/// The entry point: makes NIO's event loops Swift concurrency's global executor, sets up logging to standard error, then
/// runs the command line.
///
/// With the event loops as the global executor, a request's tasks run on the event-loop threads that do its socket I/O
/// (Hummingbird's server channels and AsyncHTTPClient's upstream connections share `MultiThreadedEventLoopGroup.singleton`),
/// instead of hopping to the cooperative pool's threads and back for every read, write and continuation. It has to be
/// installed before any other async work starts. Nothing may block an event loop for long: SQLite runs on its own thread
/// pool; the vault's key files (read at start-up, written on key rotation) are small.
@main
enum SwitchboardMain {
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        LoggingSystem.bootstrap(DeferredMetadataLogHandler.init)
        await Switchboard.main()
    }
}

struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Switchboard: one server for all your integrations.",
        subcommands: [Serve.self, Definitions.self, Call.self, SyncCommand.self, Records.self, Schema.self, Conformance.self, Vault.self, Transform.self]
    )
}
