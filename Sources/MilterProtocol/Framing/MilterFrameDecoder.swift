import NIOCore

/// Splits a byte stream into ``MilterFrame``s.
///
/// The length is checked against the limit **before** any payload is buffered, so a peer
/// announcing 2 GiB costs four bytes of memory. A length of 0 is refused (pitfall 19), and so is
/// SMTP text written to a milter socket: "post" reads as length 1886352244 (pitfall 18).
/// Errors carry the command byte, the stream offset and a redacted excerpt.
public struct MilterFrameDecoder: NIOSingleStepByteToMessageDecoder {
    /// The frames.
    public typealias InboundOut = MilterFrame

    /// The limits in force.
    public let limits: MilterFrameLimits
    /// How many bytes of the stream have been consumed as whole frames.
    public private(set) var streamOffset: Int = 0

    /// Creates a decoder.
    public init(limits: MilterFrameLimits = .commands) { self.limits = limits }

    /// Decodes the next frame, or returns `nil` until it is complete.
    public mutating func decode(buffer: inout ByteBuffer) throws(MilterProtocolError) -> MilterFrame? {
        // The length and the command byte in one look at the buffer's storage: each read of a
        // `ByteBuffer` is a dynamic exclusivity check in NIO, and a message is about 30 frames.
        let header = buffer.withUnsafeReadableBytes { bytes -> (length: UInt32, command: UInt8)? in
            guard bytes.count >= 4 else { return nil }
            let length = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            // The command byte is read only from a whole frame, whose length is at least 1.
            return (length, bytes.count > 4 ? bytes[4] : 0)
        }
        guard let header else { return nil }
        let length = header.length
        try check(length: length, in: buffer)
        let total = 4 + Int(length)
        guard buffer.readableBytes >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        let command = header.command
        let payload = buffer.readSlice(length: Int(length) - 1)!
        streamOffset += total
        return MilterFrame(command: command, payload: payload)
    }

    /// The next frame at the start of `bytes`, for a reader that keeps the bytes it read in memory
    /// of its own rather than in a `ByteBuffer`: the command byte and where the payload stands in
    /// `bytes` (the frame ends where the payload does), or `nil` until the frame is whole. The
    /// same checks, errors and ``streamOffset`` as ``decode(buffer:)``, without a look at a
    /// `ByteBuffer`'s storage (a dynamic exclusivity check each) unless the frame is refused.
    public mutating func decodeFrame(
        in bytes: UnsafeRawBufferPointer
    ) throws(MilterProtocolError) -> (command: UInt8, payload: Range<Int>)? {
        guard bytes.count >= 4 else { return nil }
        let length = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        if length == 0 || Int(length) - 1 > limits.maximumPayloadLength {
            try check(length: length, in: ByteBuffer(bytes: bytes))
        }
        let total = 4 + Int(length)
        guard bytes.count >= total else { return nil }
        streamOffset += total
        return (bytes[4], 5..<total)
    }

    /// ``decodeFrame(in:)`` at the end of the stream: leftover bytes are a truncated frame, with
    /// the error of ``decodeLast(buffer:seenEOF:)``.
    public mutating func decodeLastFrame(
        in bytes: UnsafeRawBufferPointer
    ) throws(MilterProtocolError) -> (command: UInt8, payload: Range<Int>)? {
        if let frame = try decodeFrame(in: bytes) { return frame }
        if !bytes.isEmpty {
            // Not a whole frame: decodeLast throws its truncation error.
            var buffer = ByteBuffer(bytes: bytes)
            _ = try decodeLast(buffer: &buffer, seenEOF: true)
        }
        return nil
    }

    /// Called at end of stream: leftover bytes are a truncated frame.
    public mutating func decodeLast(
        buffer: inout ByteBuffer, seenEOF: Bool
    ) throws(MilterProtocolError)
        -> MilterFrame?
    {
        if let frame = try decode(buffer: &buffer) { return frame }
        guard buffer.readableBytes == 0 else {
            let command = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self)
            throw MilterProtocolError(
                .truncatedFrame, commandByte: command, streamOffset: streamOffset,
                excerpt: Redaction.excerpt(buffer.readableBytesView),
                detail: "the stream ended with \(buffer.readableBytes) bytes of an unfinished frame")
        }
        return nil
    }

    private func check(length: UInt32, in buffer: ByteBuffer) throws(MilterProtocolError) {
        if length == 0 {
            throw MilterProtocolError(
                .zeroLengthFrame, streamOffset: streamOffset, excerpt: headerExcerpt(buffer),
                detail: "a frame length of 0 has no room for the command byte")
        }
        if Int(length) - 1 > limits.maximumPayloadLength {
            // A length field that is text is no frame: the byte after it is no command either.
            let isText = TextLengthField.isText(buffer.readableBytesView)
            let command = isText ? nil : buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self)
            throw MilterProtocolError(
                .frameTooLarge, commandByte: command,
                streamOffset: streamOffset, excerpt: headerExcerpt(buffer),
                detail: "length \(length) exceeds the limit of \(limits.maximumPayloadLength) payload bytes"
                    + (TextPeerShape.guess(buffer.readableBytesView).map { "; \($0)" } ?? ""))
        }
    }

    /// The length field and command byte in hex, then up to 3 payload bytes redacted like any payload. When the
    /// length field is text (a peer speaking another protocol), see ``TextLengthField/excerpt(_:)``.
    private func headerExcerpt(_ buffer: ByteBuffer) -> String {
        let view = buffer.readableBytesView
        if TextLengthField.isText(view) { return TextLengthField.excerpt(view) }
        let header = view.prefix(5).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }
        let payload = view.dropFirst(5).prefix(3)
        return (header + (payload.isEmpty ? [] : [Redaction.excerpt(payload)])).joined(separator: " ")
    }
}
