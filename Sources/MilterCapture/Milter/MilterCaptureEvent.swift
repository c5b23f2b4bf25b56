/// A milter session found in a capture: one TCP connection between an MTA and a milter.
public struct CapturedSessionInfo: Hashable, Sendable {
    /// How the stream was recognised as milter traffic.
    public enum Identification: Hashable, Sendable {
        /// One end uses a port given in ``MilterExtractionOptions/milterPorts``.
        case port
        /// The stream's first frame is a valid OPTNEG.
        case optionNegotiation
    }

    /// The TCP stream.
    public var stream: StreamID
    /// The MTA's end.
    public var mta: Endpoint
    /// The milter's end.
    public var milter: Endpoint
    /// Whether the TCP handshake was captured.
    public var handshakeSeen: Bool
    /// The stream's first packet.
    public var firstPacket: Int
    /// When the stream's first packet was captured: transcripts count time from here.
    public var startTimestamp: CaptureTimestamp
    /// How the stream was recognised.
    public var identifiedBy: Identification

    /// Creates session information.
    public init(
        stream: StreamID, mta: Endpoint, milter: Endpoint, handshakeSeen: Bool, firstPacket: Int,
        startTimestamp: CaptureTimestamp, identifiedBy: Identification
    ) {
        self.stream = stream
        self.mta = mta
        self.milter = milter
        self.handshakeSeen = handshakeSeen
        self.firstPacket = firstPacket
        self.startTimestamp = startTimestamp
        self.identifiedBy = identifiedBy
    }
}

/// What milter extraction reports, in capture order.
public enum MilterCaptureEvent: Sendable {
    /// A milter session began (or was recognised).
    case sessionStarted(CapturedSessionInfo)
    /// A frame of a session.
    case frame(StreamID, CapturedFrame)
    /// An issue: of a session when a stream is given, of the capture otherwise.
    case issue(StreamID?, CaptureIssue)
    /// A session's stream ended; no more events name it.
    case sessionEnded(StreamID)
}
