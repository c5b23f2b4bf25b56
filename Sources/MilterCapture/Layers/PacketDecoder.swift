import NIOCore

/// Takes a captured packet apart down to its TCP segment.
public enum PacketDecoder {
    static let tcpProtocol: UInt8 = 6

    /// Decodes the link, network and transport headers of `packet`.
    public static func decode(_ packet: CapturePacket) -> DecodedPacket {
        if let segment = decodeIPv4TCP(packet) { return .tcp(segment) }
        let network: NetworkProtocol
        let bytes: ByteBuffer
        switch LinkLayer.strip(packet.data, linkType: packet.linkType) {
        case .failure(let failure): return .undecodable(failure)
        case .success(let stripped): (network, bytes) = stripped
        }
        let outcome: IPLayer.Outcome
        switch network {
        case .ipv4: outcome = IPLayer.decodeIPv4(bytes, missingFromFrame: packet.missingByteCount)
        case .ipv6: outcome = IPLayer.decodeIPv6(bytes, missingFromFrame: packet.missingByteCount)
        case .other: return .notTCP
        }
        switch outcome {
        case .failure(let failure): return .undecodable(failure)
        case .fragment(let fragment): return .fragment(fragment)
        case .payload(let payload):
            guard payload.nextProtocol == tcpProtocol else { return .notTCP }
            return decodeTCP(payload)
        }
    }

    /// A header cut inside its options still yields the segment: sequence number, flags and payload length are
    /// known from the first 14 bytes and the IP length, so the whole payload is reported missing.
    static func decodeTCP(_ payload: IPPayload) -> DecodedPacket {
        let bytes = payload.bytes
        let start = bytes.readerIndex
        guard bytes.readableBytes >= 14 else { return .undecodable(.truncatedHeader(layer: "TCP")) }
        let headerLength = Int(bytes.getInteger(at: start + 12, as: UInt8.self)! >> 4) * 4
        let segmentLength = bytes.readableBytes + payload.missing
        guard headerLength >= 20, headerLength <= segmentLength else {
            return .undecodable(.invalidHeader(layer: "TCP", reason: "data offset \(headerLength)"))
        }
        let captured = max(0, bytes.readableBytes - headerLength)
        return .tcp(
            TCPSegment(
                source: Endpoint(address: payload.source, port: bytes.getInteger(at: start, as: UInt16.self)!),
                destination: Endpoint(address: payload.destination, port: bytes.getInteger(at: start + 2)!),
                sequenceNumber: bytes.getInteger(at: start + 4)!,
                acknowledgementNumber: bytes.getInteger(at: start + 8)!,
                flags: TCPFlags(rawValue: bytes.getInteger(at: start + 13, as: UInt8.self)! & 0x1F),
                payload: bytes.getSlice(at: start + min(headerLength, bytes.readableBytes), length: captured)!,
                missingPayloadBytes: segmentLength - headerLength - captured))
    }
}
