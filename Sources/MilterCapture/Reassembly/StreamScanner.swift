/// What the first half of a scan reports, in order: reassembly events, and the issues of packets that belong to
/// no stream (IP fragments, undecodable packets), each kept with the number of events that came before it.
package struct StreamSteps: Sendable {
    /// The reassembly events, for ``CapturedSessionExtractor``.
    package var events: [ReassemblyEvent] = []
    /// The capture issues, each with the count of ``events`` before it.
    package var captureIssues: [(eventsBefore: Int, issue: CaptureIssue)] = []

    /// Events and issues together.
    package var count: Int { events.count + captureIssues.count }

    /// Empty steps.
    package init() {}

    /// Drops everything, keeping the arrays' storage.
    package mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        captureIssues.removeAll(keepingCapacity: true)
    }
}

/// The first half of a ``MilterCaptureScanner``: reads packets, decodes them and reassembles their TCP streams.
/// The dump runs it on a thread of its own, and the milter half (``CapturedSessionExtractor``) where it renders.
package struct StreamScanner {
    private var reader: CaptureReader
    private var reassembler: TCPReassembler
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
    package mutating func nextSteps(into steps: inout StreamSteps) throws(CaptureError) -> Bool {
        if finished { return false }
        guard let packet = try reader.next() else {
            reassembler.finish(lastPacket: statistics.packets, into: &steps.events)
            finished = true
            return true
        }
        statistics.packets += 1
        capturedBytes += packet.data.readableBytes
        switch PacketDecoder.decode(packet) {
        case .tcp(let segment):
            statistics.tcpPackets += 1
            reassembler.process(segment, packet: packet.number, timestamp: packet.timestamp, into: &steps.events)
        case .fragment(let fragment):
            statistics.fragments += 1
            steps.captureIssues.append((steps.events.count, CaptureIssue(.ipFragment(fragment), packet: packet.number)))
        case .undecodable(let failure):
            statistics.undecodablePackets += 1
            steps.captureIssues.append(
                (steps.events.count, CaptureIssue(.undecodablePacket(failure), packet: packet.number)))
        case .notTCP:
            break
        }
        return true
    }

}

extension CapturedSessionExtractor {
    /// Handles the steps of a ``StreamScanner`` in order, appending what they reveal to `output`.
    package mutating func handle(_ steps: StreamSteps, into output: inout [MilterCaptureEvent]) {
        var issues = steps.captureIssues.makeIterator()
        var issue = issues.next()
        for index in steps.events.indices {
            while let (eventsBefore, captureIssue) = issue, eventsBefore == index {
                output.append(.issue(nil, captureIssue))
                issue = issues.next()
            }
            handle(steps.events[index], into: &output)
        }
        while let (_, captureIssue) = issue {
            output.append(.issue(nil, captureIssue))
            issue = issues.next()
        }
    }
}
