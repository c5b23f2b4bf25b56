import MilterProtocol
import NIOCore

/// Cuts the bytes the MTA sends into commands, and tells the ``ConnectionWatchdog`` when a read ends
/// inside a frame, so that a frame must arrive whole within the frame timeout. Without that a peer
/// trickling one byte of a frame every few seconds would be bounded only by the idle timeout: the
/// other timeouts see whole commands, not bytes.
///
/// It does what NIO's `ByteToMessageHandler` does with a ``MilterCommandDecoder``, without its
/// generic machinery on every read: the bytes of an unfinished frame wait in one buffer for the
/// next read. After a decoding error nothing more is decoded; the error goes on to the connection
/// handler, which closes the connection.
final class MilterCommandFramer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = MilterCommand

    private var decoder: MilterCommandDecoder
    private let watchdog: ConnectionWatchdog
    /// The start of an unfinished frame, kept from the last read.
    private var unfinished: ByteBuffer?
    private var failed = false

    init(limits: MilterFrameLimits, watchdog: ConnectionWatchdog) {
        decoder = MilterCommandDecoder(limits: limits)
        self.watchdog = watchdog
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var buffer = unwrapInboundIn(data)
        if var unfinished {
            self.unfinished = nil
            unfinished.writeBuffer(&buffer)
            buffer = unfinished
        }
        var completed = false
        do {
            while let command = try decoder.decode(buffer: &buffer) {
                completed = true
                context.fireChannelRead(wrapInboundOut(command))
            }
        } catch {
            failed = true
            context.fireErrorCaught(error)
            return
        }
        // A frame that ended here makes the one in progress, if any, a frame that began in this read.
        if completed { watchdog.noteFrameComplete() }
        if buffer.readableBytes > 0 {
            watchdog.notePartialFrame()
            unfinished = buffer
        }
    }
}
