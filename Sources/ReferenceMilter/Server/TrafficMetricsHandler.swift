import CoreMetrics
import NIOCore

/// The first handler of every MTA connection: counts the connection and the bytes each way.
final class TrafficMetricsHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    // The handles this handler uses, held directly: read through the server's metrics object, each read and
    // write retained and released that object's handle.
    private let connectionsTotal: Counter
    private let connectionsOpen: Meter
    private let bytesReceived: Counter
    private let bytesSent: Counter

    init(metrics: ServerMetrics) {
        connectionsTotal = metrics.connectionsTotal
        connectionsOpen = metrics.connectionsOpen
        bytesReceived = metrics.bytesReceived
        bytesSent = metrics.bytesSent
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionsTotal.increment()
        connectionsOpen.increment()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectionsOpen.decrement()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytesReceived.increment(by: Int64(unwrapInboundIn(data).readableBytes))
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        bytesSent.increment(by: Int64(unwrapOutboundIn(data).readableBytes))
        context.write(data, promise: promise)
    }
}
