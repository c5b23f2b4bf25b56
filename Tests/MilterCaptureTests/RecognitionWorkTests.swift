import MilterCapture
import MilterProtocol
import NIOCore
import Testing

@testable import MilterCapture

/// A stream on no milter port is recognised by its first OPTNEG, which may come in many segments: the bytes kept
/// before the verdict are classified once they can tell (a frame header, then the whole frame), not joined again
/// at every segment, and the per-stream limit on them still holds.
struct RecognitionWorkTests {
    /// The milter's OPTNEG answer, with a symbol list that makes it `length` bytes long or so.
    static func answer(length: Int) throws -> ByteBuffer {
        let macros = String(repeating: "{m} ", count: length / 4)
        let negotiation = OptionNegotiation(
            version: .v6, actions: .addHeaders, protocolFlags: MilterProtocolFlags(rawValue: 0),
            symbolLists: [SymbolList(stage: MacroStage(rawValue: 0), macros: MilterString(macros))])
        var encoder = MilterEncoder()
        return try encoder.encode(replies: [.optionNegotiation(negotiation)])
    }

    /// The server (port 8000) sends a 20 KB OPTNEG answer in segments of 100 bytes, then the client a QUIT.
    static func capture(answer: ByteBuffer) throws -> [UInt8] {
        var flow = SynthesizedTCPFlow(
            client: Endpoint(address: .v4(0x0A00_0001), port: 41000),
            server: Endpoint(address: .v4(0x0A00_0003), port: 8000), maxSegmentSize: 100)
        var encoder = MilterEncoder()
        let segments =
            flow.open() + flow.send(answer, from: .serverToClient)
            + flow.send(try encoder.encode(commands: [.quit]), from: .clientToServer)
            + flow.close(from: .clientToServer)
        return MilterConversation.pcap(segments)
    }

    @Test func anOptionNegotiationInManySegmentsIsRecognisedWithLinearWork() throws {
        let answer = try Self.answer(length: 20_000)
        var extractor = CapturedSessionExtractor()
        let run = try ExtractionRun(try Self.capture(answer: answer), &extractor) { $0.unrecognisedBytes }
        #expect(run.sessions.count == 1)
        let session = try #require(run.sessions.first)
        #expect(session.info.identifiedBy == .optionNegotiation)
        #expect(session.info.mta.port == 41000)
        #expect(session.frames.count == 2 && session.isClean)
        // Joined at every one of its 201 segments, the answer's bytes would be classified about 100 times over.
        #expect(extractor.classifiedBytes <= 2 * answer.readableBytes)
        #expect(extractor.classifiedBytes >= answer.readableBytes)
    }

    /// Limit 4096: each 100-byte segment kept counts 164; the 25th passes the limit and the stream is ignored.
    @Test func theLimitStillHoldsForAFirstCommandInManySegments() throws {
        let answer = try Self.answer(length: 20_000)
        let scan = try MilterConversation.scan(
            try Self.capture(answer: answer), options: MilterExtractionOptions(maximumUnrecognisedBytesPerStream: 4096))
        #expect(
            UnrecognisedStreamBudgetTests.drops(scan.captureIssues) == [
                .unrecognisedStreamDropped(stream: 0, bytes: 25 * 164)
            ])
        #expect(scan.sessions.isEmpty)
        #expect(scan.statistics.ignoredStreams == 1)
    }
}
