import MilterProtocol
import NIOCore

/// Cuts one direction's byte stream into milter frames, tolerating gaps of known length inside payloads and
/// resynchronising (or stopping) when a gap or a mid-stream start hides where frames begin.
struct FrameAssembler {
    enum Mode {
        case synchronised
        case resynchronising
        case stopped(ignoredBytes: Int)
    }

    let stream: StreamID
    let direction: FrameDirection
    let options: MilterExtractionOptions
    var mode: Mode = .synchronised
    /// Frames and issues, in order; the extractor lends its own array here while it feeds the assembler.
    var output: [MilterCaptureEvent] = []
    private var header = FrameHeaderAccumulator()
    private var partial: PartialFrame?
    private var afterResynchronisation = false
    var window = ResynchronisationWindow()
    /// Bytes dropped by the current boundary search before the window.
    var skippedWhileSearching = 0

    init(stream: StreamID, direction: FrameDirection, options: MilterExtractionOptions) {
        self.stream = stream
        self.direction = direction
        self.options = options
    }

    /// The sender, when the assembler is in step at the start of a frame with nothing of it received: whole
    /// frames could then be cut without it. Mutating only so that a caller reaches it in place, not on a copy.
    mutating func frameBoundarySender() -> FrameDirection? {
        guard case .synchronised = mode, partial == nil, header.count == 0, !afterResynchronisation else { return nil }
        return direction
    }

    mutating func receive(_ data: StreamData) {
        switch mode {
        case .synchronised: consume(data)
        case .resynchronising: resynchronise(adding: data, isFinal: false)
        case .stopped(let ignored): mode = .stopped(ignoredBytes: ignored + data.bytes.readableBytes)
        }
    }

    /// Consumes bytes in frame order; on a bad header the rest goes to resynchronisation.
    mutating func consume(_ data: StreamData) {
        var bytes = data.bytes
        var offset = data.streamOffset
        while bytes.readableBytes > 0 {
            let before = bytes.readableBytes
            if var frame = partial {
                partial = nil  // keeps the payload buffer uniquely referenced, so appending does not copy it
                frame.append(&bytes, packet: data.packet)
                if frame.isComplete { complete(frame, timestamp: data.timestamp) } else { partial = frame }
            } else if let (length, command) = header.take(&bytes, offset: offset, packet: data.packet) {
                guard length >= 1, length <= options.maximumFrameLength else {
                    report(.invalidFrameLength(length), packet: data.packet, offset: header.startOffset)
                    header = FrameHeaderAccumulator()
                    offset += Int64(before - bytes.readableBytes)
                    loseBoundary(
                        remaining: StreamData(
                            bytes: bytes, streamOffset: offset, packet: data.packet,
                            timestamp: data.timestamp), policy: options.afterGap)
                    return
                }
                let frame =
                    options.sharesPacketBytes && length > 1 && bytes.readableBytes >= length - 1
                    ? PartialFrame(
                        command: command, wholePayload: bytes.readSlice(length: length - 1)!,
                        streamOffset: header.startOffset, firstPacket: header.firstPacket, lastPacket: data.packet)
                    : PartialFrame(
                        command: command, declaredLength: length - 1, streamOffset: header.startOffset,
                        firstPacket: header.firstPacket)
                header = FrameHeaderAccumulator()
                if frame.isComplete { complete(frame, timestamp: data.timestamp) } else { partial = frame }
            }
            offset += Int64(before - bytes.readableBytes)
        }
    }

    private mutating func complete(_ frame: PartialFrame, timestamp: CaptureTimestamp) {
        partial = nil
        let milterFrame = MilterFrame(command: frame.command, payload: frame.payload)
        let decoded =
            frame.missing == 0 && !options.defersFrameDecoding
            ? CapturedFrame.decode(milterFrame, direction: direction) : .truncated
        output.append(
            .frame(
                stream,
                CapturedFrame(
                    direction: direction, frame: milterFrame,
                    declaredPayloadLength: frame.declaredLength, missingBytes: frame.missing, decoded: decoded,
                    timestamp: timestamp, firstPacket: frame.firstPacket, lastPacket: frame.lastPacket,
                    streamOffset: frame.streamOffset, afterResynchronisation: afterResynchronisation)))
        afterResynchronisation = false
    }

    /// A gap: inside a payload its length is absorbed; anywhere else the next frame boundary is lost.
    mutating func gap(_ gap: StreamGap, lastTimestamp: CaptureTimestamp) {
        if case .resynchronising = mode {
            // The bytes before the gap may start a frame that the gap cuts: accept a plausible header there.
            resynchronise(adding: nil, isFinal: true)
        }
        reportGap(gap)
        switch mode {
        case .synchronised: absorb(gap, packet: gap.packet, timestamp: lastTimestamp)
        case .resynchronising: skippedWhileSearching += window.discardAll()
        case .stopped: break
        }
    }

    private mutating func reportGap(_ gap: StreamGap) {
        let kind: CaptureIssue.Kind =
            switch gap.cause {
            case .truncatedPacket: .truncatedPacket(missingBytes: gap.length ?? 0)
            case .missingSegments: .missingSegments(length: gap.length)
            }
        let reference = partial.map {
            CaptureIssue.FrameReference(
                command: $0.command, declaredPayloadLength: $0.declaredLength, firstPacket: $0.firstPacket)
        }
        output.append(
            .issue(
                stream,
                CaptureIssue(
                    kind, direction: direction, packet: gap.packet, streamOffset: gap.streamOffset, frame: reference)))
    }

    private mutating func absorb(_ gap: StreamGap, packet: Int, timestamp: CaptureTimestamp) {
        if var frame = partial, let length = gap.length, length <= Int64(frame.remaining) {
            partial = nil
            frame.skip(Int(length), packet: packet)
            if frame.isComplete { complete(frame, timestamp: timestamp) } else { partial = frame }
            return
        }
        if var frame = partial {
            frame.skip(frame.remaining, packet: packet)
            complete(frame, timestamp: timestamp)
        }
        header = FrameHeaderAccumulator()
        loseBoundary(remaining: nil, policy: options.afterGap, packet: packet, offset: gap.streamOffset)
    }

    mutating func loseBoundary(
        remaining: StreamData?, policy: MilterExtractionOptions.Resynchronisation, announce: Bool = true,
        packet: Int? = nil, offset: Int64? = nil
    ) {
        let packet = remaining?.packet ?? packet
        let offset = remaining?.streamOffset ?? offset
        switch policy {
        case .stop:
            report(.decodingStopped, packet: packet, offset: offset)
            mode = .stopped(ignoredBytes: remaining?.bytes.readableBytes ?? 0)
        case .resynchronise:
            if announce { report(.frameBoundaryLost, packet: packet, offset: offset) }
            mode = .resynchronising
            window = ResynchronisationWindow()
            skippedWhileSearching = 0
            if let remaining, remaining.bytes.readableBytes > 0 { resynchronise(adding: remaining, isFinal: false) }
        }
    }

    mutating func report(_ kind: CaptureIssue.Kind, packet: Int?, offset: Int64?) {
        output.append(.issue(stream, CaptureIssue(kind, direction: direction, packet: packet, streamOffset: offset)))
    }

    /// The stream ended: an unfinished frame or search is reported.
    mutating func finish() {
        if case .resynchronising = mode { resynchronise(adding: nil, isFinal: true) }
        switch mode {
        case .stopped(let ignored) where ignored > 0: report(.undecodedBytes(ignored), packet: nil, offset: nil)
        case .resynchronising:
            report(
                .resynchronisationFailed(discardedBytes: window.discardAll() + skippedWhileSearching), packet: nil,
                offset: nil)
        default: break
        }
        if let frame = partial {
            report(
                .incompleteFrame(
                    command: frame.command, declaredPayloadLength: frame.declaredLength,
                    receivedBytes: frame.receivedBytes), packet: frame.lastPacket, offset: frame.streamOffset)
        } else if header.count > 0 {
            report(
                .incompleteFrame(command: nil, declaredPayloadLength: nil, receivedBytes: header.count),
                packet: header.firstPacket, offset: header.startOffset)
        }
        partial = nil
        header = FrameHeaderAccumulator()
    }

    mutating func markResynchronised() { afterResynchronisation = true }

    /// The memory held by the frame being received, if any.
    var unfinishedFrameBytes: Int { partial?.heldBytes ?? 0 }

    /// Lets go of the payload of the frame being received, to keep the memory budget: the frame is still followed
    /// to its end (so the next frame is found) and comes out truncated; an issue names it, at `packet` (by default
    /// the frame's latest). Returns the memory let go.
    mutating func dropUnfinishedFrame(detectedAt packet: Int? = nil) -> Int {
        guard var frame = partial else { return 0 }
        partial = nil  // keeps the payload buffer uniquely referenced, so that dropping frees it
        let held = frame.heldBytes
        let bytes = frame.dropPayload()
        output.append(
            .issue(
                stream,
                CaptureIssue(
                    .unfinishedFrameDropped(bytes: bytes), direction: direction, packet: packet ?? frame.lastPacket,
                    streamOffset: frame.streamOffset,
                    frame: CaptureIssue.FrameReference(
                        command: frame.command, declaredPayloadLength: frame.declaredLength,
                        firstPacket: frame.firstPacket))))
        partial = frame
        return held - frame.heldBytes
    }
}
