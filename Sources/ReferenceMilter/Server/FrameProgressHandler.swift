import NIOCore

/// Before the command decoder: follows the frame boundaries in the bytes the MTA sends and tells the
/// ``ConnectionWatchdog`` when a read ends inside a frame, so that a frame must arrive whole within
/// the frame timeout. Without it a peer trickling one byte of a frame every few seconds would be
/// bounded only by the idle timeout: the other timeouts see whole commands, not bytes.
///
/// It only counts: the bytes go on unchanged, and the decoder judges the lengths.
final class FrameProgressHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let watchdog: ConnectionWatchdog
    /// How many bytes of the current frame's 4-byte length field have arrived, and their value so far.
    private var lengthBytes = 0
    private var length = 0
    /// How many bytes of the current frame's command and payload are still to come.
    private var remaining = 0

    init(watchdog: ConnectionWatchdog) { self.watchdog = watchdog }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var offset = buffer.readerIndex
        var completed = false
        while offset < buffer.writerIndex {
            if remaining > 0 {
                let taken = min(remaining, buffer.writerIndex - offset)
                remaining -= taken
                offset += taken
                completed = completed || remaining == 0
                continue
            }
            length = length << 8 | Int(buffer.getInteger(at: offset, as: UInt8.self) ?? 0)
            lengthBytes += 1
            offset += 1
            if lengthBytes == 4 {
                remaining = length
                completed = completed || remaining == 0
                (lengthBytes, length) = (0, 0)
            }
        }
        // A frame that ended here makes the one in progress, if any, a frame that began in this read.
        if completed { watchdog.noteFrameComplete() }
        if lengthBytes > 0 || remaining > 0 { watchdog.notePartialFrame() }
        context.fireChannelRead(data)
    }
}
