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
        /// Answer with TC set and the counts of the whole answer, cut in the middle of its record.
        case truncateInsideRecord
        /// Answer with this response code and no records (5 is REFUSED, 2 SERVFAIL).
        case responseCode(UInt8)
        /// First an answer (127.0.0.3) whose question spells the name in lowercase, then the right
        /// one (127.0.0.2), which spells it as asked.
        case lowercasedFirst
        /// A negative answer (NXDOMAIN for 3, NODATA for 0) with the SOA of `soaZone` in its authority
        /// section, whose TTL and MINIMUM are 60 s.
        case negative(responseCode: UInt8, soaZone: String)
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

    /// The answer to a query's bytes: same ID and question, one A record (`address`) unless `truncated`
    /// or `responseCode` is not 0.
    static func answer(
        to query: [UInt8], truncated: Bool = false, idDelta: UInt16 = 0, address: [UInt8] = [127, 0, 0, 2],
        responseCode: UInt8 = 0
    ) -> [UInt8] {
        guard query.count > 12 else { return [] }
        let id = (UInt16(query[0]) << 8 | UInt16(query[1])) &+ idDelta
        let flags: UInt16 = (truncated ? 0x8380 : 0x8180) | UInt16(responseCode & 0x0F)
        let records = !truncated && responseCode == 0
        var bytes = [id, flags, 1, records ? 1 : 0, 0, 0].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        bytes += query[12...]
        if records { bytes += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + address }
        return bytes
    }

    /// A negative answer to a query's bytes: same ID and question, no answer, and one SOA record
    /// owned by `zone` in the authority section.
    static func negative(to query: [UInt8], responseCode: UInt8, soaZone zone: String) -> [UInt8] {
        guard query.count > 12 else { return [] }
        let flags: UInt16 = 0x8180 | UInt16(responseCode & 0x0F)
        var bytes = [query[0], query[1], UInt8(flags >> 8), UInt8(flags & 0xFF), 0, 1, 0, 0, 0, 1, 0, 0]
        bytes += query[12...]
        let owner = wire(zone)
        let rdata =
            wire("ns." + zone) + wire("hostmaster." + zone) + [0, 0, 0, 1] + [0, 0, 0x0E, 0x10]
            + [0, 0, 0x02, 0x58] + [0, 0x09, 0x3A, 0x80] + [0, 0, 0, 60]
        bytes += owner + [0, 6, 0, 1, 0, 0, 0, 60, UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)] + rdata
        return bytes
    }

    /// A name's uncompressed wire form; `""` is the root.
    static func wire(_ name: String) -> [UInt8] {
        name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
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
        case .responseCode(let code): replies = [ScriptedServer.answer(to: query, responseCode: code)]
        case .lowercasedFirst:
            var lowered = query
            for index in 12..<lowered.count where (65...90).contains(lowered[index]) { lowered[index] |= 0x20 }
            replies = [ScriptedServer.answer(to: lowered, address: [127, 0, 0, 3]), ScriptedServer.answer(to: query)]
        case .negative(let code, let zone):
            replies = [ScriptedServer.negative(to: query, responseCode: code, soaZone: zone)]
        case .truncateInsideRecord:
            var cut = ScriptedServer.answer(to: query)
            cut[2] |= 0x02  // TC
            replies = [Array(cut.dropLast(6))]
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
