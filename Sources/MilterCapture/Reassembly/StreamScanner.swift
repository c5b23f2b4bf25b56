/// What the first half of a scan reports: reassembly events, and issues of packets that belong to no stream.
package enum StreamScanStep: Sendable {
    /// A reassembly event, for ``CapturedSessionExtractor``.
    case reassembly(ReassemblyEvent)
    /// An IP fragment or an undecodable packet.
    case captureIssue(CaptureIssue)
}

/// The first half of a ``MilterCaptureScanner``: reads packets, decodes them and reassembles their TCP streams.
/// The dump runs it on a thread of its own, and the milter half (``CapturedSessionExtractor``) where it renders.
package struct StreamScanner {
    private var reader: CaptureReader
    private var reassembler: TCPReassembler
    private var reassembly: [ReassemblyEvent] = []
    private var finished = false
    /// What the scan has met so far; ``CaptureStatistics/ignoredStreams`` is the extractor's to count.
    package private(set) var statistics = CaptureStatistics()
    /// The captured bytes of the packets read so far.
    package private(set) var capturedBytes = 0

    /// Scans the capture read by `reader`.
    package init(reader: CaptureReader, limits: TCPReassemblyLimits) {
        self.reader = reader
        self.reassembler = TCPReassembler(limits: limits)
    }

    /// Reads the next packet (or ends the scan) and appends what it reveals to `steps`; false once the scan has
    /// ended.
    package mutating func nextSteps(into steps: inout [StreamScanStep]) throws(CaptureError) -> Bool {
        if finished { return false }
        guard let packet = try reader.next() else {
            reassembler.finish(lastPacket: statistics.packets, into: &reassembly)
            flush(into: &steps)
            finished = true
            return true
        }
        statistics.packets += 1
        capturedBytes += packet.data.readableBytes
        switch PacketDecoder.decode(packet) {
        case .tcp(let segment):
            statistics.tcpPackets += 1
            reassembler.process(segment, packet: packet.number, timestamp: packet.timestamp, into: &reassembly)
            flush(into: &steps)
        case .fragment(let fragment):
            statistics.fragments += 1
            steps.append(.captureIssue(CaptureIssue(.ipFragment(fragment), packet: packet.number)))
        case .undecodable(let failure):
            statistics.undecodablePackets += 1
            steps.append(.captureIssue(CaptureIssue(.undecodablePacket(failure), packet: packet.number)))
        case .notTCP:
            break
        }
        return true
    }

    private mutating func flush(into steps: inout [StreamScanStep]) {
        for event in reassembly { steps.append(.reassembly(event)) }
        reassembly.removeAll(keepingCapacity: true)
    }
}

extension CapturedSessionExtractor {
    /// Handles one step of a ``StreamScanner``, appending what it reveals to `output`.
    package mutating func handle(_ step: StreamScanStep, into output: inout [MilterCaptureEvent]) {
        switch step {
        case .reassembly(let event): handle(event, into: &output)
        case .captureIssue(let issue): output.append(.issue(nil, issue))
        }
    }
}
