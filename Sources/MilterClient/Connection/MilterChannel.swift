import MilterProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The socket to one milter. Apart from ``connect(to:timeout:maximumReplyLength:group:)`` every
/// method must be called on the channel's event loop, which is the executor of the
/// ``MilterClientConnection`` actor that owns it.
struct MilterChannel: Sendable {
    let channel: any Channel
    private let inbox: NIOLoopBound<ReplyInbox>
    /// The tap's view of what is written; `nil` without a tap.
    private let outboundTap: NIOLoopBound<OutboundFrameTap>?

    /// Connects; the reply decoder refuses frames over `maximumReplyLength` before buffering them,
    /// and the connection ends when unread replies cost more than `maximumUnreadBytes`; `tap` sees every frame.
    static func connect(
        to address: MilterAddress, timeout: TimeAmount, maximumReplyLength: Int, maximumUnreadBytes: Int,
        tap: MilterFrameTap? = nil, group: any EventLoopGroup
    ) async throws -> MilterChannel {
        // The inbox is kept from the initializer, not looked up in the pipeline once connected: a peer that writes
        // at accept and closes (an SMTP server's greeting) can have had the channel closed and its handlers
        // removed by then, and what the inbox read (the greeting as a frame error, the end of file) was lost to a
        // lookup failure reported as a failed connect. Kept by channel: a host name with several addresses tries
        // a channel for each.
        let added = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<ReplyInbox>]>([:])
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let limits = MilterFrameLimits(maximumPayloadLength: maximumReplyLength)
                    let inbox = ReplyInbox(limits: limits, maximumQueuedBytes: maximumUnreadBytes, tap: tap)
                    try channel.pipeline.syncOperations.addHandler(inbox)
                    let bound = NIOLoopBound(inbox, eventLoop: channel.eventLoop)
                    added.withLockedValue { $0[ObjectIdentifier(channel)] = bound }
                }
            }
        let channel: any Channel
        switch address {
        case .inet(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
        case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        }
        return try await channel.eventLoop.submit {
            guard let inbox = added.withLockedValue({ $0[ObjectIdentifier(channel)] }) else {
                throw ChannelPipelineError.notFound
            }
            return MilterChannel(channel: channel, inbox: inbox.value, tap: tap)
        }.get()
    }

    /// Wraps a channel that is already connected (a test's `NIOAsyncTestingChannel`), adding
    /// the reply inbox to its pipeline.
    static func wrapping(
        _ channel: any Channel, maximumReplyLength: Int, maximumUnreadBytes: Int, tap: MilterFrameTap? = nil
    ) async throws
        -> MilterChannel
    {
        return try await channel.eventLoop.submit {
            let limits = MilterFrameLimits(maximumPayloadLength: maximumReplyLength)
            let handler = ReplyInbox(limits: limits, maximumQueuedBytes: maximumUnreadBytes, tap: tap)
            try channel.pipeline.syncOperations.addHandler(handler)
            return MilterChannel(channel: channel, inbox: handler, tap: tap)
        }.get()
    }

    /// Call on the channel's event loop.
    private init(channel: any Channel, inbox: ReplyInbox, tap: MilterFrameTap?) {
        self.channel = channel
        self.inbox = NIOLoopBound(inbox, eventLoop: channel.eventLoop)
        outboundTap = tap.map { NIOLoopBound(OutboundFrameTap($0), eventLoop: channel.eventLoop) }
    }

    /// Writes and flushes; the tap, if any, sees each frame of `bytes` first.
    func write(_ bytes: ByteBuffer) {
        if let outboundTap { outboundTap.value.observe(bytes) }
        channel.writeAndFlush(bytes, promise: nil)
    }

    /// Removes and returns the replies that arrived while nobody waited.
    func takeStrayReplies() -> [MilterReply] { inbox.value.takeQueuedReplies() }

    /// The next event if one is already there.
    func poll() -> InboxEvent? { inbox.value.poll() }

    /// Resumes `continuation` with the next event, or with a timeout after `timeout` without a frame.
    func wait(timeout: TimeAmount, continuation: UnsafeContinuation<InboxEvent, Never>) {
        inbox.value.wait(on: channel.eventLoop, timeout: timeout, continuation: continuation)
    }

    /// Calls `handler` on the event loop with each event a ``waitForHandler(timeout:)`` asks for.
    func setEventHandler(_ handler: ((InboxEvent) -> Void)?) { inbox.value.handler = handler }

    /// Calls the event handler with the next event, or with a timeout after `timeout` without a frame.
    func waitForHandler(timeout: TimeAmount) {
        inbox.value.waitForHandler(on: channel.eventLoop, timeout: timeout)
    }

    /// Closes the socket.
    func close() {
        channel.close(promise: nil)
    }
}
