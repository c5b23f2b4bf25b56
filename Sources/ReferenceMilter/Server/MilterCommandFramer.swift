import MilterProtocol
import NIOCore

/// Cuts the bytes the MTA sends into commands, and tells the ``ConnectionWatchdog`` when a read ends
/// inside a frame, so that a frame must arrive whole within the frame timeout. Without that a peer
/// trickling one byte of a frame every few seconds would be bounded only by the idle timeout: the
/// other timeouts see whole commands, not bytes.
///
/// It does what NIO's `ByteToMessageHandler` does with a ``MilterCommandDecoder``, inside the
/// ``MilterConnectionHandler``: a command goes straight to the handler, not boxed through the
/// channel pipeline. The bytes of an unfinished frame wait in one buffer for the next read. A MACRO
/// packet identical to the last of its stage is not decoded again (``MacroPacketMemo``). After a
/// decoding error nothing more is decoded.
struct MilterCommandFramer {
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

    /// Passes each command completed by `bytes` to `deliver`, in order; throws the decoding error
    /// that ends the stream, after the commands before it.
    mutating func read(
        _ bytes: ByteBuffer, deliver: (MilterCommand) -> Void
    ) throws(MilterProtocolError) {
        guard !failed else { return }
        var buffer = bytes
        if var unfinished {
            self.unfinished = nil
            unfinished.writeBuffer(&buffer)
            buffer = unfinished
        }
        var completed = false
        do {
            while let command = try nextCommand(&buffer) {
                completed = true
                deliver(command)
            }
        } catch {
            failed = true
            throw error
        }
        // A frame that ended here makes the one in progress, if any, a frame that began in this read.
        if completed { watchdog.noteFrameComplete() }
        if buffer.readableBytes > 0 {
            watchdog.notePartialFrame()
            unfinished = buffer
        }
    }

    /// Decodes the next command as ``MilterCommandDecoder`` does, taking repeated MACRO packets from the memo.
    private mutating func nextCommand(_ buffer: inout ByteBuffer) throws(MilterProtocolError) -> MilterCommand? {
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
