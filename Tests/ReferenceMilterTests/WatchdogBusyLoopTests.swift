import Foundation
import MilterProtocol
import MilterTestSupport
import NIOCore
import Testing

@testable import ReferenceMilter

/// The idle and frame timeouts do not blame the MTA for the server's own lateness: when the event loop was
/// held past the deadline (as by another connection's flood of small frames), what the MTA sent meanwhile is
/// read before the connection is judged silent or trickling. The counterpart of `HandshakeBusyLoopTests`.
///
/// The server holds its loop itself (``HeldLoopServer``), right after the step that starts the deadline, and
/// the handshake and first message go in one write before the connection's timers start: no step waits for
/// the test to get the CPU before a deadline, and the loop is let go only once the deadline is surely past.
@Suite(.tags(.integration), .timingSensitive) struct WatchdogBusyLoopTests {
    static func bytes(_ commands: [MilterCommand]) throws -> [UInt8] {
        var buffer = ByteBuffer()
        for command in commands { try buffer.writeMilterCommand(command) }
        return Array(buffer.readableBytesView)
    }

    /// The replies up to and including the first ACCEPT, or up to the close.
    static func repliesUntilAccept(_ mta: TestMTA) async throws -> [MilterReply] {
        var replies: [MilterReply] = []
        while let reply = try await mta.reply() {
            replies.append(reply)
            if reply == .accept { break }
        }
        return replies
    }

    /// Connects to `server` and has it read the handshake and a first message at once, the connection's timers
    /// starting only when all of it is in the socket.
    static func connectAndSendFirstMessage(to server: HeldLoopServer) async throws -> TestMTA {
        let mta = try await TestMTA.connect(port: server.port, timeout: .seconds(120))
        try await mta.send([Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "first"))
        server.holds.activate()
        return mta
    }

    @Test func aMessageWaitingWhileTheLoopWasBusyIsReadBeforeTheIdleTimeout() async throws {
        let idle = Duration.seconds(2)
        let server = try await HeldLoopServer.start(
            timeouts: ConnectionTimeouts(idle: .seconds(2), read: .seconds(600), handshake: .seconds(600)))
        // The loop is held once the first message's verdict is written: the answer is the last activity, so the
        // idle deadline is at most `idle` after the hold began.
        server.holds.holdAfterWrite { $0.readableBytesView.suffix(5).elementsEqual([0, 0, 0, 1, UInt8(ascii: "a")]) }
        let mta = try await Self.connectAndSendFirstMessage(to: server)
        let heldSince = try await server.holds.held()

        // The next message is sent while the loop is held: it waits unread in the socket when the timer comes due.
        try await mta.send(Cmd.message(subject: "second", queueID: "Q2"))
        try await Task.sleep(until: heldSince + idle + .milliseconds(500))
        server.holds.release()

        #expect(try await Self.repliesUntilAccept(mta).last == .accept)
        #expect(try await mta.step().last == .accept, "closed by the idle timeout")
        await mta.close()
        await server.shutdown()
    }

    @Test func theRestOfAFrameWaitingWhileTheLoopWasBusyIsReadBeforeTheFrameTimeout() async throws {
        let frame = Duration.seconds(1)
        let server = try await HeldLoopServer.start(
            timeouts: ConnectionTimeouts(
                idle: .seconds(600), read: .seconds(600), handshake: .seconds(600), frame: .seconds(1)))
        let mta = try await Self.connectAndSendFirstMessage(to: server)
        #expect(try await Self.repliesUntilAccept(mta).last == .accept)

        // The next message's first frame begins; the loop is held once the daemon has read its first bytes, so
        // the frame deadline is at most `frame` after the hold began.
        let message = try Self.bytes(Cmd.message(subject: "second", queueID: "Q2"))
        server.holds.holdAfterNextRead()
        try await mta.sendRaw(Array(message.prefix(3)))
        let heldSince = try await server.holds.held()

        // The rest is sent while the loop is held: it waits unread in the socket when the timer comes due.
        try await mta.sendRaw(Array(message.dropFirst(3)))
        try await Task.sleep(until: heldSince + frame + .milliseconds(500))
        server.holds.release()

        #expect(try await mta.step().last == .accept, "closed by the frame timeout")
        await mta.close()
        await server.shutdown()
    }
}
