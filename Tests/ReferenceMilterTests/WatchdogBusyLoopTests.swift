import Foundation
import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ReferenceMilter

/// The idle and frame timeouts do not blame the MTA for the server's own lateness: when the event loop was
/// held past the deadline (as by another connection's flood of small frames), what the MTA sent meanwhile is
/// read before the connection is judged silent or trickling. The counterpart of `HandshakeBusyLoopTests`.
/// Timing-sensitive: the first message must be served, and a partial frame read, before the loop is held.
@Suite(.tags(.integration), .timingSensitive) struct WatchdogBusyLoopTests {
    /// Holds the connection's event loop until `instant`; `whileHeld` runs once the loop is held.
    static func hold(
        _ milter: EmbeddedMilter, until instant: ContinuousClock.Instant, whileHeld: () async throws -> Void
    ) async throws {
        try await waitUntil(timeout: .seconds(30)) { milter.server.connectionCount == 1 }
        let channel = try #require(milter.server.openChannels.first)
        let holding = NIOLockedValueBox(false)
        let held = channel.eventLoop.submit {
            holding.withLockedValue { $0 = true }
            while ContinuousClock.now < instant { usleep(10_000) }
        }
        try await waitUntil(timeout: .seconds(30)) { holding.withLockedValue { $0 } }
        try await whileHeld()
        try await held.get()
    }

    static func bytes(_ commands: [MilterCommand]) throws -> [UInt8] {
        var buffer = ByteBuffer()
        for command in commands { try buffer.writeMilterCommand(command) }
        return Array(buffer.readableBytesView)
    }

    @Test func aMessageWaitingWhileTheLoopWasBusyIsReadBeforeTheIdleTimeout() async throws {
        let idle = Duration.seconds(2)
        let milter = try await startMilter {
            $0.timeouts.idle = .seconds(2)
            $0.timeouts.read = .seconds(600)
        }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await mta.negotiate()
        #expect(try await mta.message([Cmd.connect, Cmd.helo] + Cmd.message(subject: "first")).last == .accept)
        // The last command was read before its verdict came: the idle deadline is before this one.
        let pastDeadline = ContinuousClock.now + idle + .milliseconds(500)

        // The next message is sent while the loop is held: it waits unread in the socket when the timer comes due.
        try await Self.hold(milter, until: pastDeadline) {
            try await mta.send(Cmd.message(subject: "second", queueID: "Q2"))
        }

        #expect(try await mta.step().last == .accept, "closed by the idle timeout")
        await mta.close()
        await milter.shutdown()
    }

    @Test func theRestOfAFrameWaitingWhileTheLoopWasBusyIsReadBeforeTheFrameTimeout() async throws {
        let frame = Duration.seconds(1)
        let milter = try await startMilter {
            $0.timeouts.idle = .seconds(600)
            $0.timeouts.read = .seconds(600)
            $0.timeouts.frame = .seconds(1)
        }
        let mta = try await TestMTA.connect(to: milter, timeout: .seconds(30))
        try await mta.negotiate()
        #expect(try await mta.message([Cmd.connect, Cmd.helo] + Cmd.message(subject: "first")).last == .accept)
        // The next message's first frame begins; the daemon reads its first bytes at once (within 300 ms).
        let message = try Self.bytes(Cmd.message(subject: "second", queueID: "Q2"))
        try await mta.sendRaw(Array(message.prefix(3)))
        try await Task.sleep(for: .milliseconds(300))
        let pastDeadline = ContinuousClock.now + frame + .milliseconds(500)

        // The rest is sent while the loop is held: it waits unread in the socket when the timer comes due.
        try await Self.hold(milter, until: pastDeadline) {
            try await mta.sendRaw(Array(message.dropFirst(3)))
        }

        #expect(try await mta.step().last == .accept, "closed by the frame timeout")
        await mta.close()
        await milter.shutdown()
    }
}
