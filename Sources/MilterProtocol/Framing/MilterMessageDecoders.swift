import NIOCore

/// Decodes a byte stream from an MTA into ``MilterCommand``s (the milter side's decoder).
public struct MilterCommandDecoder: NIOSingleStepByteToMessageDecoder {
    /// The commands.
    public typealias InboundOut = MilterCommand
    private var frames: MilterFrameDecoder

    /// Creates a decoder; commands are limited to 65535 payload bytes unless told otherwise.
    public init(limits: MilterFrameLimits = .commands) { frames = MilterFrameDecoder(limits: limits) }

    /// Decodes the next command.
    public mutating func decode(buffer: inout ByteBuffer) throws(MilterProtocolError) -> MilterCommand? {
        let offset = frames.streamOffset
        guard let frame = try frames.decode(buffer: &buffer) else { return nil }
        do { return try MilterCommand(frame: frame) } catch { throw error.at(offset: offset) }
    }

    /// Decodes what is left at end of stream.
    public mutating func decodeLast(
        buffer: inout ByteBuffer, seenEOF: Bool
    ) throws(MilterProtocolError)
        -> MilterCommand?
    {
        let offset = frames.streamOffset
        guard let frame = try frames.decodeLast(buffer: &buffer, seenEOF: seenEOF) else { return nil }
        do { return try MilterCommand(frame: frame) } catch { throw error.at(offset: offset) }
    }
}

/// Decodes a byte stream from a milter into ``MilterReply``s (the MTA side's decoder).
public struct MilterReplyDecoder: NIOSingleStepByteToMessageDecoder {
    /// The replies.
    public typealias InboundOut = MilterReply
    private var frames: MilterFrameDecoder

    /// Creates a decoder; replies are limited to 1 MiB - 1 payload bytes unless told otherwise.
    public init(limits: MilterFrameLimits = .replies) { frames = MilterFrameDecoder(limits: limits) }

    /// Decodes the next reply.
    public mutating func decode(buffer: inout ByteBuffer) throws(MilterProtocolError) -> MilterReply? {
        let offset = frames.streamOffset
        guard let frame = try frames.decode(buffer: &buffer) else { return nil }
        do { return try MilterReply(frame: frame) } catch { throw error.at(offset: offset) }
    }

    /// Decodes what is left at end of stream.
    public mutating func decodeLast(
        buffer: inout ByteBuffer, seenEOF: Bool
    ) throws(MilterProtocolError)
        -> MilterReply?
    {
        let offset = frames.streamOffset
        guard let frame = try frames.decodeLast(buffer: &buffer, seenEOF: seenEOF) else { return nil }
        do { return try MilterReply(frame: frame) } catch { throw error.at(offset: offset) }
    }
}
