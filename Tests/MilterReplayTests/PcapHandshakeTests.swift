import MilterCapture
import MilterClient
import MilterProtocol
import MilterTestSupport
import Testing

@testable import MilterReplayKit

/// fixtures/pcap/postfix-cmilter-lo.pcap without one packet of stream 0's handshake: the other packets of the
/// handshake give the lost one's initial sequence number, and the session is replayed as if it were whole.
struct PcapHandshakeTests {
    /// Packet 1 is stream 0's SYN, packet 2 its SYN-ACK: the other packet of the handshake gives the lost
    /// one's initial sequence number.
    @Test(arguments: [1, 2])
    func aLostHandshakePacketChangesNothing(dropped: Int) throws {
        let original = try PcapGapTests.scripts(dropping: [])
        let altered = try PcapGapTests.scripts(dropping: [dropped])
        #expect(altered.count == original.count)
        for (before, after) in zip(original, altered) {
            #expect(after.milterGap == nil)
            #expect(after.steps.map(\.replies) == before.steps.map(\.replies))
            #expect(after.steps.map(\.command.id) == before.steps.map(\.command.id))
            let comparison = PcapGapTests.compare(after)
            #expect(comparison.notComparedReason == nil && comparison.isSame)
            #expect(comparison.compared == PcapGapTests.compare(before).compared)
        }
    }
}
