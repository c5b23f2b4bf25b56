import ArgumentParser
import Logging
import NIOCore
import ReferenceMilter
import ServiceLifecycle
import UnixSignals
import _MilterCommandLine

/// `daemon [ADDRESS] [options]`: serve until SIGINT or SIGTERM, then drain and exit 0; SIGHUP
/// re-reads the `--config` file of a milter that takes one.
struct DaemonCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "daemon", abstract: "Serve MTAs until SIGINT or SIGTERM.",
            discussion: discussion
                + (CLIContext.configuration.takesConfigurationFile
                    ? " SIGHUP re-reads the --config file; a file with errors is logged and the running rules stay."
                    : ""))
    }

    private static let discussion = """
        ADDRESS is HOST:PORT, [IPV6]:PORT, inet:PORT@HOST, inet6:PORT@HOST, unix:/path or local:/path \
        (mode --socket-mode), fd:N or a bare port, the same spellings as milter-replay's --target; the \
        default is 127.0.0.1:7044. A socket passed in MILTER_LISTEN_FD, or by systemd socket activation \
        (LISTEN_FDS=1 and LISTEN_PID), takes precedence: an ADDRESS given too is still checked, then logged \
        as not used (a warning), so that one command line serves with and without the socket unit. Once \
        accepting, the daemon writes one byte to the descriptor named by MILTER_READY_FD (one not open for \
        writing is a start-up error) and sends READY=1 to NOTIFY_SOCKET. Seconds are written in decimal \
        digits (30, 0.5); 0x10 or 1e3 is a usage error.
        """

    @Argument(help: "Where to listen (default: 127.0.0.1:7044).")
    var address: String?

    @OptionGroup var classification: ClassificationOptions

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "How many messages may be classified at once, each on its own thread, 1 to 256 "
                + "(default: \(ConfiguredDefaults.server.threads))."))
    var threads: Int?

    @Option(
        parsing: .unconditional,
        help: "Event loop threads, 1 to 256 (default: the program's, else one per core).")
    var eventLoops: Int?

    @Option(
        parsing: .unconditional,
        help: """
            Connections served at once, 1 to 100000; one more closes the oldest connection that has \
            not sent OPTNEG and takes its slot, or, when every connection has, gets a tempfail and is \
            closed (default: the program's, else the descriptor limit, raised to its hard limit, less 64, at \
            most 10000).
            """)
    var maxConnections: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds the MTA may stay silent between messages, 0.001 to 86400 "
                + ConfiguredDefaults.seconds(ConfiguredDefaults.server.timeouts.idle) + "."))
    var idleTimeout: SecondsArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds the MTA may stay silent between commands inside a message, 0.001 to 86400 "
                + ConfiguredDefaults.seconds(ConfiguredDefaults.server.timeouts.read) + "."))
    var readTimeout: SecondsArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds a frame may take to arrive once its first byte has, 0.001 to 86400: a peer "
                + "trickling bytes is closed (MTAs write each frame at once; the other timeouts count whole "
                + "commands) " + ConfiguredDefaults.seconds(ConfiguredDefaults.server.timeouts.frame) + "."))
    var frameTimeout: SecondsArgument?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds a graceful shutdown waits for open connections, 0 to 86400 (0 closes them at once) "
                + ConfiguredDefaults.seconds(ConfiguredDefaults.server.drainTimeout) + "."))
    var drainTimeout: SecondsArgument?

    @Option(
        help: ArgumentHelp(
            """
            Serve Prometheus metrics at http://ADDRESS/metrics (HOST:PORT or [IPV6]:PORT; off by default). \
            A port in use is a start-up error (exit 2), except for a daemon handed its socket by reload-proxy \
            (MILTER_LISTEN_FD): the daemon it replaces holds the port until the proxy retires it (SIGINT, once \
            this one is ready), so the milter is served and the port retried every 0.2 s, for up to \
            --metrics-wait seconds, then exit 2.
            """,
            valueName: "address"))
    var metrics: String?

    @Option(
        parsing: .unconditional,
        help: """
            Seconds a daemon handed its socket by reload-proxy retries a --metrics port in use, 0.001 to \
            86400 (default 60: reload-proxy's default --ready-timeout plus --stop-timeout, the longest the \
            daemon it replaces holds the port before it is killed).
            """)
    var metricsWait: SecondsArgument?  // Optional, so that the help states the default once, with its reason.

    @Option(
        parsing: .unconditional,
        help: """
            Seconds a --metrics connection may stay open, request and response together, 0.001 to 86400 \
            (default 10, Prometheus' default scrape_timeout): a request not complete by then is answered \
            408, a client that does not read its response is closed.
            """)
    var metricsTimeout: SecondsArgument?  // Optional: the help states the default, with its reason.

    @Option(
        parsing: .unconditional,
        help: """
            --metrics connections open at once, 1 to 1000 (default 16, within the 64 descriptors the daemon \
            keeps beside the MTA connections'); more are answered 503 and closed.
            """)
    var metricsMaxConnections: Int?  // Optional: the help states the default, with its reason.

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var limits: DaemonLimitOptions

    func validate() throws {
        try NumericOption.check(threads, "--threads", in: NumericOption.threads)
        try NumericOption.check(eventLoops, "--event-loops", in: NumericOption.threads)
        try NumericOption.check(maxConnections, "--max-connections", in: 1...100_000)
        try NumericOption.check(metricsMaxConnections, "--metrics-max-connections", in: 1...1000)
        for (value, name) in [
            (idleTimeout, "--idle-timeout"), (readTimeout, "--read-timeout"), (frameTimeout, "--frame-timeout"),
            (metricsWait, "--metrics-wait"), (metricsTimeout, "--metrics-timeout"),
        ] {
            try NumericOption.check(value, name, in: NumericOption.timeoutSeconds)
        }
        try NumericOption.check(drainTimeout, "--drain-timeout", in: 0...86_400)
        if metrics == nil {
            let given = [
                ("--metrics-wait", metricsWait != nil), ("--metrics-timeout", metricsTimeout != nil),
                ("--metrics-max-connections", metricsMaxConnections != nil),
            ]
            if let (name, _) = given.first(where: \.1) {
                throw ValidationError("\(name) applies to the --metrics listener; give --metrics ADDRESS too")
            }
        }
    }

    func run() async throws {
        let milter = CLIContext.configuration
        let logger = try logging.bootstrap(label: milter.name)
        do {
            try await serve(milter, logger: logger)
        } catch let error where logging.writesJSON && !(error is ExitCode) {
            // A fatal error (a port in use, a rules file with an error) is a JSON line like the others, as
            // reload-proxy's are, for a reader that parses each line; plain text otherwise.
            logger.critical("\(error)")
            throw ExitCode(2)
        }
    }

    /// Starts the milter and serves until stopped; a start-up error is thrown, most of them a ``CLIError``.
    private func serve(_ milter: MilterConfiguration, logger: Logger) async throws {
        // The default connection limit before raising: a program's server that kept it gets the raised one.
        let unraisedConnectionLimit = DescriptorLimit.connectionLimit()
        DescriptorLimit.raiseSoftToHard()
        // Read before the server configuration takes the variable from the environment.
        let handedOver = InheritedSocket.isHandedOver
        // A MILTER_READY_FD that cannot be written is a start-up error, as a bad MILTER_LISTEN_FD is.
        let readyDescriptor: Int32?
        do { readyDescriptor = try ReadinessPipe.takeFromEnvironment() } catch { throw CLIError.usage("\(error)") }
        let configuration = try serverConfiguration(
            milter.server, unraisedConnectionLimit: unraisedConnectionLimit, warn: { logger.warning("\($0)") })
        // The server's event loops, and those of the metrics endpoint (SwiftNIO's shared group, one per core):
        // SwiftNIO ends the process when a loop cannot get its descriptors.
        let eventLoops = configuration.eventLoopThreads + (metrics == nil ? 0 : System.coreCount)
        if let shortfall = DescriptorLimit.eventLoopShortfall(eventLoops) { throw CLIError.usage(shortfall) }
        // Before the metrics listener: a rules file with an error ends the daemon before anything is bound or
        // said to be served (a daemon replacing another said it waited for the metrics address, the milter
        // "served meanwhile", then exited 2). The DNSBL counters take the metrics factory when they count.
        let loaded = try classification.classifier()
        logger.warnOfLoaded(loaded, from: classification.config ?? "the built-in rules")
        // Before the server is made: its counters come from the bootstrapped factory.
        let endpoint = try await metricsEndpoint(
            logger: logger, waitingForPort: handedOver ? .seconds(metricsWait?.seconds ?? 60) : nil)
        let classifier = ReloadableClassifier(loaded)
        let reloader = RulesReloader(
            classifier: classifier, path: classification.config, signals: await UnixSignalsSequence(trapping: .sighup),
            load: { try milter.classifier(configPath: $0) }, logger: logger)
        let stop = StopSignals(signals: await UnixSignalsSequence(trapping: .sigterm, .sigint), logger: logger)
        // With SIGTERM trapped: a SIGTERM when reload-proxy dies (even by SIGKILL) drains and stops the daemon.
        switch ProxyParent.follow() {
        case .notUnderProxy, .following: break
        case .proxyGone(let pid): logger.warning("reload-proxy (pid \(pid)) is gone: stopping")
        case .unavailable(let pid):
            logger.warning("cannot ask for SIGTERM when reload-proxy (pid \(pid)) dies: prctl not found")
        case .notParent(let pid, let parent):
            let words = "the daemon will not stop if the proxy is killed"
            logger.warning("reload-proxy (pid \(pid)) is not this daemon's parent (pid \(parent)): \(words)")
        }
        let server = MilterServer(classifier: classifier, configuration: configuration, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ReadyReportingServer(server: server, readyDescriptor: readyDescriptor, logger: logger)),
            .init(service: reloader),
            .init(service: stop, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let endpoint { services.append(.init(service: endpoint)) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, logger: logger))
        try await group.run()
        logger.info("stopped")
    }

    /// The program's server defaults (``MilterConfiguration/server``) with the options given applied; an option
    /// not given leaves the program's value. A connection limit equal to `unraisedConnectionLimit` (the default
    /// before the descriptor limit was raised) becomes the one derived from the raised limit. An ADDRESS beside an
    /// inherited socket is checked, then `warn`ed of as not used (``ignoredAddress(_:handedOver:)``).
    func serverConfiguration(
        _ defaults: ServerConfiguration, unraisedConnectionLimit: Int? = nil, warn: (String) -> Void = { _ in }
    ) throws -> ServerConfiguration {
        var configuration = defaults
        let handedOver = InheritedSocket.isHandedOver
        let inheritedSocket: ListenAddress?
        do { inheritedSocket = try InheritedSocket.fromEnvironment() } catch { throw CLIError.usage("\(error)") }
        if let inherited = inheritedSocket {
            configuration.address = inherited
            try checkInherited(inherited)
            if let address {
                do { _ = try ListenAddress(validating: address) } catch { throw CLIError.usage("\(error)") }
                warn(Self.ignoredAddress(address, handedOver: handedOver))
            }
        } else if let address {
            do { configuration.address = try ListenAddress(validating: address) } catch {
                throw CLIError.usage("\(error)")
            }
            let parsed = configuration.address
            try checkInherited(parsed)
        }
        if let threads { configuration.threads = threads }
        if let eventLoops { configuration.eventLoopThreads = eventLoops }
        if let maxConnections {
            configuration.maximumConnections = maxConnections
        } else if defaults.maximumConnections == unraisedConnectionLimit {
            configuration.maximumConnections = DescriptorLimit.connectionLimit()
        }
        if let idleTimeout { configuration.timeouts.idle = .fromSeconds(idleTimeout.seconds) }
        if let readTimeout { configuration.timeouts.read = .fromSeconds(readTimeout.seconds) }
        if let frameTimeout { configuration.timeouts.frame = .fromSeconds(frameTimeout.seconds) }
        if let drainTimeout { configuration.drainTimeout = .fromSeconds(drainTimeout.seconds) }
        configuration.classifierTimeout = classification.classifierTimeout(default: defaults.classifierTimeout)
        configuration.protocolOptions = try classification.protocolOptions(defaults: defaults.protocolOptions)
        try limits.apply(to: &configuration)
        return configuration
    }

    /// The `--metrics` endpoint, bound. A port in use is a start-up error (exit 2), except for a
    /// daemon handed its socket by reload-proxy (`waitingForPort`, `--metrics-wait`): the daemon it
    /// replaces holds the port until the proxy retires it, so the endpoint binds it later, retrying, and the
    /// milter is served meanwhile; a port still in use then (someone else's) ends the daemon, exit 2.
    /// Not SO_REUSEPORT: two unrelated daemons would silently share the port.
    private func metricsEndpoint(logger: Logger, waitingForPort: Duration?) async throws -> MetricsEndpoint? {
        guard let metrics else { return nil }
        guard case .tcp(let host, let port) = ListenAddress(parsing: metrics) else {
            throw CLIError.usage("bad --metrics address \(metrics): expected HOST:PORT or [IPV6]:PORT")
        }
        let limits = MetricsEndpoint.Limits(
            timeout: .fromSeconds(metricsTimeout?.seconds ?? 10), maximumConnections: metricsMaxConnections ?? 16)
        let endpoint = MetricsEndpoint.bootstrap(host: host, port: port, limits: limits, logger: logger)
        do {
            try await endpoint.bind(waitingUpTo: waitingForPort)
        } catch {
            throw CLIError.usage("cannot serve metrics on \(metrics): \(ListenFailure.describe(error))")
        }
        return endpoint
    }

    /// The warning for an ADDRESS given beside an inherited socket. Not a usage error: as systemd-aware daemons do,
    /// the socket unit decides where the service listens, and the ADDRESS in the same command line serves when the
    /// service is started without it; silently unused, it let the operator believe the daemon listened there.
    static func ignoredAddress(_ address: String, handedOver: Bool) -> String {
        let source =
            handedOver
            ? "the socket passed in MILTER_LISTEN_FD (by reload-proxy, whose --listen sets it)"
            : "the socket passed by systemd socket activation (LISTEN_FDS; its socket unit's Listen line sets it)"
        return "ADDRESS \(address) is not used: serving \(source) instead"
    }

    private func checkInherited(_ address: ListenAddress) throws {
        guard case .inherited(let descriptor) = address else { return }
        do {
            try ListeningSocketCheck.validate(descriptor)
        } catch {
            throw CLIError.usage("cannot listen on the inherited socket: \(error)")
        }
    }
}
