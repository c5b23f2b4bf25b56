import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

/// The handshake timeout runs until CONNECT: a peer that sends OPTNEG and nothing more is closed by
/// it, whether it was served or refused because every slot was taken, and never held to the idle timeout.
/// Timing-sensitive: each connection must send OPTNEG within the handshake timeout, which a machine
/// loaded by other tests can miss (the channel was closed before the OPTNEG went).
@Suite(.tags(.integration), .timingSensitive) struct HandshakeTimeoutTests {
    @Test func aPeerThatSendsOnlyOPTNEGIsClosedServedOrRefused() async throws {
        // One slot, a 3 s handshake timeout and a 600 s idle timeout: each wait below gives up after 30 s.
        let milter = try await startMilter {
            $0.maximumConnections = 1
            $0.timeouts.handshake = .seconds(3)
            $0.timeouts.idle = .seconds(600)
        }
        let served = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        #expect(!(try await served.negotiate()).actions.isEmpty, "not served")
        #expect(try await served.isClosed(), "a served connection that sent only OPTNEG is still open")
        try await waitUntil(timeout: .seconds(30)) { milter.server.connectionCount == 0 }

        // An MTA takes the slot, sending OPTNEG, CONNECT and HELO at once as Postfix does.
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await mta.send([Cmd.offer, Cmd.connect, Cmd.helo])
        guard case .optionNegotiation(let answer)? = try await mta.reply() else {
            Issue.record("no OPTNEG answer")
            return
        }
        #expect(!answer.actions.isEmpty, "not served")
        try await waitUntil(timeout: .seconds(30)) { milter.server.connectionCount == 1 }

        let refused = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        #expect(try await refused.negotiate().actions.isEmpty, "not refused")
        #expect(try await refused.isClosed(), "a refused connection that sent only OPTNEG is still open")

        // The MTA's connection, past CONNECT, outlived its handshake timeout and is served.
        #expect(try await mta.message(Cmd.message(subject: "hello")).last == .accept)
        await mta.close()
        await milter.shutdown()
    }

    /// The handshake ends at the first CONNECT for good: a connection that Postfix reuses after QUIT_NC waits for
    /// the next session's CONNECT under the idle timeout, however long past the handshake timeout it comes. The
    /// timer that keeps both (one per connection) closed it at the handshake deadline when QUIT_NC had come first.
    /// A starved machine can only make this pass without the fix (QUIT_NC after the deadline), never fail with it.
    @Test func aConnectionReusedAfterQUIT_NCIsNotHeldToTheHandshakeTimeout() async throws {
        let milter = try await startMilter {
            $0.timeouts.handshake = .seconds(1)
            $0.timeouts.idle = .seconds(600)
        }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await mta.send([Cmd.offer, Cmd.connect, Cmd.helo])
        guard case .optionNegotiation? = try await mta.reply() else {
            Issue.record("no OPTNEG answer")
            return
        }
        #expect(try await mta.message(Cmd.message(subject: "first")).last == .accept)
        try await mta.send([.quitNewConnection])
        // Past twice the handshake timeout (a late timer gives one more) after the connection opened.
        try await Task.sleep(for: .seconds(3))
        try await mta.send([Cmd.connect, Cmd.helo])
        let replies = try? await mta.message(Cmd.message(subject: "second"))
        #expect(replies?.last == .accept, "the reused connection was closed: \(String(describing: replies))")
        await mta.close()
        await milter.shutdown()
    }
}
