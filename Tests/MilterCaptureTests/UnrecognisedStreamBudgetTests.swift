import MilterCapture
import MilterProtocol
import NIOCore
import Testing

@testable import MilterCapture

/// What a stream holds before it is recognised as milter traffic (or not) stays within
/// ``MilterExtractionOptions/maximumUnrecognisedBytesPerStream`` and, over all such streams,
/// ``MilterExtractionOptions/maximumUnrecognisedBytesTotal``: past either, the stream is ignored with a counted
/// capture issue, and the rest of the capture is read.
struct UnrecognisedStreamBudgetTests {
    /// `streams` streams whose client first sends 3 bytes (too few for a frame header, so undecided) and whose
    /// server then sends `serverSegments` segments of 1000 bytes, in turn; then a whole milter conversation.
    static func capture(streams: Int, serverSegments: Int) throws -> [UInt8] {
        var flows = (0..<streams).map {
            SynthesizedTCPFlow(
                client: Endpoint(address: .v4(0x0A00_0001), port: UInt16(41000 + $0)),
                server: Endpoint(address: .v4(0x0A00_0003), port: 8000), maxSegmentSize: 1000)
        }
        var segments: [TCPSegment] = []
        for index in flows.indices {
            segments += flows[index].open()
            segments += flows[index].send(ByteBuffer(bytes: [0, 0, 0]), from: .clientToServer)
        }
        for _ in 0..<serverSegments {
            for index in flows.indices {
                segments += flows[index].send(
                    ByteBuffer(repeating: UInt8(ascii: "s"), count: 1000), from: .serverToClient)
            }
        }
        for index in flows.indices { segments += flows[index].close(from: .clientToServer) }
        segments += try MilterConversation.segments(MilterConversation.steps())
        return MilterConversation.pcap(segments)
    }

    static func drops(_ issues: [CaptureIssue]) -> [CaptureIssue.Kind] {
        issues.map(\.kind).filter { if case .unrecognisedStreamDropped = $0 { true } else { false } }
    }

    /// Limit 2048: the client's 3 bytes hold 67, the server's first segment 1064 more, its second would pass the
    /// limit: the stream is ignored there (2195 bytes counted), and the milter session after it is decoded.
    @Test func aStreamPastItsLimitIsIgnoredWithAnIssue() throws {
        let bytes = try Self.capture(streams: 1, serverSegments: 3)
        let scan = try MilterConversation.scan(
            bytes, options: MilterExtractionOptions(maximumUnrecognisedBytesPerStream: 2048))
        #expect(Self.drops(scan.captureIssues) == [.unrecognisedStreamDropped(stream: 0, bytes: 2195)])
        #expect(scan.captureIssues.first?.packet == 6)
        #expect(scan.statistics.ignoredStreams == 1)
        #expect(scan.sessions.count == 1 && scan.sessions[0].isClean && scan.sessions[0].frames.count == 28)

        // By default the stream is held until it ends, and ignored then without an issue.
        let defaults = try MilterConversation.scan(bytes)
        #expect(defaults.captureIssues.isEmpty)
        #expect(defaults.statistics.ignoredStreams == 1)
        #expect(defaults.sessions.count == 1 && defaults.sessions[0].isClean)
    }

    /// Four streams of 2131 bytes each pass a total of 6000: the one holding the most is ignored each time the
    /// total passes; the total never does, and the milter session after them is decoded.
    @Test func theStreamsStayWithinTheirTotal() throws {
        let budget = 6000
        let bytes = try Self.capture(streams: 4, serverSegments: 2)
        var extractor = CapturedSessionExtractor(
            options: MilterExtractionOptions(maximumUnrecognisedBytesTotal: budget))
        let run = try ExtractionRun(bytes, &extractor) { $0.unrecognisedBytes }
        let (sessions, collector, peak) = (run.sessions, run.collector, run.peak)
        #expect(peak <= budget)
        #expect(extractor.unrecognisedBytes == 0)
        let drops = Self.drops(collector.captureIssues)
        #expect(drops.count == 2)
        #expect(drops.allSatisfy { if case .unrecognisedStreamDropped(_, let bytes) = $0 { bytes > 0 } else { false } })
        #expect(extractor.ignoredStreamCount == 4)
        #expect(sessions.count == 1 && sessions[0].isClean)
    }

    /// `--dump` lists the issue in its summary.
    @Test func theDumpSummaryShowsTheStream() throws {
        var output = ""
        let bytes = try Self.capture(streams: 1, serverSegments: 3)
        _ = try DumpPipelineTests.withCapture(bytes) { path in
            try CaptureDump.run(path: path, options: MilterExtractionOptions(maximumUnrecognisedBytesPerStream: 2048)) {
                output += $0
            }
        }
        #expect(
            output.contains(
                "!  #6  stream 0 not recognised within the memory limit: 2195 held bytes dropped; stream ignored"))
    }

    @Test func theDefaultsAre128KiBAndATotalOf64MiB() {
        #expect(MilterExtractionOptions().maximumUnrecognisedBytesPerStream == 128 << 10)
        #expect(MilterExtractionOptions().maximumUnrecognisedBytesTotal == 64 << 20)
    }
}
