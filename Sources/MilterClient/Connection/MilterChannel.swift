import MilterProtocol
import NIOCore
import NIOPosix

/// The socket to one milter: writes commands, reads replies with a timeout per wait.
struct MilterChannel: Sendable {
    let channel: any Channel
    private let inbox: NIOLoopBound<ReplyInbox>

    /// Connects; the reply decoder refuses frames over `maximumReplyLength` before buffering them.
    static func connect(
        to address: MilterAddress, timeout: TimeAmount, maximumReplyLength: Int, group: any EventLoopGroup
    ) async throws -> MilterChannel {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let limits = MilterFrameLimits(maximumPayloadLength: maximumReplyLength)
                    let decoder = ByteToMessageHandler(MilterReplyDecoder(limits: limits))
                    try channel.pipeline.syncOperations.addHandlers(decoder, ReplyInbox())
                }
            }
        let channel: any Channel
        switch address {
        case .inet(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
        case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        }
        let inbox = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: ReplyInbox.self), eventLoop: channel.eventLoop)
        }.get()
        return MilterChannel(channel: channel, inbox: inbox)
    }

    private init(channel: any Channel, inbox: NIOLoopBound<ReplyInbox>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// The outcome of sending.
    enum Exchange: Sendable {
        /// Replies had arrived that nobody asked for; nothing was written.
        case stray([MilterReply])
        /// Written; the event that followed, or `nil` when none was awaited.
        case sent(InboxEvent?)
    }

    /// Writes `bytes` and, when `timeout` is given, waits for the next event — unless replies
    /// nobody asked for are waiting, which are returned instead and nothing is written.
    /// One hop to the event loop per call.
    func exchange(_ bytes: ByteBuffer, awaiting timeout: TimeAmount?) async -> Exchange {
        let inbox = self.inbox
        let channel = self.channel
        let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Exchange> in
            let stray = inbox.value.takeQueuedReplies()
            if !stray.isEmpty { return channel.eventLoop.makeSucceededFuture(.stray(stray)) }
            channel.writeAndFlush(bytes, promise: nil)
            guard let timeout else { return channel.eventLoop.makeSucceededFuture(.sent(nil)) }
            return inbox.value.next(on: channel.eventLoop, timeout: timeout).map { .sent($0) }
        }
        return (try? await future.get()) ?? .sent(.endOfFile)
    }

    /// Waits for the next event.
    func next(timeout: TimeAmount) async -> InboxEvent {
        let inbox = self.inbox
        let eventLoop = channel.eventLoop
        let future = eventLoop.flatSubmit { inbox.value.next(on: eventLoop, timeout: timeout) }
        return (try? await future.get()) ?? .endOfFile
    }

    /// Closes the socket.
    func close() async {
        try? await channel.close()
    }
}
