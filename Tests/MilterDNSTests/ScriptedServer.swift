import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A DNS server on a free 127.0.0.1 port (the same number for UDP and TCP) that answers every A
/// query with 127.0.0.2, in a scripted way.
final class ScriptedServer: Sendable {
    enum UDPMode: Sendable {
        /// Answer normally.
        case answer
        /// Answer with TC set and no records, so the client must ask again over TCP.
        case truncate
        /// First a reply with the wrong ID, then a reply to another question, then the right one.
        case decoysFirst
        /// Never answer.
        case silent
        /// First a matching answer with another address (127.0.0.3) sent from another port, then
        /// the right one from the server's port.
        case strangerFirst
    }

    let port: Int
    private let udp: any Channel
    private let tcp: any Channel
    private let stranger: any Channel
    private let counts: NIOLockedValueBox<(udp: Int, tcp: Int)>

    /// Queries received so far over each transport.
    var queryCounts: (udp: Int, tcp: Int) { counts.withLockedValue { $0 } }

    /// A server; with `closingTCP`, its TCP port is closed once UDP is bound, so TCP is refused.
    init(udpMode: UDPMode, closingTCP: Bool = false) async throws {
        let counts = NIOLockedValueBox((udp: 0, tcp: 0))
        self.counts = counts
        let group = MultiThreadedEventLoopGroup.singleton
        let tcp = try await ServerBootstrap(group: group).childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(TCPAnswerer(counts: counts))
            }
        }.bind(host: "127.0.0.1", port: 0).get()
        let port = tcp.localAddress!.port!
        let stranger: any Channel
        do {
            stranger = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await tcp.close()
            throw error
        }
        do {
            udp = try await DatagramBootstrap(group: group).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPAnswerer(mode: udpMode, counts: counts, stranger: stranger))
                }
            }.bind(host: "127.0.0.1", port: port).get()
        } catch {
            try? await tcp.close()
            try? await stranger.close()
            throw error
        }
        if closingTCP { try? await tcp.close() }
        self.tcp = tcp
        self.stranger = stranger
        self.port = port
    }

    func stop() async {
        try? await udp.close()
        try? await tcp.close()
        try? await stranger.close()
    }

    /// The answer to a query's bytes: same ID and question, one A record (`address`) unless `truncated`.
    static func answer(
        to query: [UInt8], truncated: Bool = false, idDelta: UInt16 = 0, address: [UInt8] = [127, 0, 0, 2]
    ) -> [UInt8] {
        guard query.count > 12 else { return [] }
        let id = (UInt16(query[0]) << 8 | UInt16(query[1])) &+ idDelta
        let flags: UInt16 = truncated ? 0x8380 : 0x8180
        var bytes = [id, flags, 1, truncated ? 0 : 1, 0, 0].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        bytes += query[12...]
        if !truncated { bytes += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + address }
        return bytes
    }
}

private final class UDPAnswerer: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let mode: ScriptedServer.UDPMode
    let counts: NIOLockedValueBox<(udp: Int, tcp: Int)>
    let stranger: any Channel

    init(mode: ScriptedServer.UDPMode, counts: NIOLockedValueBox<(udp: Int, tcp: Int)>, stranger: any Channel) {
        self.mode = mode
        self.counts = counts
        self.stranger = stranger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        counts.withLockedValue { $0.udp += 1 }
        let query = Array(envelope.data.readableBytesView)
        var replies: [[UInt8]] = []
        switch mode {
        case .answer: replies = [ScriptedServer.answer(to: query)]
        case .truncate: replies = [ScriptedServer.answer(to: query, truncated: true)]
        case .silent: replies = []
        case .strangerFirst:
            // The real answer only once the forged one has been sent, so that it arrives first.
            let channel = context.channel
            let forged = ScriptedServer.answer(to: query, address: [127, 0, 0, 3])
            let real = AddressedEnvelope(
                remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: ScriptedServer.answer(to: query)))
            stranger.writeAndFlush(
                AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: forged))
            )
            .whenComplete { _ in channel.writeAndFlush(real, promise: nil) }
        case .decoysFirst:
            var otherQuestion = query
            otherQuestion[13] ^= 0x01  // first label byte of the name: another name
            replies = [
                ScriptedServer.answer(to: query, idDelta: 1), ScriptedServer.answer(to: otherQuestion),
                ScriptedServer.answer(to: query),
            ]
        }
        for reply in replies {
            let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply))
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }
    }
}

private final class TCPAnswerer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let counts: NIOLockedValueBox<(udp: Int, tcp: Int)>
    private var received = ByteBuffer()

    init(counts: NIOLockedValueBox<(udp: Int, tcp: Int)>) { self.counts = counts }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
            let query = received.getBytes(at: received.readerIndex + 2, length: Int(length))
        else { return }
        counts.withLockedValue { $0.tcp += 1 }
        let answer = ScriptedServer.answer(to: query)
        var framed = ByteBuffer()
        framed.writeInteger(UInt16(answer.count))
        framed.writeBytes(answer)
        // Two writes, so that the client has to put the answer back together.
        let first = framed.readSlice(length: 5)!
        context.writeAndFlush(wrapOutboundOut(first), promise: nil)
        context.writeAndFlush(wrapOutboundOut(framed), promise: nil)
    }
}
