/// Something in a capture that limits what can be decoded, reported rather than guessed around.
public struct CaptureIssue: Hashable, Sendable {
    /// The frame a gap fell into.
    public struct FrameReference: Hashable, Sendable {
        /// The frame's command byte.
        public var command: UInt8
        /// The payload length its header announced.
        public var declaredPayloadLength: Int
        /// The packet holding its first byte.
        public var firstPacket: Int
    }

    /// What happened.
    public enum Kind: Hashable, Sendable {
        /// The capture starts after this direction's first byte.
        case midstreamStart
        /// The snap length cut a packet: `missingBytes` bytes of the stream are unknown.
        case truncatedPacket(missingBytes: Int64)
        /// Segments were not captured; the length is known unless the stream ended inside the hole.
        case missingSegments(length: Int64?)
        /// After a gap or a mid-stream start the position of the next frame is unknown.
        case frameBoundaryLost
        /// A plausible frame boundary was found after skipping bytes.
        case resynchronised(skippedBytes: Int)
        /// No frame boundary was found; the bytes were discarded.
        case resynchronisationFailed(discardedBytes: Int)
        /// The bytes held while searching for a frame boundary would have passed
        /// ``MilterExtractionOptions/maximumResynchronisationWindow`` in this direction, or the searches of all
        /// streams together ``MilterExtractionOptions/maximumResynchronisationBytesTotal`` (this direction's
        /// search held the most): the `bytes` held were dropped unsearched, and the search goes on after them.
        case resynchronisationWindowDropped(bytes: Int)
        /// The bytes held of stream `stream` before it could be recognised as milter traffic or not would have
        /// passed ``MilterExtractionOptions/maximumUnrecognisedBytesPerStream``, or those of all such streams
        /// together ``MilterExtractionOptions/maximumUnrecognisedBytesTotal`` (this stream held the most): the
        /// `bytes` held were dropped and the stream is ignored. A capture issue: the stream is no session.
        case unrecognisedStreamDropped(stream: Int, bytes: Int)
        /// Decoding of the direction stopped (the policy is not to resynchronise).
        case decodingStopped
        /// A frame header announced a length of 0 or above the limit.
        case invalidFrameLength(Int)
        /// The frames being received over all streams held more than
        /// ``MilterExtractionOptions/maximumUnfinishedFrameBytesTotal``, and this direction's, the largest, gave up
        /// the `bytes` of its payload received so far; the frame is kept in step and shown truncated.
        case unfinishedFrameDropped(bytes: Int)
        /// A segment repeated `bytes` bytes already captured with other bytes: which copy the receiver took is
        /// unknown; the first copy captured is decoded.
        case conflictingCopies(bytes: Int)
        /// The stream ended inside a frame.
        case incompleteFrame(command: UInt8?, declaredPayloadLength: Int?, receivedBytes: Int)
        /// An IP fragment (not reassembled).
        case ipFragment(IPFragment)
        /// A packet that could not be decoded down to TCP.
        case undecodablePacket(PacketDecodeFailure)
        /// Bytes sent after decoding stopped, counted when the stream ended.
        case undecodedBytes(Int)
    }

    /// What happened.
    public var kind: Kind
    /// The direction concerned, for stream issues.
    public var direction: FrameDirection?
    /// The packet that revealed the issue.
    public var packet: Int?
    /// The direction's stream offset concerned.
    public var streamOffset: Int64?
    /// The frame a gap fell into, if any.
    public var frame: FrameReference?

    /// Creates an issue.
    public init(
        _ kind: Kind, direction: FrameDirection? = nil, packet: Int? = nil, streamOffset: Int64? = nil,
        frame: FrameReference? = nil
    ) {
        self.kind = kind
        self.direction = direction
        self.packet = packet
        self.streamOffset = streamOffset
        self.frame = frame
    }
}
