import NIOCore
import NIOPosix

/// One query to one server: UDP first, TCP when the UDP answer is truncated. Each attempt has
/// its own timeout; cancelling the task ends the wait.
struct DNSExchange {
    let server: SocketAddress
    let timeout: TimeAmount
    let group: any EventLoopGroup

    func run(_ query: DNSQuery) async throws(DNSError) -> DNSResponse {
        let wire = try query.encoded()
        let response = try await udp(query, wire: wire)
        return response.isTruncated ? try await tcp(query, wire: wire) : response
    }

    private func udp(_ query: DNSQuery, wire: [UInt8]) async throws(DNSError) -> DNSResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: DNSResponse.self)
        let server = server
        let bootstrap = DatagramBootstrap(group: loop).channelInitializer { channel in
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
        let bootstrap = ClientBootstrap(group: loop).connectTimeout(timeout).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    DNSTCPHandler(query: query, wire: wire, promise: promise))
            }
        }
        let server = server
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
