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
    private var streams: StreamScanner
    private var extractor: CapturedSessionExtractor
    private var steps = StreamSteps()
    private var pending: [MilterCaptureEvent] = []
    private var pendingIndex = 0
    private var finished = false
    /// What the scan has met so far.
    public var statistics: CaptureStatistics {
        var statistics = streams.statistics
        statistics.ignoredStreams = extractor.ignoredStreamCount
        statistics.milterLikeIgnoredStreams = extractor.milterLikeIgnoredStreamCount
        statistics.droppedUnrecognisedStreams = extractor.droppedUnrecognisedStreamCount
        return statistics
    }

    /// Scans the capture read by `reader`.
    public init(reader: CaptureReader, options: MilterExtractionOptions = MilterExtractionOptions()) {
        self.streams = StreamScanner(reader: reader, limits: options.reassemblyLimits)
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
            finished = !(try streams.nextSteps(into: &steps))
            extractor.handle(steps, into: &pending)
            steps.removeAll()
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }

    /// The scan's two halves, for a caller that runs them on two threads: the packets and streams, and the milter
    /// extraction.
    package consuming func split() -> (PacketScanner, TCPReassembler, CapturedSessionExtractor) {
        let (packets, reassembler) = streams.split()
        return (packets, reassembler, extractor)
    }
}
