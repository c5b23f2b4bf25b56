import MilterProtocol
import NIOCore

/// Cuts the bytes the MTA sends into commands, and tells the ``ConnectionWatchdog`` when a read ends
/// inside a frame, so that a frame must arrive whole within the frame timeout. Without that a peer
/// trickling one byte of a frame every few seconds would be bounded only by the idle timeout: the
/// other timeouts see whole commands, not bytes.
///
/// It does what NIO's `ByteToMessageHandler` does with a ``MilterCommandDecoder``, without its
/// generic machinery on every read: the bytes of an unfinished frame wait in one buffer for the
/// next read. A MACRO packet identical to the last of its stage is not decoded again
/// (``MacroPacketMemo``). After a decoding error nothing more is decoded; the error goes on to the
/// connection handler, which closes the connection.
final class MilterCommandFramer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = MilterCommand

    private var frames: MilterFrameDecoder
    private var macros = MacroPacketMemo()
    private let watchdog: ConnectionWatchdog
    /// The start of an unfinished frame, kept from the last read.
    private var unfinished: ByteBuffer?
    private var failed = false

    init(limits: MilterFrameLimits, watchdog: ConnectionWatchdog) {
        frames = MilterFrameDecoder(limits: limits)
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
            while let command = try nextCommand(&buffer) {
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

    /// Decodes the next command as ``MilterCommandDecoder`` does, taking repeated MACRO packets from the memo.
    private func nextCommand(_ buffer: inout ByteBuffer) throws(MilterProtocolError) -> MilterCommand? {
        let offset = frames.streamOffset
        guard let frame = try frames.decode(buffer: &buffer) else { return nil }
        let isMacro = frame.command == MilterCommand.ID.macro.rawValue
        if isMacro, let definition = macros.definition(of: frame.payload) { return .macro(definition) }
        let command: MilterCommand
        do { command = try MilterCommand(frame: frame) } catch { throw error.at(offset: offset) }
        if isMacro, case .macro(let definition) = command { macros.remember(frame.payload, as: definition) }
        return command
    }
}
