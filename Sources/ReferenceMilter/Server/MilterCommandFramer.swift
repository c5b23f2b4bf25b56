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
    /// The bytes of the stream taken as whole frames: where the next frame starts, for errors.
    private var streamOffset = 0

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
    ///
    /// A whole frame within the limits is found, and a MACRO or HEADER frame answered by its memo, in one look at
    /// the buffer's storage (each look at a `ByteBuffer` is a dynamic exclusivity check in NIO): a memo's frame is
    /// then passed over without a slice. Anything else (an unfinished frame, a length of 0 or over the limit) goes
    /// to the ``MilterFrameDecoder``, which waits for more bytes or throws its error, placed at this frame.
    private mutating func nextCommand() throws(MilterProtocolError) -> MilterCommand? {
        let offset = streamOffset
        let look = look(at: pending!)
        let frame: MilterFrame
        switch look {
        case .memo(let command, let total):
            pending!.moveReaderIndex(forwardBy: total)
            streamOffset += total
            return command
        case .frame(let command, let length):
            pending!.moveReaderIndex(forwardBy: 5)
            frame = MilterFrame(command: command, payload: pending!.readSlice(length: length - 1)!)
            streamOffset += 4 + length
        case .undecided:
            let decoded: MilterFrame?
            do { decoded = try frames.decode(buffer: &pending!) } catch {
                // The decoder has taken no frame (this look takes every whole one): its offset is this frame's.
                var placed = error
                placed.streamOffset = offset
                throw placed
            }
            guard let decoded else { return nil }
            frame = decoded
            streamOffset += 5 + decoded.payload.readableBytes
        }
        let isMacro = frame.command == MilterCommand.ID.macro.rawValue
        let command: MilterCommand
        do { command = try MilterCommand(frame: frame) } catch { throw error.at(offset: offset) }
        if isMacro, case .macro(let definition) = command { macros.remember(frame.payload, as: definition) }
        return command
    }

    /// What the bytes at the start of `buffer` hold.
    private enum Look {
        /// A command a memo gives for a whole frame of `total` bytes.
        case memo(MilterCommand, total: Int)
        /// A whole frame within the limits: its command byte and length field.
        case frame(command: UInt8, length: Int)
        /// Less than a frame, or a length the decoder refuses.
        case undecided
    }

    /// Reads the frame at the start of `buffer` and asks the memos for a MACRO or HEADER one, in one look.
    private mutating func look(at buffer: ByteBuffer) -> Look {
        let limit = frames.limits.maximumPayloadLength
        return buffer.withUnsafeReadableBytes { bytes -> Look in
            guard bytes.count >= 5 else { return .undecided }
            let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            guard length >= 1, length - 1 <= limit, bytes.count >= 4 + length else { return .undecided }
            let command = bytes[4]
            let payload = UnsafeRawBufferPointer(rebasing: bytes[5..<(4 + length)])
            if command == MilterCommand.ID.macro.rawValue, let definition = macros.definition(of: payload) {
                return .memo(.macro(definition), total: 4 + length)
            }
            if command == MilterCommand.ID.header.rawValue, let field = headerNames.field(of: payload) {
                return .memo(.header(field), total: 4 + length)
            }
            return .frame(command: command, length: length)
        }
    }
}
