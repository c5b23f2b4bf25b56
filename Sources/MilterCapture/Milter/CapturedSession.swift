/// One entry of a session, in capture order.
public enum SessionEntry: Sendable {
    /// A frame from either side.
    case frame(CapturedFrame)
    /// Something that limits decoding.
    case issue(CaptureIssue)
}

/// A whole milter session recovered from a capture: the MTA's commands and the milter's replies, in order.
public struct CapturedSession: Sendable {
    /// Who talked, and since when.
    public var info: CapturedSessionInfo
    /// Frames and issues in capture order.
    public var entries: [SessionEntry]

    /// Creates a session.
    public init(info: CapturedSessionInfo, entries: [SessionEntry] = []) {
        self.info = info
        self.entries = entries
    }

    /// The frames alone.
    public var frames: [CapturedFrame] {
        entries.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }

    /// The issues alone.
    public var issues: [CaptureIssue] {
        entries.compactMap { if case .issue(let issue) = $0 { issue } else { nil } }
    }

    /// Whether every frame was captured whole and decoded, with no gap or resynchronisation.
    public var isClean: Bool {
        entries.allSatisfy { entry in
            switch entry {
            case .issue: false
            case .frame(let frame):
                if case .invalid = frame.decoded { false } else { frame.isComplete }
            }
        }
    }
}

/// Gathers scanner events into whole sessions, handing each out when its stream ends. Memory is bounded by the
/// sessions open at once, not by the capture's size.
public struct CapturedSessionCollector {
    private var open = OpenSessions<CapturedSession>()
    /// Issues that belong to no session (fragments, undecodable packets), at most ``maximumCaptureIssues``.
    public private(set) var captureIssues: [CaptureIssue] = []
    /// The most capture issues kept; the scanner's statistics count them all.
    public var maximumCaptureIssues = 1000
    /// Whether frames left undecoded by a scanner with ``MilterExtractionOptions/defersFrameDecoding`` are decoded
    /// here, on the thread that collects.
    var decodesDeferredFrames = false

    /// Creates a collector.
    public init() {}

    /// Adds an event; returns the session it completed, if any.
    public mutating func add(_ event: MilterCaptureEvent) -> CapturedSession? {
        switch event {
        case .sessionStarted(let info):
            var session = CapturedSession(info: info)
            session.entries.reserveCapacity(32)
            _ = open.start(session, stream: info.stream)
        case .frame(let stream, let frame):
            guard open.select(stream) else { return nil }
            open.current!.entries.append(.frame(decodesDeferredFrames ? frame.decodingDeferred : frame))
        case .issue(let stream?, let issue):
            if open.select(stream) { open.current!.entries.append(.issue(issue)) }
        case .issue(nil, let issue):
            if captureIssues.count < maximumCaptureIssues { captureIssues.append(issue) }
        case .sessionEnded(let stream):
            return open.end(stream)
        }
        return nil
    }
}

extension MilterCaptureScanner {
    /// Reads until the next session completes, feeding `collector`; nil at the end of the capture.
    public mutating func nextSession(collector: inout CapturedSessionCollector) throws(CaptureError) -> CapturedSession?
    {
        while let event = try next() {
            if let session = collector.add(event) { return session }
        }
        return nil
    }
}
