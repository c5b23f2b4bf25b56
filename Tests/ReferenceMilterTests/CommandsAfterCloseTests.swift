import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// Commands decoded after the connection closed, the rest of the read that closed it, are dropped: neither
/// answered nor charged to the memory budget (the close gave back what the connection held).
@Suite struct CommandsAfterCloseTests {
    /// Records the replies the handler writes, before the channel (closed or not) sees them.
    final class ReplyRecorder: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let replies: NIOLockedValueBox<[MilterReply]>

        init(replies: NIOLockedValueBox<[MilterReply]>) { self.replies = replies }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            var buffer = unwrapOutboundIn(data)
            var decoder = MilterReplyDecoder()
            while let reply = try? decoder.decode(buffer: &buffer) { replies.withLockedValue { $0.append(reply) } }
            context.write(data, promise: promise)
        }
    }

    struct Connection {
        let replies: NIOLockedValueBox<[MilterReply]>
        let ledger: MemoryLedger
        let stalled: StalledHandlerChannel
        var channel: NIOAsyncTestingChannel { stalled.channel }
        var classifier: DrainDeadlineTests.StalledClassifier { stalled.classifier }

        static func open() async throws -> Connection {
            let replies = NIOLockedValueBox<[MilterReply]>([])
            let ledger = MemoryLedger(limit: .max)
            let stalled = try await StalledHandlerChannel.open(ledger: ledger) { ReplyRecorder(replies: replies) }
            return Connection(replies: replies, ledger: ledger, stalled: stalled)
        }

        /// The commands' frames in one read.
        func send(_ commands: [MilterCommand]) async throws {
            var read = ByteBuffer()
            for command in commands { try read.writeMilterCommand(command) }
            try await channel.writeInbound(read)
        }

        func finish() async {
            _ = try? await channel.finish()
            stalled.scheduler.shutdown()
        }
    }

    @Test func commandsAfterTheQueueOverflowedAreNotCharged() async throws {
        let connection = try await Connection.open()
        for command in [Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "slow") {
            try await connection.send([command])
        }
        try await waitUntil { connection.classifier.started.withLockedValue { $0 } == 1 }
        #expect(connection.ledger.total > 0)
        // 256 commands wait for the classifier; the 257th closes the connection, which gives back every
        // charge; the 10 after it in the same read must not be queued and charged again.
        let header = Cmd.header("X-Filler", String(repeating: "x", count: 100))
        try await connection.send(Array(repeating: header, count: 257 + 10))
        #expect(!connection.channel.isActive)
        #expect(connection.ledger.total == 0)
        await connection.finish()
    }
}
