import NIOCore

/// Sends one length-prefixed query over TCP (RFC 1035 §4.2.2) and reads the one answer. A socket error
/// fails the exchange as for UDP: a refusal or no route to the server says so, naming the server only.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let query: DNSQuery
    private let server: SocketAddress
    private let wire: [UInt8]
    private let promise: EventLoopPromise<DNSResponse>
    private var received = ByteBuffer()

    init(query: DNSQuery, server: SocketAddress, wire: [UInt8], promise: EventLoopPromise<DNSResponse>) {
        self.query = query
        self.server = server
        self.wire = wire
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: wire.count + 2)
        buffer.writeInteger(UInt16(wire.count))
        buffer.writeBytes(wire)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
            let body = received.getBytes(at: received.readerIndex + 2, length: Int(length))
        else { return }
        do {
            let response = try DNSResponse(parsing: body)
            guard response.answers(query) else { throw DNSError(.mismatchedResponse) }
            promise.succeed(response)
        } catch {
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSError(.network, detail: "connection closed before the answer"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSError(socketError: error, server: server))
        context.close(promise: nil)
    }
}
