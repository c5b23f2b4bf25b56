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
        let bind = server.protocol == .inet6 ? "::" : "0.0.0.0"
        let bootstrap = DatagramBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    DNSUDPHandler(query: query, server: server, promise: promise))
            }
        }
        return try await wait(for: promise) {
            let channel = try await bootstrap.bind(host: bind, port: 0).get()
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
            let envelope = AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: wire))
            channel.writeAndFlush(envelope).whenFailure { promise.fail(DNSError(.network, detail: "\($0)")) }
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
            throw DNSError(.network, detail: "\(error)")
        }
    }
}
