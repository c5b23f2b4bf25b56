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
package struct StreamScanner {
    private var packets: PacketScanner
    private var reassembler: TCPReassembler
    private var packetSteps = PacketSteps()
    private var finished = false
    /// What the scan has met so far; ``CaptureStatistics/ignoredStreams`` is the extractor's to count.
    package var statistics: CaptureStatistics { packets.statistics }

    /// Scans the capture read by `reader`.
    package init(reader: CaptureReader, limits: TCPReassemblyLimits) {
        self.packets = PacketScanner(reader: reader)
        self.reassembler = TCPReassembler(limits: limits)
    }

    /// Reads the next packet (or ends the scan) and appends what it reveals to `steps`; false once the scan has
    /// ended.
    package mutating func nextSteps(into steps: inout StreamSteps) throws(CaptureError) -> Bool {
        if finished { return false }
        packetSteps.removeAll()
        guard try packets.nextSteps(into: &packetSteps) else {
            reassembler.finish(lastPacket: statistics.packets, into: &steps.events)
            finished = true
            return true
        }
        packetSteps.forEach(
            segment: {
                reassembler.process($0.segment, packet: $0.packet, timestamp: $0.timestamp, into: &steps.events)
            },
            issue: { steps.captureIssues.append((steps.events.count, $0)) })
        return true
    }

    /// The two stages, for a caller that runs them on two threads: packets, and their reassembly.
    package consuming func split() -> (PacketScanner, TCPReassembler) {
        (packets, reassembler)
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
