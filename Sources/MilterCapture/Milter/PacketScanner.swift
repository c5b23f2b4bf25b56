/// A TCP segment decoded from a packet, with where and when the packet was captured.
package struct ScannedSegment: Sendable {
    /// The segment.
    package var segment: TCPSegment
    /// The packet's number.
    package var packet: Int
    /// When the packet was captured.
    package var timestamp: CaptureTimestamp
}

/// What the packet half of a scan reports, in order: the TCP segments, and the issues of packets that belong to
/// no stream (IP fragments, undecodable packets), each kept with the number of segments that came before it.
package struct PacketSteps: Sendable {
    /// The segments, for ``TCPReassembler``.
    package var segments: [ScannedSegment] = []
    /// The capture issues, each with the count of ``segments`` before it.
    package var captureIssues: [(segmentsBefore: Int, issue: CaptureIssue)] = []

    /// Segments and issues together.
    package var count: Int { segments.count + captureIssues.count }

    /// Empty steps.
    package init() {}

    /// Drops everything, keeping the arrays' storage.
    package mutating func removeAll() {
        segments.removeAll(keepingCapacity: true)
        captureIssues.removeAll(keepingCapacity: true)
    }

    /// Calls `segment` for each segment and `issue` for each capture issue, in capture order. Each segment is lent
    /// in place (inout), not copied: a copy costs a retain and a release of its payload.
    package mutating func forEach(
        segment: (inout ScannedSegment) -> Void, issue: (CaptureIssue) -> Void
    ) {
        var issues = captureIssues.makeIterator()
        var next = issues.next()
        segments.withUnsafeMutableBufferPointer { segments in
            for index in segments.indices {
                while let (segmentsBefore, captureIssue) = next, segmentsBefore == index {
                    issue(captureIssue)
                    next = issues.next()
                }
                segment(&segments[index])
            }
        }
        while let (_, captureIssue) = next {
            issue(captureIssue)
            next = issues.next()
        }
    }
}

/// The first stage of every scan: reads packets and decodes them down to TCP, counting what it meets. A dump runs
/// it on a thread of its own, and reassembly and the milter extraction where it renders.
package struct PacketScanner {
    private var reader: CaptureReader
    /// What the scan has met so far; ``CaptureStatistics/ignoredStreams`` is the extractor's to count.
    package private(set) var statistics = CaptureStatistics()
    /// The captured bytes of the packets read so far.
    package private(set) var capturedBytes = 0

    /// Scans the packets read by `reader`.
    package init(reader: CaptureReader) {
        self.reader = reader
    }

    /// Reads the next packet and appends what it holds to `steps`; false at the end of the file.
    package mutating func nextSteps(into steps: inout PacketSteps) throws(CaptureError) -> Bool {
        guard let packet = try reader.next() else {
            statistics.truncation = reader.truncation
            return false
        }
        statistics.packets += 1
        capturedBytes += packet.data.readableBytes
        switch PacketDecoder.decode(packet) {
        case .tcp(let segment):
            statistics.tcpPackets += 1
            steps.segments.append(ScannedSegment(segment: segment, packet: packet.number, timestamp: packet.timestamp))
        case .fragment(let fragment):
            statistics.fragments += 1
            steps.captureIssues.append(
                (steps.segments.count, CaptureIssue(.ipFragment(fragment), packet: packet.number)))
        case .undecodable(let failure):
            statistics.undecodablePackets += 1
            steps.captureIssues.append(
                (steps.segments.count, CaptureIssue(.undecodablePacket(failure), packet: packet.number)))
        case .notTCP:
            break
        }
        return true
    }
}
