import NIOCore

/// On a listening channel: registers each accepted connection in the order the kernel handed them
/// over, on the listener's event loop, before it reaches its own loop. Registering there instead
/// would order connections by how busy each loop is, and "the oldest connection" that gives up its
/// slot (``ConnectionRegistry``) would not always be the oldest.
final class AcceptOrderHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let admit: @Sendable (any Channel) -> ConnectionRegistry.Admission

    init(admit: @escaping @Sendable (any Channel) -> ConnectionRegistry.Admission) { self.admit = admit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        _ = admit(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }
}
