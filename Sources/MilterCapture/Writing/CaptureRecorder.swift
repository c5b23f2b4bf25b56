import NIOCore

/// Turns proxied milter connections into pcapng bytes: the glue a recording proxy needs.
///
/// Call ``fileHeader()`` once, then for each connection ``open(client:server:at:)``, ``record(_:from:on:at:)``
/// for every chunk relayed and ``close(_:from:at:)``. Each call returns the pcapng blocks to append to the file.
public struct CaptureRecorder: Sendable {
    /// A connection being recorded.
    public struct Connection: Hashable, Sendable {
        fileprivate let index: Int
    }

    private let encoder: PcapNGEncoder
    private let link: SynthesizedLink
    private var flows: [Int: SynthesizedTCPFlow] = [:]
    private var nextIndex = 0

    /// Creates a recorder that frames packets for `link`.
    public init(link: SynthesizedLink = .loopback, application: String = "milter-replay record") {
        self.link = link
        self.encoder = PcapNGEncoder(linkType: link.linkType, application: application)
    }

    /// The blocks that start the file.
    public func fileHeader() -> ByteBuffer { encoder.fileHeader() }

    /// Starts a connection: the handshake, all stamped `timestamp`.
    public mutating func open(
        client: Endpoint, server: Endpoint, at timestamp: CaptureTimestamp
    )
        -> (Connection, ByteBuffer)
    {
        var flow = SynthesizedTCPFlow(client: client, server: server)
        let segments = flow.open()
        let connection = Connection(index: nextIndex)
        nextIndex += 1
        flows[connection.index] = flow
        return (connection, encode(segments, at: timestamp))
    }

    /// Data relayed on `connection`; empty when the connection is unknown or closed.
    public mutating func record(
        _ bytes: ByteBuffer, from direction: StreamDirection, on connection: Connection, at timestamp: CaptureTimestamp
    ) -> ByteBuffer {
        guard var flow = flows[connection.index] else { return ByteBuffer() }
        let segments = flow.send(bytes, from: direction)
        flows[connection.index] = flow
        return encode(segments, at: timestamp)
    }

    /// Ends `connection` with a FIN exchange started by `direction`.
    public mutating func close(
        _ connection: Connection, from direction: StreamDirection, at timestamp: CaptureTimestamp
    )
        -> ByteBuffer
    {
        guard var flow = flows.removeValue(forKey: connection.index) else { return ByteBuffer() }
        return encode(flow.close(from: direction), at: timestamp)
    }

    private func encode(_ segments: [TCPSegment], at timestamp: CaptureTimestamp) -> ByteBuffer {
        var buffer = ByteBuffer()
        for segment in segments {
            var block = encoder.packet(PacketSynthesizer.frame(segment, link: link), at: timestamp)
            buffer.writeBuffer(&block)
        }
        return buffer
    }
}
