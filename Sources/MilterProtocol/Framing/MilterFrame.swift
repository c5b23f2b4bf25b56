import NIOCore

/// One packet of the milter protocol: `u32 length`, a command byte, `length - 1` bytes of payload.
public struct MilterFrame: Hashable, Sendable {
    /// The command or reply byte.
    public var command: UInt8
    /// The payload, without the length and command byte.
    public var payload: ByteBuffer

    /// Creates a frame.
    public init(command: UInt8, payload: ByteBuffer) {
        self.command = command
        self.payload = payload
    }

    /// The value of the length field: payload plus the command byte.
    public var length: Int { payload.readableBytes + 1 }
}

/// The limits a frame decoder enforces.
public struct MilterFrameLimits: Hashable, Sendable {
    /// The largest payload accepted, in bytes, checked before anything is buffered.
    public var maximumPayloadLength: Int

    /// Creates limits.
    public init(maximumPayloadLength: Int) {
        precondition(maximumPayloadLength >= 0, "a maximum length cannot be negative")
        self.maximumPayloadLength = maximumPayloadLength
    }

    /// libmilter's limit for commands from the MTA: 65535, a full body chunk.
    public static let commands = MilterFrameLimits(maximumPayloadLength: 65_535)
    /// A limit for replies from a milter: 1 MiB - 1, libmilter's largest MDS setting.
    /// Postfix allows far more (INT_MAX/2); a client that wants that can raise it.
    public static let replies = MilterFrameLimits(maximumPayloadLength: 1_048_575)
    /// The largest reply payload an MTA takes: Postfix's `milter8_read_resp` drops the connection
    /// when a reply's length field (payload plus the command byte) is over `INT_MAX / 2`. Sendmail's
    /// `milter_read` (8.14 on) checks no upper bound. A milter must never send more than this.
    public static let mtaReplies = MilterFrameLimits(maximumPayloadLength: Int(Int32.max) / 2 - 1)
}
