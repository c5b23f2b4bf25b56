import MilterCapture
import MilterProtocol
import NIOCore
import Testing

@testable import MilterCapture

/// The bytes held while searching for a frame boundary stay within
/// ``MilterExtractionOptions/maximumResynchronisationWindow`` per direction and
/// ``MilterExtractionOptions/maximumResynchronisationBytesTotal`` over all streams: past either, the bytes held are
/// dropped with a counted issue, and the search and the rest of the capture go on.
struct ResynchronisationBudgetTests {
    static let payload = 60000

    /// Captures that start mid-stream (milter by `--port`) on a BODY frame of 60,000 bytes sent in segments of
    /// 1000: the boundary search holds its plausible header until the frame is whole. Then ABORT and QUIT. The
    /// sessions' first `leading` segments go out in turn before the rest of each.
    static func capture(sessions: Int = 1, leading: Int = 3) throws -> [UInt8] {
        var encoder = MilterEncoder()
        var flows = (0..<sessions).map {
            SynthesizedTCPFlow(
                client: Endpoint(address: .v4(0x0A00_0001), port: UInt16(41000 + $0)), server: PacketFactory.server4,
                maxSegmentSize: 1000)
        }
        var parts: [[TCPSegment]] = []
        for index in flows.indices {
            _ = flows[index].open()  // not captured: the capture starts mid-stream
            var bytes = ByteBuffer()
            bytes.writeInteger(UInt32(payload + 1))
            bytes.writeInteger(UInt8(ascii: "B"))
            bytes.writeRepeatingByte(UInt8(ascii: "x"), count: payload)
            bytes.writeImmutableBuffer(try encoder.encode(commands: [.abort, .quit]))
            parts.append(flows[index].send(bytes, from: .clientToServer) + flows[index].close(from: .clientToServer))
        }
        var segments: [TCPSegment] = []
        for part in parts { segments += part.prefix(leading) }
        for part in parts { segments += part.dropFirst(leading) }
        return MilterConversation.pcap(segments)
    }

    static func options(window: Int = 256 * 1024, total: Int = 64 << 20) -> MilterExtractionOptions {
        MilterExtractionOptions(
            milterPorts: [PacketFactory.server4.port], maximumResynchronisationWindow: window,
            maximumResynchronisationBytesTotal: total)
    }

    static func drops(_ session: CapturedSession) -> [CaptureIssue] {
        session.issues.filter { if case .resynchronisationWindowDropped = $0.kind { true } else { false } }
    }

    /// With a window of 4096 bytes, the fifth segment would take it to 5000: the 4000 held are dropped, reported
    /// at that segment's packet, and the search goes on to find ABORT; every byte skipped is still counted. With
    /// the default window the search holds the whole BODY frame and finds it.
    @Test func aWindowPastItsLimitIsDroppedAndTheSearchGoesOn() throws {
        let bytes = try Self.capture()
        let session = try #require(
            try MilterConversation.scan(bytes, options: Self.options(window: 4096)).sessions.first)
        #expect(Self.drops(session).map(\.kind) == [.resynchronisationWindowDropped(bytes: 4000)])
        #expect(Self.drops(session).first?.streamOffset == 0)
        #expect(Self.drops(session).first?.packet == 5)
        #expect(session.issues.contains { $0.kind == .resynchronised(skippedBytes: Self.payload + 5) })
        #expect(session.frames.map(\.commandID) == [.abort, .quit])

        let defaults = try #require(try MilterConversation.scan(bytes, options: Self.options()).sessions.first)
        #expect(Self.drops(defaults).isEmpty)
        #expect(defaults.issues.contains { $0.kind == .resynchronised(skippedBytes: 0) })
        #expect(defaults.frames.map(\.commandID) == [.body, .abort, .quit])
    }

    /// Three searches of 3000 bytes each pass a total of 8000: the largest lets go, and so on while they grow;
    /// the total held never passes the budget, and each session still finds ABORT and QUIT.
    @Test func theSearchesStayWithinTheirTotal() throws {
        let budget = 8000
        var extractor = CapturedSessionExtractor(options: Self.options(total: budget))
        let run = try ExtractionRun(try Self.capture(sessions: 3), &extractor) { $0.resynchronisationBytes }
        let (sessions, peak) = (run.sessions, run.peak)
        #expect(peak <= budget)
        #expect(peak > budget / 2)
        #expect(extractor.resynchronisationBytes == 0)
        try #require(sessions.count == 3)
        let drops = sessions.flatMap(Self.drops)
        #expect(!drops.isEmpty)
        #expect(
            drops.allSatisfy {
                if case .resynchronisationWindowDropped(let bytes) = $0.kind { bytes > 0 } else { false }
            })
        for session in sessions {
            #expect(session.frames.map(\.commandID) == [.abort, .quit])
        }
    }

    /// `--dump` shows the drop in the session's transcript.
    @Test func theDumpShowsTheDrop() throws {
        var output = ""
        _ = try DumpPipelineTests.withCapture(try Self.capture()) { path in
            try CaptureDump.run(path: path, options: Self.options(window: 4096)) { output += $0 }
        }
        #expect(output.contains("frame boundary search over its memory limit: 4000 held bytes dropped unsearched"))
    }

    @Test func theDefaultsAre256KiBAndATotalOf64MiB() {
        #expect(MilterExtractionOptions().maximumResynchronisationWindow == 256 * 1024)
        #expect(MilterExtractionOptions().maximumResynchronisationBytesTotal == 64 << 20)
    }
}
