import MilterProtocol

/// A milter session seen by the client on its own connection rather than read from a capture
/// (`milter-replay --verbose`). ``TranscriptRenderer`` and ``JSONTranscriptRenderer`` render it as they
/// render a captured session, with the frame's number in the session (1, 2, 3…) where a capture's
/// transcript gives packet numbers.
public struct LiveSession: Sendable {
    /// The session's number (milter-replay: the connection's number, as in its queue IDs).
    public var number: Int
    /// The milter's address, as text.
    public var milter: String
    /// When the connection was opened: frame times are offsets from here.
    public var start: CaptureTimestamp
    /// The frames in wire order, numbered from 1.
    public var entries: [SessionEntry]

    /// Creates a session with no frames yet.
    public init(number: Int, milter: String, start: CaptureTimestamp, entries: [SessionEntry] = []) {
        self.number = number
        self.milter = milter
        self.start = start
        self.entries = entries
    }

    /// Appends a complete frame sent (`.fromMTA`) or received (`.fromMilter`) at `timestamp`, decoded
    /// as a captured frame is, and numbered after the frames already there.
    public mutating func append(_ frame: MilterFrame, direction: FrameDirection, at timestamp: CaptureTimestamp) {
        let number = entries.count + 1
        let offset = direction == .fromMTA ? bytesFromMTA : bytesFromMilter
        entries.append(
            .frame(
                CapturedFrame(
                    direction: direction, frame: frame, declaredPayloadLength: frame.payload.readableBytes,
                    missingBytes: 0, decoded: CapturedFrame.decode(frame, direction: direction), timestamp: timestamp,
                    firstPacket: number, lastPacket: number, streamOffset: offset, afterResynchronisation: false)))
        if direction == .fromMTA {
            bytesFromMTA += Int64(4 + frame.length)
        } else {
            bytesFromMilter += Int64(4 + frame.length)
        }
    }

    /// Where the next frame starts in each direction's byte stream.
    private var bytesFromMTA: Int64 = 0
    private var bytesFromMilter: Int64 = 0
}
