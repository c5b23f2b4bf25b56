import NIOCore
import NIOPosix

/// One query to one server: UDP first, TCP when the UDP answer is truncated. Each attempt has
/// its own timeout; cancelling the task ends the wait.
struct DNSExchange {
    let server: SocketAddress
    let timeout: TimeAmount
    let group: any EventLoopGroup
    /// Whether a UDP socket to an IPv6 server is IPv6 only (``DNSResolver/ipv6Only``).
    var ipv6Only = false

    func run(_ query: DNSQuery) async throws(DNSError) -> DNSResponse {
        let wire = try query.encoded()
        let response = try await udp(query, wire: wire)
        return response.isTruncated ? try await tcp(query, wire: wire) : response
    }

    private func udp(_ query: DNSQuery, wire: [UInt8]) async throws(DNSError) -> DNSResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: DNSResponse.self)
        let server = server
        var bootstrap = DatagramBootstrap(group: loop)
        if ipv6Only, server.protocol == .inet6 {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        bootstrap = bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    DNSUDPHandler(query: query, server: server, promise: promise))
            }
        }
        return try await wait(for: promise) {
            // A connected socket, one per exchange: the kernel drops datagrams from any other
            // address, and reports the server's ICMP port unreachable as ECONNREFUSED, so that a
            // closed port fails the exchange at once instead of after the timeout.
            let channel = try await bootstrap.connect(to: server).get()
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
            channel.writeAndFlush(ByteBuffer(bytes: wire)).whenFailure {
                promise.fail(DNSError(socketError: $0, server: server))
            }
        }
    }

    private func tcp(_ query: DNSQuery, wire: [UInt8]) async throws(DNSError) -> DNSResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: DNSResponse.self)
        let server = server
        let bootstrap = ClientBootstrap(group: loop).connectTimeout(timeout).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    DNSTCPHandler(query: query, server: server, wire: wire, promise: promise))
            }
        }
        return try await wait(for: promise) {
            let channel = try await bootstrap.connect(to: server).get()
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Starts the exchange, arms the timeout, and waits for the promise or the task's cancellation.
    private func wait(
        for promise: EventLoopPromise<DNSResponse>, start: () async throws -> Void
    ) async throws(DNSError) -> DNSResponse {
        let timer = promise.futureResult.eventLoop.scheduleTask(in: timeout) {
            promise.fail(DNSError(.timeout))
        }
        defer { timer.cancel() }
        do {
            try await start()
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(CancellationError())
            }
        } catch let error as DNSError {
            promise.fail(error)
            throw error
        } catch {
            promise.fail(error)
            throw DNSError(socketError: error, server: server)
        }
    }
}
