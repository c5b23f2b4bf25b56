import ArgumentParser
import Logging
import NIOCore
import ReferenceMilter
import ServiceLifecycle

/// `daemon [ADDRESS] [options]`: serve until SIGINT or SIGTERM, then drain and exit 0.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve MTAs until SIGINT or SIGTERM.",
        discussion: """
            ADDRESS is HOST:PORT, [IPV6]:PORT, unix:/path (mode 0660) or fd:N; the default is \
            127.0.0.1:7044. A socket passed in MILTER_LISTEN_FD, or by systemd socket activation \
            (LISTEN_FDS and LISTEN_PID), takes precedence.
            """)

    @Argument(help: "Where to listen.")
    var address: String?

    @OptionGroup var classification: ClassificationOptions

    @Option(help: "How many messages may be classified at once, each on its own thread.")
    var threads = 1

    @Option(help: "Event loop threads (default: one per core).")
    var eventLoops: Int?

    @Option(help: "Connections served at once; one more gets a tempfail and is closed.")
    var maxConnections = 1_024

    @Option(help: "Seconds the MTA may stay silent between messages.")
    var idleTimeout = 900.0

    @Option(help: "Seconds the MTA may stay silent inside a message.")
    var readTimeout = 300.0

    @Option(help: "Seconds a graceful shutdown waits for open connections.")
    var drainTimeout = 10.0

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() async throws {
        let milter = CLIContext.configuration
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CLIError.usage("unknown log level \(logLevel)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: milter.name)
        let server = MilterServer(
            classifier: try classification.classifier(), configuration: try serverConfiguration(milter.server),
            logger: logger)
        let group = ServiceGroup(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }

    private func serverConfiguration(_ defaults: ServerConfiguration) throws -> ServerConfiguration {
        var configuration = defaults
        if let inherited = InheritedSocket.fromEnvironment() {
            configuration.address = inherited
        } else if let address {
            guard let parsed = ListenAddress(parsing: address) else { throw CLIError.usage("bad address \(address)") }
            configuration.address = parsed
        }
        configuration.threads = max(1, threads)
        if let eventLoops { configuration.eventLoopThreads = max(1, eventLoops) }
        configuration.maximumConnections = max(1, maxConnections)
        configuration.timeouts = ConnectionTimeouts(idle: .fromSeconds(idleTimeout), read: .fromSeconds(readTimeout))
        configuration.drainTimeout = .fromSeconds(drainTimeout)
        configuration.classifierTimeout = .fromSeconds(classification.classifierTimeout)
        configuration.protocolOptions = try classification.protocolOptions()
        return configuration
    }
}
