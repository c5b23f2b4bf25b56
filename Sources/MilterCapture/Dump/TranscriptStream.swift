import MilterProtocol
import NIOCore

/// Renders scan events as transcript text without gathering whole sessions first: each open session keeps only
/// its text so far, and frames are dropped as soon as their line is written. Sessions come out when their streams
/// end, with the same text and in the same order as ``CapturedSessionCollector`` and ``TranscriptRenderer`` give.
struct TranscriptStream {
    private struct Session {
        let info: CapturedSessionInfo
        var text: [UInt8]
        var counts = TranscriptCounts()
    }

    let renderer: TranscriptRenderer
    private var open = OpenSessions<Session>()
    /// The latest complete OPTNEG of each direction (MTA, milter): its payload, the frame decoded, its description.
    private var lastNegotiations: [(payload: ByteBuffer, frame: CapturedFrame, description: [UInt8])?] = [nil, nil]
    /// Text buffers of ended sessions, for reuse.
    private var spareBuffers: [[UInt8]] = []
    /// Issues that belong to no session, at most ``CapturedSessionCollector/maximumCaptureIssues`` of them.
    private(set) var captureIssues: [CaptureIssue] = []
    let maximumCaptureIssues = CapturedSessionCollector().maximumCaptureIssues

    init(renderer: TranscriptRenderer) {
        self.renderer = renderer
    }

    /// Adds an event. When it ends a session, the session's transcript is appended to `output` and the result says
    /// whether the session was clean; otherwise the result is nil.
    mutating func add(_ event: MilterCaptureEvent, to output: inout [UInt8]) -> Bool? {
        switch event {
        case .sessionStarted(let info):
            var text = spareBuffers.popLast() ?? []
            renderer.appendHeader(info, to: &text)
            if var replaced = open.start(Session(info: info, text: text), stream: info.stream) { recycle(&replaced) }
        case .frame(let stream, let frame):
            guard open.select(stream) else { return nil }
            let start = open.current!.info.startTimestamp
            if frame.isComplete,
                frame.frame.payload.withUnsafeReadableBytes({ payload in
                    renderer.appendFastLine(
                        command: frame.frame.command, direction: frame.direction, payload: payload,
                        packets: (frame.firstPacket, frame.lastPacket), at: frame.timestamp, start: start,
                        afterResynchronisation: frame.afterResynchronisation, to: &open.current!.text)
                })
            {
                open.current!.counts.count(frame.direction)
            } else {
                renderer.appendLineStart(frame, start: start, to: &open.current!.text)
                appendGeneralDescription(frame)
                renderer.appendLineEnd(frame, to: &open.current!.text)
            }
        case .issue(let stream?, let issue):
            guard open.select(stream) else { return nil }
            renderer.appendIssueLine(issue, to: &open.current!.text)
            open.current!.counts.issues += 1
            open.current!.counts.clean = false
        case .issue(nil, let issue):
            if captureIssues.count < maximumCaptureIssues { captureIssues.append(issue) }
        case .sessionEnded(let stream):
            guard var session = open.end(stream) else { return nil }
            output += session.text
            renderer.appendFooter(stream, session.counts, to: &output)
            recycle(&session)
            return session.counts.clean
        }
        return nil
    }

    /// Adds the line of a frame captured whole in one packet, rendered straight from its bytes, when the renderer's
    /// fast path knows the frame's kind and the stream has a session open: what ``add(_:to:)`` gives for that
    /// frame. Otherwise false, and nothing is added.
    mutating func addWholeFrame(
        _ stream: StreamID, _ direction: FrameDirection, command: UInt8, payload: UnsafeRawBufferPointer,
        packet: Int, timestamp: CaptureTimestamp
    ) -> Bool {
        guard open.select(stream) else { return false }
        if command == MilterCommand.ID.optionNegotiation.rawValue {
            return addRepeatedNegotiation(direction, payload: payload, packet: packet, timestamp: timestamp)
        }
        guard
            renderer.appendFastLine(
                command: command, direction: direction, payload: payload, packets: (packet, packet), at: timestamp,
                start: open.current!.info.startTimestamp, to: &open.current!.text)
        else { return false }
        open.current!.counts.count(direction)
        return true
    }

    /// The line of an OPTNEG like the previous one of its direction, from that one's description (as
    /// ``appendGeneralDescription(_:)`` gives it); false for any other.
    private mutating func addRepeatedNegotiation(
        _ direction: FrameDirection, payload: UnsafeRawBufferPointer, packet: Int, timestamp: CaptureTimestamp
    ) -> Bool {
        guard let last = lastNegotiations[direction == .fromMTA ? 0 : 1],
            last.payload.withUnsafeReadableBytes({ $0.elementsEqual(payload) })
        else { return false }
        let start = open.current!.info.startTimestamp
        renderer.appendLineStart(direction, packet, packet, at: timestamp, start: start, to: &open.current!.text)
        open.current!.text += last.description
        open.current!.text.append(10)
        open.current!.counts.count(last.frame)
        return true
    }

    /// Decodes and describes a frame the fast path leaves alone. An OPTNEG like the previous one of its direction
    /// (an MTA and a milter negotiate alike on every connection) reuses that one's description.
    private mutating func appendGeneralDescription(_ frame: CapturedFrame) {
        let side = frame.direction == .fromMTA ? 0 : 1
        let isNegotiation = frame.isComplete && frame.frame.command == MilterCommand.ID.optionNegotiation.rawValue
        if isNegotiation, let last = lastNegotiations[side], last.payload == frame.frame.payload {
            open.current!.text += last.description
            open.current!.counts.count(last.frame)
            return
        }
        let decoded = frame.decodingDeferred
        let start = open.current!.text.count
        renderer.appendDescription(FrameDescription(decoded), to: &open.current!.text)
        open.current!.counts.count(decoded)
        if isNegotiation {
            lastNegotiations[side] = (frame.frame.payload, decoded, Array(open.current!.text[start...]))
        }
    }

    /// Keeps a few emptied text buffers (of bounded size) for the next sessions.
    private mutating func recycle(_ session: inout Session) {
        var buffer: [UInt8] = []
        swap(&buffer, &session.text)
        guard spareBuffers.count < 16, buffer.capacity <= 1 << 20 else { return }
        buffer.removeAll(keepingCapacity: true)
        spareBuffers.append(buffer)
    }
}
