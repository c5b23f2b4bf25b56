import NIOCore

/// Waits on a UDP socket connected to the server for the one datagram that answers the query:
/// from the server, with the query's ID and question. Anything else (spoofed, late, malformed) is
/// dropped, except a truncated answer (TC) whose records were cut anywhere: it sends the exchange on
/// to TCP; the kernel already drops datagrams from other addresses, and the address is checked
/// here again. A refusal (ICMP port unreachable) fails the exchange at once.
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let query: DNSQuery
    private let server: SocketAddress
    private let promise: EventLoopPromise<DNSResponse>

    init(query: DNSQuery, server: SocketAddress, promise: EventLoopPromise<DNSResponse>) {
        self.query = query
        self.server = server
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == server else { return }
        let bytes = Array(envelope.data.readableBytesView)
        // A truncated answer cut inside a record still sends the exchange on to TCP.
        guard let response = (try? DNSResponse(parsing: bytes)) ?? DNSResponse.truncated(bytes),
            response.answers(query)
        else { return }
        promise.succeed(response)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSError(socketError: error, server: server))
    }

    /// A socket error that NIO deems fatal (EHOSTUNREACH, say) closes the channel: fail now rather
    /// than at the timeout. After an answer, the promise is already complete and this does nothing.
    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSError(.network, detail: "socket closed before the answer"))
        context.fireChannelInactive()
    }
}
