import MilterProtocol
import NIOCore
import NIOPosix

/// A scripted MTA for the tests: sends commands or raw bytes, reads replies.
/// Reads end (nil) when the milter closes the connection, and throw ``TestMTAError/silent`` when it stays
/// silent past `timeout`: a guard against hangs, generous because a busy machine can starve the test
/// for many seconds, and never taken for a close by the milter.
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
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                    try channel.pipeline.syncOperations.addHandler(FailOnSilence())
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

/// Fails the reads when the milter stays silent past the read timeout.
private final class FailOnSilence: ChannelInboundHandler {
    typealias InboundIn = MilterReply

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.fireErrorCaught(TestMTAError.silent)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Why a ``TestMTA`` read failed.
package enum TestMTAError: Error {
    case noNegotiation
    /// The milter sent nothing for the whole read timeout.
    case silent
}
