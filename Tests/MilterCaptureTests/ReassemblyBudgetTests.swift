import NIOCore
import Testing

@testable import MilterCapture

/// The out-of-order bytes held over all connections together stay within
/// ``TCPReassemblyLimits/maxBufferedBytesTotal``: past it, the direction holding the most gives up waiting for its
/// hole, which is reported as a gap, and its bytes are delivered.
struct ReassemblyBudgetTests {
    typealias F = PacketFactory

    static func client(_ index: Int) -> Endpoint { Endpoint(address: .v4(1), port: UInt16(1000 + index)) }

    /// Four connections, each with a SYN and then one segment 10 bytes past its first byte (900, 800, 700 and
    /// 600 bytes), a budget of 2000 bytes: the third segment passes it and stream 0 gives up, the fourth passes
    /// it again and stream 1 gives up; the held bytes, counted from what was sent and what came out, never pass
    /// the budget.
    @Test func theStreamHoldingTheMostGivesUpWhenTheTotalPassesTheBudget() {
        let budget = 2000
        var reassembler = TCPReassembler(limits: TCPReassemblyLimits(maxBufferedBytesTotal: budget))
        let sizes = [900, 800, 700, 600]
        let syns = sizes.indices.map { F.segment(Self.client($0), F.server4, seq: 100, flags: .syn) }
        let early = sizes.enumerated().map { index, size in
            F.segment(Self.client(index), F.server4, seq: 111, payload: String(repeating: "x", count: size))
        }
        var events: [ReassemblyEvent] = []
        var sent = 0
        var delivered = 0
        var gaps: [(stream: Int, gap: StreamGap)] = []
        for (index, segment) in (syns + early).enumerated() {
            let packet = index + 1
            reassembler.process(
                segment, packet: packet, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), into: &events)
            sent += segment.payload.readableBytes
            for event in events {
                switch event {
                case .data(_, _, let data): delivered += data.bytes.readableBytes
                case .gap(let id, _, let gap): gaps.append((id.index, gap))
                default: break
                }
            }
            events.removeAll()
            #expect(sent - delivered <= budget, "packet \(packet)")
            #expect(reassembler.bufferedBytes == sent - delivered, "packet \(packet)")
        }
        #expect(gaps.map(\.stream) == [0, 1])
        #expect(
            gaps.map(\.gap) == [
                StreamGap(streamOffset: 0, length: 10, cause: .missingSegments, detectedAtPacket: 7),
                StreamGap(streamOffset: 0, length: 10, cause: .missingSegments, detectedAtPacket: 8),
            ])
        #expect(delivered == 900 + 800)
        reassembler.finish(lastPacket: 8, into: &events)
        #expect(reassembler.bufferedBytes == 0)
    }

    /// The default budget is 256 MiB, above what one direction may hold.
    @Test func theDefaultBudgetIs256MiB() {
        #expect(TCPReassemblyLimits().maxBufferedBytesTotal == 256 << 20)
    }
}
