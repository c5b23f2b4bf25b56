import Foundation
import MilterCapture
import MilterTestSupport
import Testing

/// A hole in one direction is declared where the capture shows that the bytes were sent and received: when
/// the peer acknowledges them, not at the end of the stream.
@Suite struct ReassemblyGapTests {
    static let capture = TestPaths.fixtures("pcap/postfix-cmilter-lo.pcap").path

    static func dumpLines(dropping dropped: Set<Int>) throws -> [String] {
        let path = try PcapPacketDropper.copy(capture, dropping: dropped)
        var output = ""
        _ = try CaptureDump.run(path: path, options: MilterExtractionOptions()) { output += $0 }
        return output.split(separator: "\n").map(String.init)
    }

    /// Packet 11, the milter's CONTINUE to HELO, is dropped: the MTA's MAIL (now packet 11) acknowledges it.
    @Test func theGapIsShownWhereTheReplyWasLost() throws {
        let lines = try Self.dumpLines(dropping: [11])
        let gap = try #require(lines.firstIndex { $0.contains("segments not captured") })
        #expect(lines[gap].contains("milter #11") && lines[gap].contains("5 bytes missing at stream offset 22"))
        #expect(lines[gap - 1].hasSuffix("HELO text=\"client.interop.test\""))
        #expect(lines[gap + 1].contains("frame boundary lost"))
        #expect(lines[gap + 3].contains("MAIL address=\"<sender@example.com>\""))
        // The reply to MAIL follows it rather than waiting for the end of the session.
        #expect(lines[gap + 4].contains("milter #12     resynchronised"))
        #expect(lines[gap + 5].contains("milter #12     CONTINUE"))
        #expect(lines.filter { $0.contains("segments not captured") }.count == 1)
    }

    /// The reassembler reports the gap with the packet of the acknowledgement, before that packet's data.
    @Test func anAcknowledgementPastAHoleDeclaresIt() throws {
        let path = try PcapPacketDropper.copy(Self.capture, dropping: [11])
        var reader = try CaptureReader(path: path)
        var reassembler = TCPReassembler()
        var events: [ReassemblyEvent] = []
        while let packet = try reader.next(), packet.number <= 11 {
            guard case .tcp(let segment) = PacketDecoder.decode(packet) else { continue }
            reassembler.process(segment, packet: packet.number, timestamp: packet.timestamp, into: &events)
        }
        let gaps = events.compactMap { event -> (StreamDirection, StreamGap)? in
            if case .gap(_, let direction, let gap) = event { (direction, gap) } else { nil }
        }
        #expect(gaps.count == 1)
        #expect(gaps.first?.0 == .serverToClient)
        #expect(
            gaps.first?.1
                == StreamGap(streamOffset: 22, length: 5, cause: .missingSegments, detectedAtPacket: 11))
    }
}

/// A lost SYN or SYN-ACK: the rest of the handshake anchors the direction at its first byte.
@Suite struct ReassemblyHandshakeTests {
    @Test(arguments: [1, 2])
    func aLostHandshakePacketLeavesTheStreamWhole(dropped: Int) throws {
        let lines = try ReassemblyGapTests.dumpLines(dropping: [dropped])
        #expect(!lines.contains { $0.contains("mid-stream") || $0.contains("not captured") })
        #expect(lines.first?.contains("(OPTNEG, handshake)") == true)
    }
}
