import NIOCore
import ReferenceMilter

extension MilterCommandLine {
    /// The server configuration `daemon` serves with for `arguments` (after `daemon`), in a binary whose
    /// ``MilterConfiguration/server`` is `server`: an option not given leaves the program's value.
    package static func daemonServerConfiguration(
        arguments: [String], server: ServerConfiguration
    ) throws -> ServerConfiguration {
        try DaemonCommand.parse(arguments).serverConfiguration(server)
    }

    /// The protocol options, classifier timeout and memory budget `test` runs with for `arguments` (after
    /// `test`), in a binary whose ``MilterConfiguration/server`` is `server`.
    package static func testSettings(
        arguments: [String], server: ServerConfiguration
    ) throws -> (options: ProtocolOptions, classifierTimeout: TimeAmount, memory: MemoryBudget) {
        try TestCommand.parse(arguments).settings(server)
    }
}
