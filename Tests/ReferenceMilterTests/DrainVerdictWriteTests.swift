import MilterProtocol
import MilterTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@testable import ReferenceMilter

/// The failure verdict of the drain deadline when the MTA does not read: a socket channel's close fails the
/// writes still pending, so the connection closes only once the verdict is written, or after the write
/// timeout when the MTA never reads.
@Suite struct DrainVerdictWriteTests {
    enum Event: Equatable {
        /// A write reached the socket: its replies.
        case written([MilterReply])
        /// The close, with the number of writes still pending, which it fails.
        case close(lost: Int)
    }

    /// Stands for a socket whose send buffer is full while `holding`: writes wait, and a close fails them,
    /// as a socket channel's close does.
    final class FullSocketBuffer: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let events: NIOLockedValueBox<[Event]>
        var holding = false
        private var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []

        init(events: NIOLockedValueBox<[Event]>) { self.events = events }

        /// How many writes wait, readable off the loop.
        let heldCount = NIOLockedValueBox(0)

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let buffer = unwrapOutboundIn(data)
            guard holding else {
                pass(buffer, promise, context: context)
                return
            }
            held.append((buffer, promise))
            heldCount.withLockedValue { $0 = held.count }
        }

        func flush(context: ChannelHandlerContext) {
            if !holding { context.flush() }
        }

        /// The MTA reads: the writes held go out.
        func release(context: ChannelHandlerContext) {
            holding = false
            let waiting = held
            held = []
            heldCount.withLockedValue { $0 = 0 }
            for (buffer, promise) in waiting { pass(buffer, promise, context: context) }
            context.flush()
        }

        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            events.withLockedValue { $0.append(.close(lost: held.count)) }
            let lost = held
            held = []
            heldCount.withLockedValue { $0 = 0 }
            for (_, promise) in lost { promise?.fail(ChannelError.ioOnClosedChannel) }
            context.close(mode: mode, promise: promise)
        }

        private func pass(_ buffer: ByteBuffer, _ promise: EventLoopPromise<Void>?, context: ChannelHandlerContext) {
            var copy = buffer
            var decoder = MilterReplyDecoder()
            var replies: [MilterReply] = []
            while let reply = try? decoder.decode(buffer: &copy) { replies.append(reply) }
            events.withLockedValue { $0.append(.written(replies)) }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        }
    }

    struct Connection {
        let events: NIOLockedValueBox<[Event]>
        let handlers: StalledHandlerChannel
        var channel: NIOAsyncTestingChannel { handlers.channel }
        var classifier: DrainDeadlineTests.StalledClassifier { handlers.classifier }

        /// A connection whose message waits for the classifier; from then on the MTA reads nothing.
        static func stalled() async throws -> Connection {
            let events = NIOLockedValueBox<[Event]>([])
            let handlers = try await StalledHandlerChannel.open(ledger: MemoryLedger(limit: .max)) {
                FullSocketBuffer(events: events)
            }
            let connection = Connection(events: events, handlers: handlers)
            let channel = connection.channel
            for command in [Cmd.offer, Cmd.connect, Cmd.helo] + Cmd.message(subject: "slow") {
                try await channel.writeInbound(try Cmd.bytes(command))
            }
            try await waitUntil { connection.classifier.started.withLockedValue { $0 } == 1 }
            try await connection.onBuffer { handler, _ in handler.holding = true }
            connection.events.withLockedValue { $0 = [] }
            return connection
        }

        /// Runs `body` on the loop with the socket buffer handler and its context.
        func onBuffer(_ body: @escaping @Sendable (FullSocketBuffer, ChannelHandlerContext) -> Void) async throws {
            let channel = channel
            try await channel.eventLoop.submit {
                let context = try channel.pipeline.syncOperations.context(handlerType: FullSocketBuffer.self)
                body(context.handler as! FullSocketBuffer, context)
            }.get()
        }

        func drainDeadline() async throws {
            let channel = channel
            try await channel.eventLoop.submit { channel.pipeline.fireUserInboundEventTriggered(DrainDeadline()) }.get()
        }

        func finish() async {
            _ = try? await channel.finish()
            handlers.scheduler.shutdown()
        }
    }

    static let tempfail = MilterReply.replyCode("451 4.3.0 Try again later")

    @Test func theCloseWaitsUntilTheVerdictIsWritten() async throws {
        let connection = try await Connection.stalled()
        try await connection.drainDeadline()
        #expect(connection.events.withLockedValue { $0 } == [])
        #expect(connection.channel.isActive)

        try await connection.onBuffer { handler, context in handler.release(context: context) }
        try await waitUntil { !connection.channel.isActive }
        #expect(connection.events.withLockedValue { $0 } == [.written([Self.tempfail]), .close(lost: 0)])
        await connection.finish()
    }

    @Test func anMTAThatNeverReadsIsClosedAfterTheWriteTimeout() async throws {
        let connection = try await Connection.stalled()
        try await connection.drainDeadline()
        #expect(connection.channel.isActive)

        await connection.channel.testingEventLoop.advanceTime(by: DrainDeadline.defaultWriteTimeout)
        try await waitUntil { !connection.channel.isActive }
        #expect(connection.events.withLockedValue { $0 } == [.close(lost: 1)])
        await connection.finish()
    }
}
