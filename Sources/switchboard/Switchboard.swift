import ArgumentParser

@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Switchboard: one server for all your integrations.",
        subcommands: [Serve.self, Definitions.self, Call.self, SyncCommand.self, Records.self, Schema.self, Conformance.self, Vault.self, Transform.self]
    )
}
