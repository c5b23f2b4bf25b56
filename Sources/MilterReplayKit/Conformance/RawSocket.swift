import MilterClient
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A plain socket to the milter: bytes out as they are, bytes in as they come, and whether it closed.
final class RawSocket: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    static func open(_ address: MilterAddress, timeout: TimeAmount) async throws -> RawSocket {
        let collector = Collector()
        let bootstrap = ClientBootstrap(group: MilterClientDefaults.eventLoopGroup)
            .connectTimeout(timeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
        let channel: any Channel
        switch address {
        case .inet(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
        case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        }
        return RawSocket(channel: channel, collector: collector)
    }

    func write(_ bytes: [UInt8]) async {
        try? await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Shuts the writing side: the milter reads EOF.
    func shutdownOutput() async {
        try? await channel.close(mode: .output)
    }

    /// Everything received so far, and whether the milter closed its side.
    var state: (bytes: [UInt8], closed: Bool) { collector.state.withLockedValue { ($0.bytes, $0.closed) } }

    /// Waits until `done` holds for what was received, or `timeout` passes; returns the state then.
    func wait(
        upTo timeout: TimeAmount, until done: ([UInt8], Bool) -> Bool
    ) async -> (bytes: [UInt8], closed: Bool) {
        let deadline = NIODeadline.now() + timeout
        while true {
            let current = state
            if done(current.bytes, current.closed) || NIODeadline.now() >= deadline { return current }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func close() async {
        try? await channel.close()
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        struct State {
            var bytes: [UInt8] = []
            var closed = false
        }
        let state = NIOLockedValueBox(State())

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            // A milter that answers garbage with a flood cannot fill memory: 1 MB is far more than any verdict.
            state.withLockedValue { if $0.bytes.count < 1 << 20 { $0.bytes += bytes } }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? ChannelEvent, case .inputClosed = event {
                state.withLockedValue { $0.closed = true }
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            state.withLockedValue { $0.closed = true }
            context.close(promise: nil)
        }
    }
}
