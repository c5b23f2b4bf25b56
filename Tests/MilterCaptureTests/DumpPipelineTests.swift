import MilterCapture
import MilterTestSupport
import NIOCore
import Testing

/// The two-thread dump: sessions come out in scan order, chunked output equals the per-session output, and a
/// failure on either side ends the dump after what came before it was written.
@Suite struct DumpPipelineTests {
    typealias C = MilterConversation

    /// 300 sessions one after another, a millisecond per packet: more events than one batch of the pipeline holds.
    static func manySessions() throws -> [UInt8] {
        var builder = PcapBuilder(endianness: .little, linkType: .ethernet)
        var packet = 0
        for index in 0..<300 {
            let client = Endpoint(address: PacketFactory.client4.address, port: UInt16(20000 + index))
            for segment in try C.segments(C.steps(), client: client) {
                let frame = PacketSynthesizer.frame(segment, link: .ethernet)
                builder.add(
                    frame, seconds: UInt32(1_700_000_000 + packet / 1000), fraction: UInt32(packet % 1000 * 1000),
                    originalLength: frame.readableBytes)
                packet += 1
            }
        }
        return builder.array
    }

    static func withCapture<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let path = "/tmp/milter-capture-pipeline-\(UInt64.random(in: 0...UInt64.max)).pcap"
        try TemporaryFile.write(bytes, to: path)
        defer { TemporaryFile.remove(path) }
        return try body(path)
    }

    /// The scan of `bytes` on this thread, and its transcript with the summary line.
    static func singleThreadedTranscript(
        _ bytes: [UInt8]
    ) throws -> (
        scan: (sessions: [CapturedSession], statistics: CaptureStatistics, captureIssues: [CaptureIssue]), String
    ) {
        let scan = try C.scan(bytes)
        let renderer = TranscriptRenderer()
        let text =
            scan.sessions.map { renderer.render($0) }.joined()
            + renderer.renderSummary(scan.statistics, sessions: scan.sessions.count, captureIssues: scan.captureIssues)
        return (scan, text)
    }

    @Test func chunksEndAtSessionsAndMatchTheSingleThreadedTranscript() throws {
        let bytes = try Self.manySessions()
        // Reference: scanned and rendered on this thread, frames decoded by the scanner.
        let scan = try C.scan(bytes)
        let renderer = TranscriptRenderer()
        let reference = scan.sessions.map { renderer.render($0) }.joined()
        #expect(scan.sessions.count == 300)

        var chunks: [[UInt8]] = []
        let summary = try Self.withCapture(bytes) { path in
            try CaptureDump.run(path: path, chunkSize: 4096) { chunks.append($0) }
        }
        let transcript = String(decoding: chunks.joined(), as: UTF8.self)
        let summaryLine = renderer.renderSummary(
            scan.statistics, sessions: 300, captureIssues: scan.captureIssues)
        #expect(transcript == reference + summaryLine)
        #expect(summary.sessions == 300 && summary.sessionsWithIssues == 0)
        #expect(chunks.count > 1)
        for chunk in chunks.dropLast() {
            #expect(chunk.count >= 4096)
            let lastLine = String(decoding: chunk.dropLast().split(separator: 10).last ?? [], as: UTF8.self)
            #expect(lastLine.hasPrefix("end of stream "))
        }
    }

    /// Three connections whose packets alternate, a body segment cut by the snap length, and a packet that decodes
    /// to nothing: the text dump, which renders events as they come, prints what the single-threaded scan and
    /// renderer print.
    @Test func interleavedSessionsAndIssuesMatchTheSingleThreadedTranscript() throws {
        let connections = try (0..<3).map { index in
            try C.segments(
                C.steps(body: String(repeating: "a body line\r\n", count: 40)),
                client: Endpoint(address: PacketFactory.client4.address, port: UInt16(30000 + index)))
        }
        var builder = PcapBuilder(endianness: .little, linkType: .ethernet)
        var packet = 0
        for index in 0..<connections.map(\.count).max()! {
            for connection in connections where index < connection.count {
                let frame = PacketSynthesizer.frame(connection[index], link: .ethernet)
                let cut = connection[index].payload.readableBytes > 400 && packet % 3 == 1
                builder.add(
                    frame.getSlice(at: frame.readerIndex, length: cut ? 120 : frame.readableBytes)!,
                    seconds: 1_700_000_000, fraction: UInt32(packet * 1000), originalLength: frame.readableBytes)
                packet += 1
            }
            // An Ethernet frame announcing IPv4 with a header cut short.
            if index == 5 { builder.add(ByteBuffer(bytes: [UInt8](repeating: 2, count: 12) + [0x08, 0x00, 0x45, 0])) }
        }
        let bytes = builder.array
        let (scan, reference) = try Self.singleThreadedTranscript(bytes)
        #expect(scan.sessions.count == 3 && scan.statistics.undecodablePackets == 1)
        #expect(reference.contains("TRUNCATED BODY"))
        var output = ""
        let summary = try Self.withCapture(bytes) { path in try CaptureDump.run(path: path) { output += $0 } }
        #expect(output == reference)
        #expect(summary.sessions == 3 && summary.sessionsWithIssues >= 1)
    }

    /// The text dump takes segments that continue a stream at a frame boundary without reassembly or extraction
    /// (fast cursors), and must hand everything else back in step: frames split across segments, a retransmission,
    /// segments out of order, a lost segment, four connections whose packets alternate. Its text is the
    /// single-threaded scan's.
    @Test func damagedInterleavedSessionsMatchTheSingleThreadedTranscript() throws {
        func split(_ segment: TCPSegment, at cut: Int) -> [TCPSegment] {
            var first = segment
            var second = segment
            first.payload = segment.payload.getSlice(at: segment.payload.readerIndex, length: cut)!
            second.payload = segment.payload.getSlice(
                at: segment.payload.readerIndex + cut, length: segment.payload.readableBytes - cut)!
            second.sequenceNumber = segment.sequenceNumber &+ UInt32(cut)
            return [first, second]
        }
        let body = String(repeating: "a body line\r\n", count: 30)
        var connections = try (0..<4).map { index in
            try C.segments(
                C.steps(body: body),
                client: Endpoint(address: PacketFactory.client4.address, port: UInt16(31000 + index)))
        }
        let bodyIndex = connections[0].firstIndex { $0.payload.readableBytes > 300 }!
        // 0: the body frame split inside its payload, and the HELO frame split inside its header.
        connections[0].replaceSubrange(bodyIndex...bodyIndex, with: split(connections[0][bodyIndex], at: 200))
        connections[0].replaceSubrange(7...7, with: split(connections[0][7], at: 3))
        // 1: a data segment sent twice, and two of the MTA's segments swapped.
        connections[1].insert(connections[1][9], at: 11)
        connections[1].swapAt(13, 15)
        // 2: a segment of the MTA lost.
        connections[2].remove(at: 12)
        var builder = PcapBuilder(endianness: .little, linkType: .ethernet)
        var packet = 0
        for index in 0..<connections.map(\.count).max()! {
            for connection in connections where index < connection.count {
                builder.add(
                    PacketSynthesizer.frame(connection[index], link: .ethernet), seconds: 1_700_000_000,
                    fraction: UInt32(packet * 1000))
                packet += 1
            }
        }
        let bytes = builder.array
        let (scan, reference) = try Self.singleThreadedTranscript(bytes)
        #expect(scan.sessions.count == 4)
        #expect(reference.contains("missing"))
        #expect(reference.contains(/#\d+-\d+ +BODY data=390B/))
        #expect(reference.contains(/#\d+-\d+ +HELO/))
        #expect(scan.sessions.allSatisfy { $0.entries.count > 20 })
        var output = ""
        _ = try Self.withCapture(bytes) { path in try CaptureDump.run(path: path) { output += $0 } }
        #expect(output == reference)
    }

    /// A capture cut inside a record dumps as the capture of its complete records: the sessions the cut left open
    /// end as at the end of any capture, and the cut is in the statistics, not an error.
    @Test(arguments: [true, false])
    func aCaptureCutShortDumpsItsCompleteRecords(json: Bool) throws {
        let bytes = try Self.manySessions()
        let cut = Array(bytes.prefix(bytes.count * 2 / 3 + 7))
        // The first record that does not fit, found by the records' own lengths.
        var boundary = 24
        while boundary + 16 <= cut.count {
            let captured =
                Int(cut[boundary + 8]) | Int(cut[boundary + 9]) << 8 | Int(cut[boundary + 10]) << 16
                | Int(cut[boundary + 11]) << 24
            guard boundary + 16 + captured <= cut.count else { break }
            boundary += 16 + captured
        }
        func dump(_ bytes: [UInt8]) throws -> (String, CaptureDump.Summary) {
            try Self.withCapture(bytes) { path in
                var output = ""
                let summary = try CaptureDump.run(path: path, format: json ? .json : .text) { output += $0 }
                return (output, summary)
            }
        }
        let (output, summary) = try dump(cut)
        let (complete, completeSummary) = try dump(Array(bytes.prefix(boundary)))
        #expect(summary.statistics.truncation?.kind == .truncatedFile)
        #expect(summary.statistics.truncation?.offset == UInt64(boundary))
        #expect(completeSummary.statistics.truncation == nil)
        #expect(summary.statistics.packets == completeSummary.statistics.packets)
        #expect(summary.sessions == completeSummary.sessions && summary.sessions > 100)
        #expect(output == complete)
    }

    @Test func anExportFailureEndsTheDumpAfterItsSession() throws {
        let bytes = try Self.manySessions()
        var output = ""
        #expect {
            try Self.withCapture(bytes) { path in
                try CaptureDump.run(path: path, exportDirectory: "/nonexistent/milter-capture") { output += $0 }
            }
        } throws: { error in
            guard case .export = error as? CaptureDump.Failure else { return false }
            return true
        }
        #expect(output.hasPrefix("session stream 0:"))
        #expect(!output.contains("session stream 1:"))
    }
}
