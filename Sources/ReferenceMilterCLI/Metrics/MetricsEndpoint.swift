import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// `daemon --metrics ADDR`: a small HTTP/1 server with the Prometheus text format at `/metrics`.
///
/// ``bootstrap(host:port:)`` makes the registry swift-metrics' backend (once per process, before
/// the milter server is made), binds the address and returns the endpoint, which then runs as a
/// service beside the milter server and stops with it.
final class MetricsEndpoint: Service, Sendable {
    /// How long a scraper may stay silent before its connection is closed.
    static let readTimeout = TimeAmount.seconds(10)

    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// The bound address (the port is the real one when 0 was asked for).
    var localAddress: SocketAddress? { channel.localAddress }

    /// Bootstraps swift-metrics with a fresh Prometheus registry and binds `host:port`.
    static func bootstrap(host: String, port: Int) async throws -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: readTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
            .bind(host: host, port: port).get()
        return MetricsEndpoint(channel: channel)
    }

    /// Serves until graceful shutdown, or until its task is cancelled: the service group cancels
    /// every service when one fails (the milter socket cannot be had, say), and a wait on the
    /// close future alone would never end, leaving the daemon running with its signals trapped.
    func run() async throws {
        let channel = channel
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
}
