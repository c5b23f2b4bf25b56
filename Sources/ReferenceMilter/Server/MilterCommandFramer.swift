import MilterProtocol
import NIOCore

/// Cuts the bytes the MTA sends into commands, and tells the ``ConnectionWatchdog`` when a read ends
/// inside a frame, so that a frame must arrive whole within the frame timeout. Without that a peer
/// trickling one byte of a frame every few seconds would be bounded only by the idle timeout: the
/// other timeouts see whole commands, not bytes.
///
/// It does what NIO's `ByteToMessageHandler` does with a ``MilterCommandDecoder``, inside the
/// ``MilterConnectionHandler``: a command goes straight to the handler, not boxed through the
/// channel pipeline. The bytes of an unfinished frame wait for the next read. A MACRO
/// packet identical to the last of its stage is not decoded again (``MacroPacketMemo``), and a header
/// field name received lately shares the storage of the last (``HeaderNameMemo``). After a
/// decoding error nothing more is decoded.
struct MilterCommandFramer {
    private var frames: MilterFrameDecoder
    private var macros = MacroPacketMemo()
    private var headerNames = HeaderNameMemo()
    private let watchdog: ConnectionWatchdog
    /// The bytes not yet decoded: the rest of this read, after the start of an unfinished frame.
    /// (nil rather than empty: an empty `ByteBuffer()` allocates.)
    private var pending: ByteBuffer?
    /// Whether a frame ended since the last ``finishRead()``.
    private var completed = false
    private var failed = false

    init(limits: MilterFrameLimits, watchdog: ConnectionWatchdog) {
        frames = MilterFrameDecoder(limits: limits)
        self.watchdog = watchdog
    }

    /// Adds the bytes of a read after those not yet decoded.
    ///
    /// The caller takes the commands one by one (``next()``), without holding the framer: a
    /// command's reply can make NIO read again before the loop ends (it drains the socket when a
    /// write fails), and the bytes of that read then come after these, in order.
    mutating func append(_ bytes: ByteBuffer) {
        guard !failed else { return }
        if pending == nil || pending?.readableBytes == 0 {
            pending = bytes
        } else {
            var bytes = bytes
            // The commands already decoded go first: a peer whose reads keep ending inside a frame (BODY chunks
            // streamed as Postfix writes them) would otherwise keep every byte of the message here. What moves
            // is less than one frame.
            pending!.discardReadBytes()
            pending!.writeBuffer(&bytes)
        }
    }

    /// The bytes held for the frame in progress, counted by the room they take.
    var heldCapacity: Int { pending?.capacity ?? 0 }

    /// The next whole command, or nil; throws the decoding error that ends the stream, after the
    /// commands before it.
    mutating func next() throws(MilterProtocolError) -> MilterCommand? {
        guard !failed, pending != nil else { return nil }
        do {
            guard let command = try nextCommand() else { return nil }
            completed = true
            return command
        } catch {
            failed = true
            pending = nil
            throw error
        }
    }

    /// Tells the watchdog how the read ended: inside a frame or not.
    mutating func finishRead() {
        // A frame that ended here makes the one in progress, if any, a frame that began in this read.
        if completed { watchdog.noteFrameComplete() }
        completed = false
        if let pending, pending.readableBytes > 0 {
            watchdog.notePartialFrame()
        } else {
            // Not kept: a slice would keep NIO's receive buffer from being reused.
            pending = nil
        }
    }

    /// Decodes the next command as ``MilterCommandDecoder`` does, taking repeated MACRO packets from the memo.
    private mutating func nextCommand() throws(MilterProtocolError) -> MilterCommand? {
        let offset = frames.streamOffset
        guard let frame = try frames.decode(buffer: &pending!) else { return nil }
        let isMacro = frame.command == MilterCommand.ID.macro.rawValue
        if isMacro, let definition = macros.definition(of: frame.payload) { return .macro(definition) }
        if frame.command == MilterCommand.ID.header.rawValue, let field = headerNames.field(of: frame.payload) {
            return .header(field)
        }
        let command: MilterCommand
        do { command = try MilterCommand(frame: frame) } catch { throw error.at(offset: offset) }
        if isMacro, case .macro(let definition) = command { macros.remember(frame.payload, as: definition) }
        return command
    }
}
