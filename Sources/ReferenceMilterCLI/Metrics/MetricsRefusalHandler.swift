import NIOCore

/// The only handler of a metrics connection over ``MetricsEndpoint/Limits/maximumConnections``: once the
/// connection is active it writes `503 Service Unavailable` and closes it, reading nothing.
final class MetricsRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        let refusal = MetricsConnectionGuard.response(
            status: "503 Service Unavailable", body: "too many metrics connections (\(limit) open)\n",
            allocator: context.channel.allocator)
        let loopBound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(refusal)).assumeIsolated().whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
