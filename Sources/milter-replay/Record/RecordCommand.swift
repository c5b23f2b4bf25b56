import ArgumentParser
import MilterClient
import MilterReplayKit
import _MilterSystem

/// `milter-replay record --listen ADDR --upstream ADDR --write FILE.pcapng`: a transparent proxy
/// that records every milter connection through it as pcapng, without root or tcpdump.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Proxy MTA-to-milter connections and record them as a pcapng capture.",
        discussion: """
            Point the MTA at --listen instead of the milter. Every connection is relayed unchanged to \
            --upstream and written to --write as TCP/IP packets on a loopback link (Wireshark, tshark and \
            `milter-replay --pcap` read it). The file is written as traffic flows; SIGINT or SIGTERM closes \
            the open connections and the file, then exits 0 (2 if the file could not be written, or on a \
            usage error). Seconds are written in decimal digits (30, 0.5): 0x10 or 1e3 is a usage error.
            """)

    @Option(
        help: ArgumentHelp("Where the MTA connects: HOST:PORT (port 0 picks one), unix:/path.", valueName: "address"))
    var listen: String

    @Option(help: ArgumentHelp("The milter: HOST:PORT, [::1]:PORT, inet:PORT@HOST, unix:/path.", valueName: "address"))
    var upstream: String

    @Option(
        help: ArgumentHelp("The pcapng file to write (replaced if it exists).", valueName: "file"),
        completion: .file(extensions: ["pcapng"]))
    var write: String

    @Option(
        parsing: .unconditional, help: "Seconds to wait for the milter to accept a connection, 0.001 to 86400.")
    var connectTimeout: SecondsArgument = 10

    @Option(
        parsing: .unconditional, help: "Seconds without traffic after which a connection is closed, 0.001 to 86400.")
    var idleTimeout: SecondsArgument = 600

    @Option(
        parsing: .unconditional,
        help: """
            Connections proxied at once, 1 to 100000 (default 1000, or as many as the file descriptor limit \
            holds, two each, when that is fewer); more are refused. A number the limit cannot hold is an error.
            """)
    var maxConnections: Int?  // Optional: the default depends on the descriptor limit, and the help says so.

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Bytes of capture waiting for the disk at most, \(Recording.maximumQueuedBytesRange.lowerBound) to "
                + "\(Recording.maximumQueuedBytesRange.upperBound); past it new blocks are dropped, not recorded.",
            discussion: """
                The file is written by a thread of its own, so that a slow disk delays the capture, not the \
                mail. What it has not written yet waits in memory, up to this; when the disk falls further \
                behind, blocks are dropped (counted, said on standard error and in the summary) until it \
                catches up.
                """))
    var maxQueuedBytes: Int = Recording.defaultMaximumQueuedBytes

    func validate() throws {
        // The same address on both sides relays each connection to the proxy itself, until --max-connections.
        guard try listenAddress() != upstreamAddress() else {
            throw ValidationError("--listen and --upstream are the same address: the proxy would relay to itself")
        }
        try NumericOption.check(connectTimeout, "--connect-timeout", in: NumericOption.timeoutSeconds)
        try NumericOption.check(idleTimeout, "--idle-timeout", in: NumericOption.timeoutSeconds)
        try NumericOption.check(maxConnections, "--max-connections", in: 1...100_000)
        try NumericOption.check(maxQueuedBytes, "--max-queued-bytes", in: Recording.maximumQueuedBytesRange)
    }

    func run() async throws {
        // Each connection takes two descriptors: the soft limit goes up to the hard one, as the daemon's does.
        let descriptors = DescriptorHeadroom.raiseSoftToHard()
        let maximumConnections = try RecordDescriptors.connections(asked: maxConnections, descriptors: descriptors)
        let recording = Recording(
            listen: try listenAddress(), listenText: listen, upstream: try upstreamAddress(), path: write,
            connectTimeout: connectTimeout.seconds, idleTimeout: idleTimeout.seconds,
            maximumConnections: maximumConnections,
            maximumQueuedBytes: maxQueuedBytes)
        let status = try await recording.run()
        if status != ExitCodes.success { throw ExitCode(status) }
    }

    private func upstreamAddress() throws -> MilterAddress {
        do { return try MilterAddress(parsing: upstream) } catch { throw ValidationError(error.description) }
    }

    /// The listening address; port 0 (which a milter address may not have) asks the system for a free port.
    private func listenAddress() throws -> MilterAddress {
        for suffix in [":0", "]:0"] where listen.hasSuffix(suffix) && !listen.hasPrefix("unix:") {
            let probe = String(listen.dropLast(1)) + "1"
            do {
                if case .inet(let host, _) = try MilterAddress(parsing: probe) { return .inet(host: host, port: 0) }
            } catch { throw ValidationError(error.description) }
        }
        do { return try MilterAddress(parsing: listen) } catch { throw ValidationError(error.description) }
    }
}
