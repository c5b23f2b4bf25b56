import NIOCore

/// Writes commands and replies as frames.
///
/// The `ByteBuffer` extension methods append one frame to any buffer; a channel handler can
/// collect every reply of a step in one buffer and flush once. ``MilterEncoder`` keeps a buffer
/// it clears and reuses, for callers outside a channel pipeline.
extension ByteBuffer {
    /// Appends a command frame; returns the bytes written.
    @discardableResult
    public mutating func writeMilterCommand(_ command: MilterCommand) throws(MilterProtocolError) -> Int {
        switch command {
        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection:
            return writeFrameWithoutPayload(command.id.rawValue)
        default:
            return try writeFrame(command.id.rawValue) { (buffer: inout ByteBuffer) throws(MilterProtocolError) in
                try command.writePayload(into: &buffer)
            }
        }
    }

    /// Appends a reply frame; returns the bytes written.
    @discardableResult
    public mutating func writeMilterReply(_ reply: MilterReply) throws(MilterProtocolError) -> Int {
        switch reply {
        case .continue, .accept, .reject, .tempfail, .discard, .skip, .progress, .shutdown, .connectionFailure:
            return writeFrameWithoutPayload(reply.id.rawValue)
        default:
            return try writeFrame(reply.id.rawValue) { (buffer: inout ByteBuffer) throws(MilterProtocolError) in
                try reply.writePayload(into: &buffer)
            }
        }
    }

    /// A frame of the command byte alone (ABORT, QUIT, CONTINUE...): its five bytes in one write. Through
    /// ``writeFrame(_:payload:)``, the length, the byte and the length again were three writes into the buffer,
    /// about 800 instructions for five bytes (an MTA writes ABORT and QUIT on every connection).
    private mutating func writeFrameWithoutPayload(_ command: UInt8) -> Int {
        writeWithUnsafeMutableBytes(minimumWritableBytes: 5) { bytes in
            bytes[0] = 0
            bytes[1] = 0
            bytes[2] = 0
            bytes[3] = 1
            bytes[4] = command
            return 5
        }
    }

    /// Appends a raw frame; returns the bytes written.
    @discardableResult
    public mutating func writeMilterFrame(_ frame: MilterFrame) -> Int {
        writeInteger(UInt32(frame.length), endianness: .big) + writeInteger(frame.command)
            + writeImmutableBuffer(frame.payload)
    }

    private mutating func writeFrame(
        _ command: UInt8, payload: (inout ByteBuffer) throws(MilterProtocolError) -> Void
    ) throws(MilterProtocolError) -> Int {
        let start = writerIndex
        writeInteger(UInt32(0), endianness: .big)
        writeInteger(command)
        do {
            try payload(&self)
        } catch {
            moveWriterIndex(to: start)
            throw error
        }
        let length = writerIndex - start - 4
        guard length <= Int(UInt32.max) else {
            moveWriterIndex(to: start)
            throw MilterProtocolError(.frameTooLarge, commandByte: command, detail: "payload over 4 GiB")
        }
        setInteger(UInt32(length), at: start, endianness: .big)
        return writerIndex - start
    }
}

/// An encoder that reuses one buffer for every message it encodes.
public struct MilterEncoder: Sendable {
    @usableFromInline var buffer: ByteBuffer

    /// Creates an encoder with its own buffer.
    public init(allocator: ByteBufferAllocator = ByteBufferAllocator(), initialCapacity: Int = 256) {
        self.buffer = allocator.buffer(capacity: initialCapacity)
    }

    /// Encodes commands into the reused buffer and returns a view of it, valid until the next call.
    // Inlinable so that callers specialize it: iterating `some Sequence` unspecialized costs a
    // malloc per element (the collection's read coroutine, called through its witness table).
    @inlinable
    public mutating func encode(commands: some Sequence<MilterCommand>) throws(MilterProtocolError) -> ByteBuffer {
        buffer.clear()
        for command in commands { try buffer.writeMilterCommand(command) }
        return buffer
    }

    /// Encodes replies into the reused buffer and returns a view of it, valid until the next call.
    @inlinable
    public mutating func encode(replies: some Sequence<MilterReply>) throws(MilterProtocolError) -> ByteBuffer {
        buffer.clear()
        for reply in replies { try buffer.writeMilterReply(reply) }
        return buffer
    }
}
