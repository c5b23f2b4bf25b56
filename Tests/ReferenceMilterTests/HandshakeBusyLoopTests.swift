import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

/// The handshake timeout does not blame the MTA for the server's own lateness: when the event loop was held
/// past the deadline (by another connection's flood of small frames, in `HostileDaemonTests`' empty-headers
/// case), the CONNECT that arrived meanwhile is read before the connection is judged silent.
///
/// The server holds its loop itself (``HeldLoopServer``), right after its OPTNEG reply, and the OPTNEG is in the
/// socket before the connection's handshake timer starts: no step waits for the test to get the CPU before the
/// deadline, and the loop is let go only once the deadline is surely past.
@Suite(.tags(.integration), .timingSensitive) struct HandshakeBusyLoopTests {
    @Test func aCONNECTWaitingWhileTheLoopWasBusyIsReadBeforeTheTimeout() async throws {
        let handshake = Duration.seconds(2)
        let server = try await HeldLoopServer.start(
            timeouts: ConnectionTimeouts(idle: .seconds(600), read: .seconds(600), handshake: .seconds(2)))
        // The loop is held once OPTNEG is answered: the connection became active before, so the handshake deadline
        // is at most `handshake` after the hold began.
        server.holds.holdAfterWrite { _ in true }
        let mta = try await TestMTA.connect(port: server.port, timeout: .seconds(120))
        try await mta.send([Cmd.offer])
        server.holds.activate()
        let heldSince = try await server.holds.held()
        guard case .optionNegotiation(let answer)? = try await mta.reply() else {
            Issue.record("no OPTNEG reply")
            await server.shutdown()
            return
        }
        #expect(!answer.actions.isEmpty, "not served")

        // CONNECT and HELO are sent while the loop is held, as a burst of reads of another connection holds it:
        // they wait unread in the socket when the timer comes due.
        try await mta.send([Cmd.connect, Cmd.helo])
        try await Task.sleep(until: heldSince + handshake + .milliseconds(500))
        server.holds.release()

        #expect(try await mta.message(Cmd.message(subject: "hello")).last == .accept, "closed by the handshake timeout")
        await mta.close()
        await server.shutdown()
    }
}
