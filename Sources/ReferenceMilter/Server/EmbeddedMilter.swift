import Logging
import NIOCore

/// A milter server running inside the current process on `127.0.0.1`, on a free port.
///
/// milter-replay uses it when no `--target` is given:
///
/// ```swift
/// let milter = try await EmbeddedMilter.start()          // RulesClassifier.default
/// // connect an MTA to milter.host:milter.port ...
/// await milter.shutdown()
/// ```
public struct EmbeddedMilter: Sendable {
    /// The server.
    public let server: MilterServer
    /// The bound address.
    public let address: SocketAddress

    /// The host to connect to: `127.0.0.1`.
    public var host: String { address.ipAddress ?? "127.0.0.1" }
    /// The port to connect to.
    public var port: Int { address.port ?? 0 }

    /// Starts a server with a classifier (the built-in rules by default) on `127.0.0.1`, port 0.
    ///
    /// - Parameters:
    ///   - classifier: decides on each message.
    ///   - configuration: used as given, except that the address is replaced by `127.0.0.1:0`.
    ///   - logger: receives the decision log lines and the server's events.
    ///   - observer: called with each message and its decision.
    public static func start(
        classifier: any MailClassifier = RulesClassifier.default,
        configuration: ServerConfiguration = ServerConfiguration(eventLoopThreads: 1),
        logger: Logger = Logger(label: "reference-milter.embedded"),
        observer: (@Sendable (MailInfo, Decision) -> Void)? = nil
    ) async throws -> EmbeddedMilter {
        var configuration = configuration
        configuration.address = .tcp(host: "127.0.0.1", port: 0)
        let server = MilterServer(
            classifier: classifier, configuration: configuration, logger: logger, observer: observer)
        guard let address = try await server.start() else { throw ServerError.noLocalAddress }
        return EmbeddedMilter(server: server, address: address)
    }

    /// Stops the server: open connections get the drain timeout, then are closed.
    public func shutdown() async {
        try? await server.stop()
    }
}
