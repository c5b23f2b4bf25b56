import Foundation
import MilterProtocol
import NIOCore
import Testing

@testable import MilterCapture

/// The memory held by frames being received over all streams stays within
/// ``MilterExtractionOptions/maximumUnfinishedFrameBytesTotal``: past it, the direction holding the largest lets go
/// of that frame's payload, which is reported, and the frame is still followed to its end.
struct UnfinishedFrameBudgetTests {
    static let budget = 1 << 20
    static let declaredPayload = 512 << 10
    static let firstPart = 300_000

    /// Six sessions each start a BODY frame of 512 KiB and send 300,000 bytes of it, all at once, before any of
    /// them finishes it and sends ABORT and QUIT; then a seventh session runs whole. Each unfinished payload holds
    /// 512 KiB, so with a budget of 1 MiB each session from the third on makes one of the others let go.
    static func capture() throws -> [UInt8] {
        var encoder = MilterEncoder()
        var flows = (0..<6).map {
            SynthesizedTCPFlow(
                client: Endpoint(address: .v4(0x0A00_0001), port: UInt16(41000 + $0)), server: PacketFactory.server4,
                maxSegmentSize: 60000)
        }
        var segments: [TCPSegment] = []
        for index in flows.indices {
            segments += flows[index].open()
            let offer = try encoder.encode(commands: [.optionNegotiation(MilterConversation.offer)])
            segments += flows[index].send(offer, from: .clientToServer)
            let answer = try encoder.encode(replies: [.optionNegotiation(MilterConversation.answer)])
            segments += flows[index].send(answer, from: .serverToClient)
        }
        for index in flows.indices {
            var start = ByteBuffer()
            start.writeInteger(UInt32(declaredPayload + 1))
            start.writeInteger(UInt8(ascii: "B"))
            start.writeRepeatingByte(UInt8(ascii: "x"), count: firstPart)
            segments += flows[index].send(start, from: .clientToServer)
        }
        for index in flows.indices {
            var rest = ByteBuffer()
            rest.writeRepeatingByte(UInt8(ascii: "x"), count: declaredPayload - firstPart)
            rest.writeImmutableBuffer(try encoder.encode(commands: [.abort, .quit]))
            segments += flows[index].send(rest, from: .clientToServer)
            segments += flows[index].close(from: .clientToServer)
        }
        let whole = Endpoint(address: .v4(0x0A00_0001), port: 42000)
        segments += try MilterConversation.segments(MilterConversation.steps(), client: whole)
        return MilterConversation.pcap(segments)
    }

    static var options: MilterExtractionOptions {
        MilterExtractionOptions(maximumUnfinishedFrameBytesTotal: budget)
    }

    @Test func theLargestUnfinishedFrameLetsGoAndLaterFramesAndSessionsAreDecoded() throws {
        var extractor = CapturedSessionExtractor(options: Self.options)
        let run = try ExtractionRun(try Self.capture(), &extractor) { $0.unfinishedFrameBytes }
        let (sessions, peak) = (run.sessions, run.peak)
        #expect(peak <= Self.budget)
        #expect(extractor.unfinishedFrameBytes == 0)
        try #require(sessions.count == 7)

        var dropped = 0
        for session in sessions.prefix(6) {
            let drops = session.issues.filter {
                if case .unfinishedFrameDropped(let bytes) = $0.kind { bytes > 0 } else { false }
            }
            #expect(drops.count <= 1)
            dropped += drops.count
            let body = try #require(session.frames.first { $0.frame.command == UInt8(ascii: "B") })
            #expect(body.declaredPayloadLength == Self.declaredPayload)
            if let drop = drops.first {
                #expect(drop.frame?.declaredPayloadLength == Self.declaredPayload)
                #expect(drop.frame?.firstPacket == body.firstPacket)
                #expect(!body.isComplete && body.missingBytes == Self.declaredPayload && body.decoded == .truncated)
            } else {
                #expect(body.isComplete)
            }
            // The frame was followed to its end: the next frames are found and decoded.
            #expect(session.frames.suffix(2).map(\.commandID) == [.abort, .quit])
        }
        #expect(dropped == 4)
        #expect(sessions[6].isClean)
        #expect(sessions[6].frames.count == 28)
    }

    /// `--dump` shows the issue where the frame let go, in the session's transcript.
    @Test func theDumpShowsTheFramesLetGo() throws {
        let path = NSTemporaryDirectory() + "milter-unfinished-\(UUID().uuidString).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(try Self.capture()).write(to: URL(fileURLWithPath: path))
        var output = ""
        let summary = try CaptureDump.run(path: path, options: Self.options) { output += $0 }
        let lines = output.split(separator: "\n")
        #expect(lines.filter { $0.contains("unfinished frames over the memory budget") }.count == 4)
        #expect(summary.sessions == 7)
        #expect(summary.sessionsWithIssues == 4)
    }

    /// The default budget is 64 MiB: 64 frames of the largest size at once.
    @Test func theDefaultBudgetIs64MiB() {
        #expect(MilterExtractionOptions().maximumUnfinishedFrameBytesTotal == 64 << 20)
    }
}
