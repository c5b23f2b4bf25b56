import Foundation
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// The handshake timeout does not blame the MTA for the server's own lateness: when the event loop was held
/// past the deadline (by another connection's flood of small frames, in `HostileDaemonTests`' empty-headers
/// case), the CONNECT that arrived meanwhile is read before the connection is judged silent.
/// Timing-sensitive: the MTA must negotiate within the 2 s handshake timeout before the loop is held.
@Suite(.tags(.integration), .timingSensitive) struct HandshakeBusyLoopTests {
    @Test func aCONNECTWaitingWhileTheLoopWasBusyIsReadBeforeTheTimeout() async throws {
        let handshake = Duration.seconds(2)
        let milter = try await startMilter {
            $0.timeouts.handshake = .seconds(2)
            $0.timeouts.idle = .seconds(600)
        }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        #expect(!(try await mta.negotiate()).actions.isEmpty, "not served")
        // The connection became active before its OPTNEG was answered: its deadline is before this one.
        let pastDeadline = ContinuousClock.now + handshake + .milliseconds(500)
        // The loop is held until the deadline has passed, as a burst of reads of another connection holds it;
        // CONNECT and HELO are sent while it is held, so they wait unread in the socket when the timer comes due.
        try await WatchdogBusyLoopTests.hold(milter, until: pastDeadline) {
            try await mta.send([Cmd.connect, Cmd.helo])
        }

        #expect(try await mta.message(Cmd.message(subject: "hello")).last == .accept, "closed by the handshake timeout")
        await mta.close()
        await milter.shutdown()
    }
}
