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
    /// The most bytes held while searching for a frame boundary.
    public var maximumResynchronisationWindow: Int
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
    /// received hold at most 64 MiB together, and decoding resynchronises after mid-stream starts and gaps.
    public init(
        milterPorts: Set<UInt16> = [], detectByOptionNegotiation: Bool = true,
        maximumFrameLength: Int = MilterFrameLimits.replies.maximumPayloadLength + 1,
        afterMidstreamStart: Resynchronisation = .resynchronise, afterGap: Resynchronisation = .resynchronise,
        boundaryFinder: any FrameBoundaryFinder = PlausibleFrameBoundaryFinder(),
        maximumResynchronisationWindow: Int = 256 * 1024, maximumUnfinishedFrameBytesTotal: Int = 64 << 20,
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
        self.reassemblyLimits = reassemblyLimits
        self.readerLimits = readerLimits
    }
}
