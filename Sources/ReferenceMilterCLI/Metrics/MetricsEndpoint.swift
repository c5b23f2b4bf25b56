import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ReferenceMilter
import ServiceLifecycle

/// `daemon --metrics ADDR`: a small HTTP/1 server with the Prometheus text format at `/metrics`.
///
/// ``bootstrap(host:port:logger:)`` makes the registry swift-metrics' backend (once per process,
/// before the milter server is made); ``bind(waitingUpTo:)`` then binds the address, and the endpoint runs as a
/// service beside the milter server and stops with it: at the start of a graceful shutdown (the service group
/// shuts its services down last one first), so a daemon retired by reload-proxy frees the port for its successor
/// before it drains its connections. An endpoint whose address could not be bound
/// (the daemon before it behind reload-proxy holds the port until its SIGINT) binds it in ``run()``,
/// retrying every ``retryInterval`` while the milter is served, for as long as ``bind(waitingUpTo:)`` was
/// told: past that, ``run()`` throws (exit 2), as a port in use does outside the proxy. A port someone
/// else holds may never come free, and the daemon must not wait for it for ever.
///
/// Each connection is bounded (``Limits``): it is closed ``Limits/timeout`` after it was accepted, and past
/// ``Limits/maximumConnections`` open at once a new one gets `503 Service Unavailable` and is closed, so
/// clients of this endpoint cannot take the descriptors the milter's connections need; each refusal is counted in
/// `milter_metrics_connections_refused_total` and logged, at most once a minute (``MetricsRefusals``).
final class MetricsEndpoint: Service, Sendable {
    /// Bounds of the endpoint's connections (`--metrics-timeout`, `--metrics-max-connections`).
    struct Limits: Sendable {
        /// How long a connection may stay open, request and response together.
        var timeout = TimeAmount.seconds(10)
        /// Connections open at once; more are answered 503 and closed. The default fits in the descriptors
        /// the daemon keeps for everything but MTA connections (``DescriptorLimit/reserved``).
        var maximumConnections = 16
    }

    /// Between two attempts to bind a port that is in use.
    static let retryInterval = Duration.milliseconds(200)

    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let limits: Limits
    private let refusals: MetricsRefusals
    /// Connections open now.
    private let openConnections = NIOLockedValueBox(0)
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    /// Why the address could not be had, as last logged.
    private let waitingReason = NIOLockedValueBox<String?>(nil)
    /// When ``run()`` gives up binding, and how long that wait is (for the message), once
    /// ``bind(waitingUpTo:)`` found the address in use.
    private let wait = NIOLockedValueBox<(deadline: ContinuousClock.Instant, limit: Duration)?>(nil)

    private init(host: String, port: Int, limits: Limits, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.host = host
        self.port = port
        self.limits = limits
        self.registry = registry
        self.logger = logger
        refusals = MetricsRefusals(limit: limits.maximumConnections, logger: logger)
    }

    /// The bound address (the port is the real one when 0 was asked for), once bound.
    var localAddress: SocketAddress? { channel.withLockedValue { $0?.localAddress } }

    /// Bootstraps swift-metrics with a fresh Prometheus registry, for an endpoint on `host:port`
    /// that is not bound yet.
    static func bootstrap(host: String, port: Int, limits: Limits, logger: Logger) -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return MetricsEndpoint(host: host, port: port, limits: limits, registry: registry, logger: logger)
    }

    /// Binds the address once; throws NIO's error when it cannot be had, except, with a `limit`, an
    /// address in use: that is logged, and ``run()`` binds it later, retrying for up to `limit` from now.
    func bind(waitingUpTo limit: Duration?) async throws {
        do {
            try await bindOnce()
        } catch {
            guard let limit, ListenFailure.isAddressInUse(error) else { throw error }
            wait.withLockedValue { $0 = (.now + limit, limit) }
            reportWaiting(ListenFailure.describe(error))
        }
    }

    private func bindOnce() async throws {
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in initialize(channel) }
            .bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        let address = ListenAddress.tcp(host: host, port: port).withBoundPort(bound.localAddress?.port)
        logger.info("serving metrics", metadata: ["address": "\(address)"])
    }

    /// Serves `channel`, or answers it 503 and closes it when ``Limits/maximumConnections`` are open (counted and
    /// logged by ``MetricsRefusals``).
    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        let admitted = openConnections.withLockedValue { open in
            guard open < limits.maximumConnections else { return false }
            open += 1
            return true
        }
        guard admitted else {
            refusals.refused()
            return channel.eventLoop.makeCompletedFuture { [limits] in
                try channel.pipeline.syncOperations.addHandler(MetricsRefusalHandler(limit: limits.maximumConnections))
            }
        }
        channel.closeFuture.whenComplete { [openConnections] _ in openConnections.withLockedValue { $0 -= 1 } }
        return channel.eventLoop.makeCompletedFuture { [limits, registry] in
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(MetricsConnectionGuard(timeout: limits.timeout))
            try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
            try pipeline.addHandler(MetricsHTTPHandler(registry: registry))
        }
    }

    /// Serves until graceful shutdown, or until its task is cancelled: the service group cancels
    /// every service when one fails (the milter socket cannot be had, say), and a wait on the
    /// close future alone would never end, leaving the daemon running with its signals trapped.
    /// Not bound yet, it first binds, retrying; a shutdown meanwhile ends the retries, and an address
    /// still not had at the deadline is a start-up error (``CLIError/usage(_:)``, exit 2).
    func run() async throws {
        // Past the run, refusals are no longer said: the flush scheduled for them is cancelled.
        defer { refusals.stop() }
        if channel.withLockedValue({ $0 }) == nil {
            let gaveUp = await cancelWhenGracefulShutdown { await self.bindRetrying() }
            if let reason = gaveUp {
                let waited = wait.withLockedValue { $0?.limit } ?? .zero
                throw CLIError.usage(
                    "cannot serve metrics on \(ListenAddress.tcp(host: host, port: port)): \(reason) "
                        + "(waited \(Self.seconds(waited)) s for it)")
            }
        }
        guard let channel = channel.withLockedValue({ $0 }) else { return }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Binds, every ``retryInterval``, until bound (`nil`), cancelled (`nil`) or past the deadline (the
    /// last reason); logs each new reason once.
    private func bindRetrying() async -> String? {
        let deadline = wait.withLockedValue { $0?.deadline } ?? .now
        while !Task.isCancelled {
            let reason: String
            do {
                try await bindOnce()
                return nil
            } catch {
                reason = ListenFailure.describe(error)
                reportWaiting(reason)
            }
            if ContinuousClock.now >= deadline { return reason }
            do { try await Task.sleep(for: Self.retryInterval) } catch { return nil }
        }
        return nil
    }

    /// `30`, `0.5`: a duration in seconds for a message.
    private static func seconds(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return seconds == seconds.rounded() ? String(Int64(seconds)) : "\(seconds)"
    }

    /// Logs that the endpoint waits for its address, once per reason.
    private func reportWaiting(_ reason: String) {
        let isNew = waitingReason.withLockedValue { last in
            defer { last = reason }
            return last != reason
        }
        guard isNew else { return }
        logger.notice(
            "waiting for the metrics address; the milter is served meanwhile",
            metadata: ["address": "\(ListenAddress.tcp(host: host, port: port))", "reason": "\(reason)"])
    }
}
