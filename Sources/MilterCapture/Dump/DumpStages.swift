/// The stream and milter stages of a scan, on the rendering thread: reassembles the segments of a batch and turns
/// what that reveals into milter events.
struct SessionStage {
    var reassembler: TCPReassembler
    var extractor: CapturedSessionExtractor
    private var streamEvents: [ReassemblyEvent] = []
    private var buffer: [MilterCaptureEvent] = []

    init(reassembler: TCPReassembler, extractor: CapturedSessionExtractor) {
        self.reassembler = reassembler
        self.extractor = extractor
    }

    /// The events of `steps`, in order; the array is reused by the next call.
    mutating func events(of steps: inout PacketSteps) -> [MilterCaptureEvent] {
        buffer.removeAll(keepingCapacity: true)
        steps.forEach(segment: { add($0) }, issue: { buffer.append(.issue(nil, $0)) })
        return buffer
    }

    /// The events of one segment; the array is reused by the next call.
    mutating func events(of segment: ScannedSegment) -> [MilterCaptureEvent] {
        buffer.removeAll(keepingCapacity: true)
        add(segment)
        return buffer
    }

    /// The events of `data`, delivered in order to a direction of stream `id` (what ``TCPReassembler`` reports
    /// for a segment that ``TCPReassembler/takeInOrder(_:packet:)`` took); the array is reused by the next call.
    mutating func events(of data: StreamData, _ id: StreamID, _ direction: StreamDirection) -> [MilterCaptureEvent] {
        buffer.removeAll(keepingCapacity: true)
        extractor.handle(.data(id, direction, data), into: &buffer)
        return buffer
    }

    /// The events of the end of the capture, after its last packet; the array is reused by the next call.
    mutating func endEvents(lastPacket: Int) -> [MilterCaptureEvent] {
        buffer.removeAll(keepingCapacity: true)
        reassembler.finish(lastPacket: lastPacket, into: &streamEvents)
        handleStreamEvents()
        return buffer
    }

    private mutating func add(_ segment: ScannedSegment) {
        reassembler.process(
            segment.segment, packet: segment.packet, timestamp: segment.timestamp, into: &streamEvents)
        handleStreamEvents()
    }

    private mutating func handleStreamEvents() {
        for event in streamEvents { extractor.handle(event, into: &buffer) }
        streamEvents.removeAll(keepingCapacity: true)
    }

    /// The statistics of the whole scan, with the streams the extractor found not to be milter traffic.
    func complete(_ statistics: CaptureStatistics) -> CaptureStatistics {
        var statistics = statistics
        statistics.ignoredStreams = extractor.ignoredStreamCount
        statistics.milterLikeIgnoredStreams = extractor.milterLikeIgnoredStreamCount
        statistics.droppedUnrecognisedStreams = extractor.droppedUnrecognisedStreamCount
        return statistics
    }
}

/// The rendering side of a dump: one reused output buffer, the export, the counts.
struct DumpOutput {
    let format: CaptureDump.Format
    let chunkSize: Int
    let exportDirectory: String?
    let text = TranscriptRenderer()
    let json = JSONTranscriptRenderer()
    var buffer: [UInt8] = []
    var summary = CaptureDump.Summary(
        statistics: CaptureStatistics(), sessions: 0, sessionsWithIssues: 0, exportedMessages: 0)
    /// Each stream that had messages exported, with their count: their files are renamed once the largest stream
    /// number is known (``EMLExporter/padStreamNumbers(in:streams:)``). Two words a session.
    var exportedStreams: [(stream: Int, messages: Int)] = []

    init(format: CaptureDump.Format, chunkSize: Int, exportDirectory: String?) {
        self.format = format
        self.chunkSize = chunkSize
        self.exportDirectory = exportDirectory
        buffer.reserveCapacity(min(chunkSize, 1 << 24) + 64 * 1024)
    }

    /// Counts a session whose transcript ``TranscriptStream`` appended to ``buffer``.
    mutating func ended(clean: Bool, _ writeBytes: ([UInt8]) -> Void) {
        summary.sessions += 1
        if !clean { summary.sessionsWithIssues += 1 }
        if buffer.count >= chunkSize { flush(writeBytes) }
    }

    mutating func add(_ session: CapturedSession, _ writeBytes: ([UInt8]) -> Void) throws(CaptureDump.Failure) {
        summary.sessions += 1
        let clean: Bool
        switch format {
        case .text: clean = text.appendTranscript(session, to: &buffer)
        case .json:
            clean = session.isClean
            buffer += json.render(session).utf8
        }
        if !clean { summary.sessionsWithIssues += 1 }
        if buffer.count >= chunkSize { flush(writeBytes) }
        if let exportDirectory {
            let messages = EMLExporter.messages(in: session)
            do throws(EMLExportError) { try EMLExporter.write(messages, to: exportDirectory) } catch {
                flush(writeBytes)
                throw .export(error)
            }
            summary.exportedMessages += messages.count
            if !messages.isEmpty { exportedStreams.append((session.info.stream.index, messages.count)) }
        }
    }

    /// Pads the stream numbers of the exported files' names to one width, the largest's digit count.
    mutating func padExportedNames(_ writeBytes: ([UInt8]) -> Void) throws(CaptureDump.Failure) {
        guard let exportDirectory else { return }
        do throws(EMLExportError) {
            try EMLExporter.padStreamNumbers(in: exportDirectory, streams: exportedStreams)
        } catch {
            flush(writeBytes)
            throw .export(error)
        }
    }

    mutating func finish(
        _ statistics: CaptureStatistics, captureIssues: [CaptureIssue], _ writeBytes: ([UInt8]) -> Void
    ) {
        summary.statistics = statistics
        if format == .text {
            buffer += text.renderSummary(statistics, sessions: summary.sessions, captureIssues: captureIssues).utf8
        }
        flush(writeBytes)
    }

    mutating func flush(_ writeBytes: ([UInt8]) -> Void) {
        guard !buffer.isEmpty else { return }
        writeBytes(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
