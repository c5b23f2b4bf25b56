import MilterProtocol

/// How milter sessions are found and decoded in a capture.
public struct MilterExtractionOptions: Sendable {
    /// What to do when the position of the next frame is unknown.
    public enum Resynchronisation: Hashable, Sendable {
        /// Search for a plausible frame boundary with the ``boundaryFinder``; frames found so are flagged.
        case resynchronise
        /// Report and decode nothing more in that direction.
        case stop
    }

    /// Streams with one of these ports at either end are milter streams (`--port`).
    public var milterPorts: Set<UInt16>
    /// Whether a stream whose first frame is a valid OPTNEG is a milter stream, whatever its ports.
    public var detectByOptionNegotiation: Bool
    /// The largest frame length (payload plus command byte) accepted, checked before buffering.
    public var maximumFrameLength: Int
    /// The policy when a capture starts inside a stream.
    public var afterMidstreamStart: Resynchronisation
    /// The policy after a gap whose bytes hid a frame boundary.
    public var afterGap: Resynchronisation
    /// The hook that finds frame boundaries when resynchronising.
    public var boundaryFinder: any FrameBoundaryFinder
    /// The most bytes a direction holds while searching for a frame boundary, checked before new bytes are
    /// added: bytes that would pass it make the direction drop those it holds, and all but the last
    /// `maximumResynchronisationWindow` of the new ones, with a
    /// ``CaptureIssue/Kind/resynchronisationWindowDropped(bytes:)`` issue. 256 KiB by default: the default
    /// ``PlausibleFrameBoundaryFinder`` never holds more than a 64 KiB frame and the next header, so only a finder
    /// of its own or of a larger `maximumLength` reaches it.
    public var maximumResynchronisationWindow: Int
    /// The most bytes held while searching for frame boundaries over all streams together; beyond it the
    /// direction holding the most drops them, with a ``CaptureIssue/Kind/resynchronisationWindowDropped(bytes:)``
    /// issue. 64 MiB by default, as ``maximumUnfinishedFrameBytesTotal``: a thousand searches of a whole frame.
    public var maximumResynchronisationBytesTotal: Int
    /// The most memory a stream not yet recognised as milter traffic (or not) holds: its bytes, copied out of the
    /// read buffers, and 64 bytes for each event kept (gaps, closes). Checked before an event is kept; past it the
    /// stream is ignored with an ``CaptureIssue/Kind/unrecognisedStreamDropped(stream:bytes:)`` capture issue.
    /// 128 KiB by default: twice the longest OPTNEG recognised (64 KiB), since the other direction's bytes and
    /// the events count too. A stream is anyway taken for other traffic once more than 64 KiB of its data came
    /// without a verdict.
    public var maximumUnrecognisedBytesPerStream: Int
    /// The most memory held by streams not yet recognised, over all streams together; beyond it the stream
    /// holding the most is ignored, with an ``CaptureIssue/Kind/unrecognisedStreamDropped(stream:bytes:)`` issue.
    /// 64 MiB by default, as ``maximumUnfinishedFrameBytesTotal``: 512 streams at their limit.
    public var maximumUnrecognisedBytesTotal: Int
    /// The most memory held over all streams together by frames being received (a header read, its payload not
    /// yet whole); beyond it the direction holding the largest lets go of that frame's payload: the frame is
    /// followed to its end and shown truncated, and an ``CaptureIssue/Kind/unfinishedFrameDropped(bytes:)`` issue
    /// names it.
    public var maximumUnfinishedFrameBytesTotal: Int
    /// Bounds on TCP reassembly.
    public var reassemblyLimits: TCPReassemblyLimits
    /// Bounds on the capture file reader.
    public var readerLimits: CaptureReaderLimits
    /// Frames are cut but not decoded: complete frames carry ``DecodedFrame/truncated`` until a collector with
    /// `decodesDeferredFrames` decodes them. The dump sets it so that decoding runs on its rendering thread.
    var defersFrameDecoding = false
    /// A frame that arrives whole in one segment keeps a slice of the packet's bytes instead of a copy. No copy is
    /// made, but each such frame holds on to the capture reader's buffer (1 MiB) for as long as it lives, so only a
    /// consumer that drops frames soon should set it: the text dump does, as it keeps only their transcript lines.
    var sharesPacketBytes = false

    /// Creates options; by default streams are found by OPTNEG, frames up to 1 MiB are accepted, frames being
    /// received hold at most 64 MiB together, and decoding resynchronises after mid-stream starts and gaps;
    /// a boundary search holds at most 256 KiB a direction and all of them 64 MiB together; a stream not yet
    /// recognised holds at most 128 KiB and all of them 64 MiB together.
    public init(
        milterPorts: Set<UInt16> = [], detectByOptionNegotiation: Bool = true,
        maximumFrameLength: Int = MilterFrameLimits.replies.maximumPayloadLength + 1,
        afterMidstreamStart: Resynchronisation = .resynchronise, afterGap: Resynchronisation = .resynchronise,
        boundaryFinder: any FrameBoundaryFinder = PlausibleFrameBoundaryFinder(),
        maximumResynchronisationWindow: Int = 256 * 1024, maximumUnfinishedFrameBytesTotal: Int = 64 << 20,
        maximumResynchronisationBytesTotal: Int = 64 << 20, maximumUnrecognisedBytesPerStream: Int = 128 << 10,
        maximumUnrecognisedBytesTotal: Int = 64 << 20,
        reassemblyLimits: TCPReassemblyLimits = TCPReassemblyLimits(),
        readerLimits: CaptureReaderLimits = CaptureReaderLimits()
    ) {
        self.milterPorts = milterPorts
        self.detectByOptionNegotiation = detectByOptionNegotiation
        self.maximumFrameLength = maximumFrameLength
        self.afterMidstreamStart = afterMidstreamStart
        self.afterGap = afterGap
        self.boundaryFinder = boundaryFinder
        self.maximumResynchronisationWindow = maximumResynchronisationWindow
        self.maximumUnfinishedFrameBytesTotal = maximumUnfinishedFrameBytesTotal
        self.maximumResynchronisationBytesTotal = maximumResynchronisationBytesTotal
        self.maximumUnrecognisedBytesPerStream = maximumUnrecognisedBytesPerStream
        self.maximumUnrecognisedBytesTotal = maximumUnrecognisedBytesTotal
        self.reassemblyLimits = reassemblyLimits
        self.readerLimits = readerLimits
    }
}
