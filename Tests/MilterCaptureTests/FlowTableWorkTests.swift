import NIOCore
import Testing

@testable import MilterCapture

/// The flow table past its limit: each new connection evicts the least recently active one in
/// O(log n), not by a pass over the table. Work is counted (entries pushed, popped, compacted),
/// not timed.
@Suite struct FlowTableWorkTests {
    /// SYNs from `count` distinct client ports, with `limit` connections tracked at once; returns
    /// the eviction work and the events.
    private static func syns(_ count: Int, limit: Int, keepAlive: Bool = false) -> (Int, [ReassemblyEvent]) {
        var reassembler = TCPReassembler(limits: TCPReassemblyLimits(maxOpenStreams: limit))
        var events: [ReassemblyEvent] = []
        let busy = PacketFactory.segment(
            Endpoint(address: .v4(0x0A00_0003), port: 1), PacketFactory.server4, seq: 0, flags: [.syn])
        if keepAlive {
            reassembler.process(busy, packet: 0, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), into: &events)
        }
        for index in 0..<count {
            let client = Endpoint(address: .v4(0x0A01_0000 | UInt32(index >> 16)), port: UInt16(index & 0xFFFF))
            let syn = PacketFactory.segment(client, PacketFactory.server4, seq: 1000, flags: [.syn])
            let packet = 2 * index + 1
            reassembler.process(
                syn, packet: packet, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0), into: &events)
            if keepAlive {
                // The busy connection sends data between every two SYNs: it is never the least recent.
                let data = PacketFactory.segment(
                    busy.source, PacketFactory.server4, seq: UInt32(1 + index), payload: "x")
                reassembler.process(
                    data, packet: packet + 1, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0), into: &events)
            }
        }
        return (reassembler.evictionWork, events)
    }

    @Test func evictionWorkGrowsLinearlyWithTheConnections() {
        let (small, smallEvents) = Self.syns(20_000, limit: 1000)
        let (large, _) = Self.syns(40_000, limit: 1000)
        // A pass over the table at each eviction would be 1000 entries per SYN past the limit.
        #expect(small < 20_000 * 8)
        #expect(Double(large) < 2.2 * Double(small))
        let evicted = smallEvents.filter { if case .closed(_, .clientToServer, .evicted) = $0 { true } else { false } }
        #expect(evicted.count == 19_000)
    }

    @Test func theLeastRecentlyActiveConnectionIsTheOneEvicted() {
        let (_, events) = Self.syns(5000, limit: 100, keepAlive: true)
        let opened = events.compactMap { if case .opened(let info) = $0 { info } else { nil } }
        let busy = opened.first { $0.client.port == 1 }!.id
        let evicted = events.compactMap { event -> StreamID? in
            if case .closed(let id, .clientToServer, .evicted) = event { id } else { nil }
        }
        #expect(!evicted.contains(busy))
        // The SYN-only connections go in the order they came.
        #expect(evicted == evicted.sorted { $0.index < $1.index })
        #expect(evicted.count == 5000 + 1 - 100)
    }

    @Test func aLargeAnnouncedFrameLengthReservesNoMoreThanTheInitialRoom() {
        let frame = PartialFrame(command: 0x42, declaredLength: 1 << 30, streamOffset: 0, firstPacket: 1)
        #expect(frame.payload.capacity <= PartialFrame.initialCapacity)
        #expect(frame.remaining == 1 << 30)
    }
}
