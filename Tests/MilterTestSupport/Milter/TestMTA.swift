import MilterProtocol
import NIOCore
import NIOPosix

/// A scripted MTA for the tests: sends commands or raw bytes, reads replies.
/// Reads end (nil) when the milter closes the connection, and throw ``TestMTAError/silent`` when it stays
/// silent past `timeout`: a guard against hangs, generous because a busy machine can starve the test
/// for many seconds, and never taken for a close by the milter.
///
/// The guard runs only while a read waits (``SilenceGuard``): a connection the test is not reading from stays
/// open however long the test is starved between two steps. (It used to be an idle timer on the connection, which
/// closed it after `timeout` without a reply whether or not the test was waiting: a test starved for 30 s between
/// two steps found its own connection closed, "I/O on closed channel".)
package actor TestMTA {
    private let channel: any Channel
    private var replies: AsyncThrowingStream<MilterReply, any Error>.AsyncIterator

    private init(channel: any Channel, replies: AsyncThrowingStream<MilterReply, any Error>) {
        self.channel = channel
        self.replies = replies.makeAsyncIterator()
    }

    package static func connect(
        port: Int, host: String = "127.0.0.1", timeout: TimeAmount = .seconds(60)
    ) async throws -> TestMTA {
        try await connect(to: SocketAddress.makeAddressResolvingHost(host, port: port), timeout: timeout)
    }

    package static func connect(unixPath: String, timeout: TimeAmount = .seconds(60)) async throws -> TestMTA {
        try await connect(to: SocketAddress(unixDomainSocketPath: unixPath), timeout: timeout)
    }

    package static func connect(to address: SocketAddress, timeout: TimeAmount) async throws -> TestMTA {
        let (stream, continuation) = AsyncThrowingStream<MilterReply, any Error>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MilterReplyDecoder()))
                    try channel.pipeline.syncOperations.addHandler(SilenceGuard(timeout: timeout))
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector(continuation: continuation))
                }
            }
            .connect(to: address).get()
        return TestMTA(channel: channel, replies: stream)
    }

    /// Sends commands in one write.
    package func send(_ commands: [MilterCommand]) async throws {
        var buffer = ByteBuffer()
        for command in commands { try buffer.writeMilterCommand(command) }
        try await channel.writeAndFlush(buffer)
    }

    /// Sends raw bytes.
    package func sendRaw(_ bytes: [UInt8]) async throws { try await channel.writeAndFlush(ByteBuffer(bytes: bytes)) }

    /// The next reply, or nil when the connection closed.
    package func reply() async throws -> MilterReply? {
        var iterator = replies
        defer { replies = iterator }
        channel.pipeline.fireUserInboundEventTriggered(SilenceGuard.Wait.started)
        defer { channel.pipeline.fireUserInboundEventTriggered(SilenceGuard.Wait.ended) }
        return try await iterator.next(isolation: self)
    }

    /// Replies up to and including the next final one.
    package func step() async throws -> [MilterReply] {
        var out: [MilterReply] = []
        while let reply = try await reply() {
            out.append(reply)
            if reply.id.isFinal { break }
        }
        return out
    }

    /// Negotiates (Postfix's offer by default) and returns the agreement.
    @discardableResult
    package func negotiate(_ offer: OptionNegotiation = Negotiation.postfixOffer()) async throws -> NegotiatedOptions {
        try await send([.optionNegotiation(offer)])
        guard case .optionNegotiation(let answer)? = try await reply() else { throw TestMTAError.noNegotiation }
        return try Negotiation.mtaAgreement(offer: offer, answer: answer).agreed
    }

    /// Sends a message's commands and returns the replies up to the final one.
    package func message(_ commands: [MilterCommand]) async throws -> [MilterReply] {
        try await send(commands)
        return try await step()
    }

    /// Whether the milter closes the connection without sending anything more (a reset counts;
    /// our own timeout does not).
    package func isClosed() async throws -> Bool {
        do { return try await reply() == nil } catch TestMTAError.silent { return false } catch { return true }
    }

    /// Whether the connection is open now, as far as this side knows: no waiting.
    package var isOpen: Bool { channel.isActive }

    package func close() async { try? await channel.close() }

    /// Shuts down this side's writing (a TCP FIN) and keeps reading: what the milter does when the MTA is done.
    package func closeOutput() async throws { try await channel.close(mode: .output) }
}

/// Hands decoded replies to the test's stream; ends it when the connection closes.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = MilterReply
    let continuation: AsyncThrowingStream<MilterReply, any Error>.Continuation

    init(continuation: AsyncThrowingStream<MilterReply, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { continuation.yield(unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { continuation.finish() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}

/// Fails the reads with ``TestMTAError/silent`` when the milter sends nothing for `timeout` while a read waits:
/// the wait's start and end come down the pipeline as ``Wait`` events (from ``TestMTA/reply()``), each wait has a
/// clock of its own, and any reply stops it. Nothing is timed while no read waits.
private final class SilenceGuard: ChannelInboundHandler {
    typealias InboundIn = MilterReply

    /// A read's wait beginning or ending.
    enum Wait: Sendable {
        case started, ended
    }

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        stop()
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event as? Wait {
        case .started?:
            stop()
            let context = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.value.eventLoop.scheduleTask(in: timeout) {
                context.value.fireErrorCaught(TestMTAError.silent)
            }
        case .ended?: stop()
        case nil: context.fireUserInboundEventTriggered(event)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    private func stop() {
        timer?.cancel()
        timer = nil
    }
}

/// Why a ``TestMTA`` read failed.
package enum TestMTAError: Error {
    case noNegotiation
    /// The milter sent nothing for the whole read timeout while a read waited.
    case silent
}
