import NIOCore

/// The rendering thread of a text dump without export: reassembly, extraction and transcripts as one stage.
///
/// Most segments of a large capture carry the next bytes of a milter stream, start at a frame boundary and hold
/// whole frames. Their lines are written straight from the packet's bytes, without the events that reassembly
/// and extraction would otherwise build for them. Everything else (handshakes, reordering, gaps, frames split
/// across packets, frames the renderer's fast path does not describe) goes the general way, through
/// ``SessionStage`` and ``TranscriptStream``, and the text is the same either way.
struct TextDumpStage {
    private var sessions: SessionStage
    private var transcripts: TranscriptStream
    private var cursors = FastCursors()
    private let maximumFrameLength: Int

    init(sessions: SessionStage, renderer: TranscriptRenderer) {
        self.sessions = sessions
        self.transcripts = TranscriptStream(renderer: renderer)
        self.maximumFrameLength = sessions.extractor.options.maximumFrameLength
    }

    /// Issues that belong to no session.
    var captureIssues: [CaptureIssue] { transcripts.captureIssues }

    /// Adds a batch of the packet stage, appending each session's transcript to `output` as it ends.
    mutating func add(_ steps: inout PacketSteps, to output: inout DumpOutput, _ writeBytes: ([UInt8]) -> Void) {
        steps.forEach(
            segment: { add(&$0, to: &output, writeBytes) },
            issue: { _ = transcripts.add(.issue(nil, $0), to: &output.buffer) })
    }

    /// Ends the streams still open after the capture's last packet.
    mutating func end(lastPacket: Int, to output: inout DumpOutput, _ writeBytes: ([UInt8]) -> Void) {
        cursors.writeBackAll()
        render(sessions.endEvents(lastPacket: lastPacket), to: &output, writeBytes)
    }

    /// The statistics of the whole scan, with the streams found not to be milter traffic.
    func complete(_ statistics: CaptureStatistics) -> CaptureStatistics { sessions.complete(statistics) }

    private mutating func add(
        _ scanned: inout ScannedSegment, to output: inout DumpOutput, _ writeBytes: ([UInt8]) -> Void
    ) {
        let length = scanned.segment.payload.readableBytes
        let (packet, timestamp) = (scanned.packet, scanned.timestamp)
        if let index = cursors.index(continuing: scanned.segment) {
            let (id, sender) = (cursors[index].id, cursors[index].sender)
            let taken = scanned.segment.payload.withUnsafeReadableBytes {
                let taken = wholeFrames($0, id, sender, packet: packet, timestamp: timestamp)
                cursors[index].took($0, packet: packet, timestamp: timestamp)
                return taken
            }
            guard taken < length else { return }
            let cursor = cursors[index]
            cursors.writeBackAll()
            let end = cursor.connection.directions[cursor.direction.rawValue].next
            return addRest(
                of: scanned, from: taken, streamOffset: end - Int64(length), cursor.id, cursor.direction, &output,
                writeBytes)
        }
        if length == 0
            && sessions.reassembler.takeBareAcknowledgement(
                scanned.segment, packet: packet, otherNext: cursors.nextSequence(answeredBy: scanned.segment))
        {
            return
        }
        cursors.writeBack(connectionOf: scanned.segment)
        guard let data = sessions.reassembler.takeInOrder(scanned.segment, packet: scanned.packet) else {
            cursors.writeBackAll()
            return render(sessions.events(of: scanned), to: &output, writeBytes)
        }
        var taken = 0
        if let (sender, stream) = sessions.extractor.takeWholeFrames(
            data.id, data.direction, timestamp: scanned.timestamp)
        {
            taken = scanned.segment.payload.withUnsafeReadableBytes {
                wholeFrames($0, data.id, sender, packet: packet, timestamp: timestamp)
            }
            if taken == length {
                let next = scanned.segment.sequenceNumber &+ UInt32(truncatingIfNeeded: length)
                return cursors.add(
                    FastCursor(scanned.segment, data, sender: sender, stream: stream, nextSequence: next))
            }
        }
        cursors.writeBackAll()
        addRest(of: scanned, from: taken, streamOffset: data.streamOffset, data.id, data.direction, &output, writeBytes)
    }

    /// Hands the bytes of a taken segment from `taken` on, which the fast way left, to extraction.
    private mutating func addRest(
        of scanned: borrowing ScannedSegment, from taken: Int, streamOffset: Int64, _ id: StreamID,
        _ direction: StreamDirection, _ output: inout DumpOutput, _ writeBytes: ([UInt8]) -> Void
    ) {
        let payload = scanned.segment.payload
        let rest = StreamData(
            bytes: payload.getSlice(at: payload.readerIndex + taken, length: payload.readableBytes - taken)!,
            streamOffset: streamOffset + Int64(taken), packet: scanned.packet, timestamp: scanned.timestamp)
        render(sessions.events(of: rest, id, direction), to: &output, writeBytes)
    }

    /// Writes the lines of the whole frames at the start of `raw` that the fast path describes; returns the bytes
    /// they took. The first frame that is cut, has an invalid length or needs the general way stops it.
    private mutating func wholeFrames(
        _ raw: UnsafeRawBufferPointer, _ id: StreamID, _ sender: FrameDirection, packet: Int,
        timestamp: CaptureTimestamp
    ) -> Int {
        var position = 0
        while raw.count - position >= 5 {
            let length = Int(raw.loadUnaligned(fromByteOffset: position, as: UInt32.self).bigEndian)
            guard length >= 1, length <= maximumFrameLength, length <= raw.count - position - 4 else { break }
            let payload = UnsafeRawBufferPointer(rebasing: raw[(position + 5)..<(position + 4 + length)])
            guard
                transcripts.addWholeFrame(
                    id, sender, command: raw[position + 4], payload: payload, packet: packet,
                    timestamp: timestamp)
            else { break }
            position += 4 + length
        }
        return position
    }

    private mutating func render(
        _ events: [MilterCaptureEvent], to output: inout DumpOutput, _ writeBytes: ([UInt8]) -> Void
    ) {
        for event in events {
            if let clean = transcripts.add(event, to: &output.buffer) { output.ended(clean: clean, writeBytes) }
        }
    }
}
