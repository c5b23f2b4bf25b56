/// Counts of what a scan met, for the summary line of a dump.
public struct CaptureStatistics: Hashable, Sendable {
    /// Packets read from the file.
    public var packets = 0
    /// Packets that carried TCP.
    public var tcpPackets = 0
    /// IP fragments met (not reassembled).
    public var fragments = 0
    /// Packets that could not be decoded down to TCP or IP.
    public var undecodablePackets = 0
    /// TCP streams that were not milter traffic.
    public var ignoredStreams = 0
}

/// Reads a capture file and reports its milter traffic as a stream of events, in constant memory
/// (apart from the out-of-order and frame buffers, which are bounded by the options).
///
/// ```swift
/// var scanner = try MilterCaptureScanner(path: "milter.pcap")
/// while let event = try scanner.next() {
///     if case .frame(let stream, let frame) = event { print(stream, frame.decoded) }
/// }
/// ```
public struct MilterCaptureScanner {
    private var reader: CaptureReader
    private var reassembler: TCPReassembler
    private var extractor: CapturedSessionExtractor
    private var reassembly: [ReassemblyEvent] = []
    private var pending: [MilterCaptureEvent] = []
    private var pendingIndex = 0
    private var finished = false
    /// What the scan has met so far.
    public private(set) var statistics = CaptureStatistics()
    /// The captured bytes of the packets read so far.
    package private(set) var capturedBytes = 0

    /// Scans the capture read by `reader`.
    public init(reader: CaptureReader, options: MilterExtractionOptions = MilterExtractionOptions()) {
        self.reader = reader
        self.reassembler = TCPReassembler(limits: options.reassemblyLimits)
        self.extractor = CapturedSessionExtractor(options: options)
    }

    /// Opens and scans the capture file at `path`.
    public init(path: String, options: MilterExtractionOptions = MilterExtractionOptions()) throws(CaptureError) {
        self.init(reader: try CaptureReader(path: path, limits: options.readerLimits), options: options)
    }

    /// The next event, or nil once the file is read and every stream ended.
    public mutating func next() throws(CaptureError) -> MilterCaptureEvent? {
        while pendingIndex == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            if finished { return nil }
            try advance()
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }

    /// Reads the next packet (or ends the scan) and appends the events it reveals to `events`, with no copy through
    /// ``next()``; false once the scan has ended. Do not mix with ``next()``.
    package mutating func nextEvents(into events: inout [MilterCaptureEvent]) throws(CaptureError) -> Bool {
        if finished { return false }
        swap(&pending, &events)
        defer { swap(&pending, &events) }
        try advance()
        return true
    }

    private mutating func advance() throws(CaptureError) {
        guard let packet = try reader.next() else {
            reassembler.finish(lastPacket: statistics.packets, into: &reassembly)
            extract()
            statistics.ignoredStreams = extractor.ignoredStreamCount
            finished = true
            return
        }
        statistics.packets += 1
        capturedBytes += packet.data.readableBytes
        switch PacketDecoder.decode(packet) {
        case .tcp(let segment):
            statistics.tcpPackets += 1
            reassembler.process(segment, packet: packet.number, timestamp: packet.timestamp, into: &reassembly)
            extract()
        case .fragment(let fragment):
            statistics.fragments += 1
            pending.append(.issue(nil, CaptureIssue(.ipFragment(fragment), packet: packet.number)))
        case .undecodable(let failure):
            statistics.undecodablePackets += 1
            pending.append(.issue(nil, CaptureIssue(.undecodablePacket(failure), packet: packet.number)))
        case .notTCP:
            break
        }
    }

    private mutating func extract() {
        for event in reassembly { extractor.handle(event, into: &pending) }
        reassembly.removeAll(keepingCapacity: true)
    }
}
