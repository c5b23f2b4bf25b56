import ArgumentParser
import NIOCore
import ReferenceMilter
import _MilterCommandLine

/// The daemon's options for hostile or broken peers and for its unix socket.
struct DaemonLimitOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Bytes of memory the data of one connection may take, 65536 to a quarter of the physical memory "
                + "(default: \(ConfiguredDefaults.server.memory.perConnection)).",
            discussion: """
                Counted in what the data costs in memory: envelope and ESMTP arguments, macros, header \
                fields (each with a per-item overhead), the body kept, commands queued behind the \
                classifier. Past it the transaction gets a tempfail (the body is cut instead, as by \
                --truncate). All connections together may take this times --max-connections, at most \
                a quarter of the physical memory.
                """))
    var memoryBudget: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds a new connection may take to send OPTNEG and CONNECT before it is closed, 0.001 to 3600 "
                + ConfiguredDefaults.seconds(ConfiguredDefaults.server.timeouts.handshake) + "."))
    var handshakeTimeout: SecondsArgument?

    @Option(
        help: ArgumentHelp(
            "The mode of a unix: socket, in octal (default: "
                + String(ConfiguredDefaults.server.unixSocket.mode, radix: 8) + ")."))
    var socketMode: String?

    @Option(help: "The user (name or number) to own a unix: socket (default: the program's, else the process's).")
    var socketOwner: String?

    @Option(help: "The group (name or number) of a unix: socket (default: the program's, else the process's).")
    var socketGroup: String?

    func validate() throws {
        try NumericOption.check(handshakeTimeout, "--handshake-timeout", in: 0.001...3_600)
    }

    /// Sets the memory budget, the handshake timeout and the unix socket's permissions given; those not given
    /// stay as configured.
    func apply(to configuration: inout ServerConfiguration) throws {
        if let memoryBudget {
            // All connections together take at most a quarter of the memory; one may not take more.
            let largest = max(65_536, MemoryBudget.physicalMemory / 4)
            guard (65_536...largest).contains(memoryBudget) else {
                throw CLIError.usage(
                    "--memory-budget must be from 65536 to \(largest) bytes (a quarter of the physical memory)")
            }
            configuration.memory.perConnection = memoryBudget
        }
        if let handshakeTimeout { configuration.timeouts.handshake = .fromSeconds(handshakeTimeout.seconds) }
        if let socketMode {
            guard let mode = UInt16(socketMode, radix: 8), mode <= 0o777 else {
                throw CLIError.usage("--socket-mode takes octal permission bits such as 660, not \(socketMode)")
            }
            configuration.unixSocket.mode = mode
        }
        if let socketOwner { configuration.unixSocket.owner = socketOwner }
        if let socketGroup { configuration.unixSocket.group = socketGroup }
    }
}
