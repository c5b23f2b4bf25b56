import NIOCore

/// Invents the TCP framing of one connection whose bytes were seen above the socket layer (by a proxy):
/// a handshake, data segments with consistent sequence and acknowledgement numbers, and a FIN exchange.
public struct SynthesizedTCPFlow: Sendable {
    /// The connecting side.
    public let client: Endpoint
    /// The listening side.
    public let server: Endpoint
    /// The largest payload per segment; 65495 keeps IPv4 within its 16-bit total length.
    public let maxSegmentSize: Int
    private var clientNext: UInt32
    private var serverNext: UInt32

    /// Creates a flow; the initial sequence numbers are parameters so the output is reproducible.
    public init(
        client: Endpoint, server: Endpoint, clientISN: UInt32 = 1000, serverISN: UInt32 = 5000,
        maxSegmentSize: Int = 65495
    ) {
        self.client = client
        self.server = server
        self.clientNext = clientISN
        self.serverNext = serverISN
        self.maxSegmentSize = max(1, min(maxSegmentSize, 65495))
    }

    /// SYN, SYN-ACK and ACK.
    public mutating func open() -> [TCPSegment] {
        let syn = TCPSegment(
            source: client, destination: server, sequenceNumber: clientNext, acknowledgementNumber: 0, flags: .syn)
        clientNext &+= 1
        let synAck = segment(from: .serverToClient, flags: [.syn, .ack])
        serverNext &+= 1
        return [syn, synAck, segment(from: .clientToServer, flags: .ack)]
    }

    /// Data segments carrying `bytes` from one side, each at most ``maxSegmentSize`` long.
    public mutating func send(_ bytes: ByteBuffer, from direction: StreamDirection) -> [TCPSegment] {
        var remaining = bytes
        var segments: [TCPSegment] = []
        while remaining.readableBytes > 0 {
            let chunk = remaining.readSlice(length: min(maxSegmentSize, remaining.readableBytes))!
            segments.append(segment(from: direction, flags: [.psh, .ack], payload: chunk))
            advance(direction, by: chunk.readableBytes)
        }
        return segments
    }

    /// The FIN exchange started by `initiator`: FIN-ACK, FIN-ACK, ACK.
    public mutating func close(from initiator: StreamDirection) -> [TCPSegment] {
        let other: StreamDirection = initiator == .clientToServer ? .serverToClient : .clientToServer
        let first = segment(from: initiator, flags: [.fin, .ack])
        advance(initiator, by: 1)
        let second = segment(from: other, flags: [.fin, .ack])
        advance(other, by: 1)
        return [first, second, segment(from: initiator, flags: .ack)]
    }

    private func segment(
        from direction: StreamDirection, flags: TCPFlags, payload: ByteBuffer = ByteBuffer()
    )
        -> TCPSegment
    {
        let fromClient = direction == .clientToServer
        return TCPSegment(
            source: fromClient ? client : server, destination: fromClient ? server : client,
            sequenceNumber: fromClient ? clientNext : serverNext,
            acknowledgementNumber: fromClient ? serverNext : clientNext, flags: flags, payload: payload)
    }

    private mutating func advance(_ direction: StreamDirection, by count: Int) {
        if direction == .clientToServer {
            clientNext &+= UInt32(truncatingIfNeeded: count)
        } else {
            serverNext &+= UInt32(truncatingIfNeeded: count)
        }
    }
}
