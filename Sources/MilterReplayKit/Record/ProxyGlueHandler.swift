import MilterCapture
import NIOCore

/// Relays the bytes one channel reads to its partner channel on the same event loop, recording
/// each chunk. It reads only while the partner can write, so at most one read is buffered per
/// direction whatever the peers' speeds; when either side closes, both are closed.
final class ProxyGlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The direction of the bytes this handler's channel reads.
    private let direction: StreamDirection
    private let session: RecordedConnection
    private var partner: ProxyGlueHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false

    private init(direction: StreamDirection, session: RecordedConnection) {
        self.direction = direction
        self.session = session
    }

    /// The handlers for the MTA's channel and the milter's channel, joined.
    static func pair(session: RecordedConnection) -> (mtaSide: ProxyGlueHandler, milterSide: ProxyGlueHandler) {
        let mtaSide = ProxyGlueHandler(direction: .clientToServer, session: session)
        let milterSide = ProxyGlueHandler(direction: .serverToClient, session: session)
        mtaSide.partner = milterSide
        milterSide.partner = mtaSide
        return (mtaSide, milterSide)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        session.relayed(bytes, from: direction)
        partner?.context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) {
        session.closed(from: direction)
        partner?.context?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }

    private func partnerBecameWritable() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }
}

/// One proxied connection as the recording sees it: its bytes and its end go to the file once.
final class RecordedConnection: Sendable {
    private let file: RecordingFile
    private let connection: CaptureRecorder.Connection

    init(file: RecordingFile, client: Endpoint, server: Endpoint) {
        self.file = file
        self.connection = file.open(client: client, server: server)
    }

    func relayed(_ bytes: ByteBuffer, from direction: StreamDirection) {
        file.record(bytes, from: direction, on: connection)
    }

    /// The first side to close starts the FIN exchange; the recorder ignores the second.
    func closed(from direction: StreamDirection) { file.close(connection, from: direction) }
}
