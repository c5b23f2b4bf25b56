import NIOCore

extension PacketDecoder {
    /// The common case of a large capture, decoded straight from the packet's bytes: an untagged Ethernet,
    /// Linux cooked, loopback or raw frame carrying an unfragmented IPv4 TCP segment with valid headers.
    /// Anything else is nil and goes the general way, which gives the same result for these packets.
    static func decodeIPv4TCP(_ packet: CapturePacket) -> TCPSegment? {
        let data = packet.data
        let layout: (source: UInt32, destination: UInt32, tcp: Int, available: Int, missing: Int)? =
            data.withUnsafeReadableBytes { raw in
                guard let link = ipv4Start(raw, packet.linkType), raw.count - link >= 20 else { return nil }
                let first = raw[link]
                let headerLength = Int(first & 0x0F) * 4
                guard first >> 4 == 4, headerLength >= 20, raw.count - link >= headerLength,
                    raw[link + 6] & 0x3F == 0, raw[link + 7] == 0, raw[link + 9] == tcpProtocol
                else { return nil }
                var totalLength = Int(bigEndian16(raw, link + 2))
                if totalLength == 0 { totalLength = raw.count - link + packet.missingByteCount }
                guard totalLength >= headerLength else { return nil }
                let tcp = link + headerLength
                let available = min(totalLength - headerLength, raw.count - tcp)
                return (
                    bigEndian32(raw, link + 12), bigEndian32(raw, link + 16), tcp, available,
                    totalLength - headerLength - available
                )
            }
        guard let layout, layout.available >= 14 else { return nil }
        let start = data.readerIndex + layout.tcp
        return data.withUnsafeReadableBytes { raw -> TCPSegment? in
            let tcp = layout.tcp
            let headerLength = Int(raw[tcp + 12] >> 4) * 4
            let segmentLength = layout.available + layout.missing
            guard headerLength >= 20, headerLength <= segmentLength else { return nil }
            let captured = max(0, layout.available - headerLength)
            return TCPSegment(
                source: Endpoint(address: .v4(layout.source), port: bigEndian16(raw, tcp)),
                destination: Endpoint(address: .v4(layout.destination), port: bigEndian16(raw, tcp + 2)),
                sequenceNumber: bigEndian32(raw, tcp + 4), acknowledgementNumber: bigEndian32(raw, tcp + 8),
                flags: TCPFlags(rawValue: raw[tcp + 13] & 0x1F),
                payload: data.getSlice(at: start + min(headerLength, layout.available), length: captured)!,
                missingPayloadBytes: segmentLength - headerLength - captured)
        }
    }

    /// Where the IPv4 header starts, for link headers that announce IPv4 without VLAN tags.
    private static func ipv4Start(_ raw: UnsafeRawBufferPointer, _ linkType: LinkType) -> Int? {
        switch linkType {
        case .ethernet:
            return raw.count >= 14 && bigEndian16(raw, 12) == LinkLayer.etherTypeIPv4 ? 14 : nil
        case .linuxSLL2:
            return raw.count >= 20 && bigEndian16(raw, 0) == LinkLayer.etherTypeIPv4 ? 20 : nil
        case .linuxSLL:
            return raw.count >= 16 && bigEndian16(raw, 14) == LinkLayer.etherTypeIPv4 ? 16 : nil
        case .loop:
            return raw.count >= 4 && bigEndian32(raw, 0) == 2 ? 4 : nil
        case .null:
            guard raw.count >= 4 else { return nil }
            let value = bigEndian32(raw, 0)
            return value == 2 || value == 0x0200_0000 ? 4 : nil
        case .raw, .ipv4:
            return raw.count >= 1 && raw[0] >> 4 == 4 ? 0 : nil
        default:
            return nil
        }
    }

    private static func bigEndian16(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(raw[offset]) << 8 | UInt16(raw[offset + 1])
    }

    private static func bigEndian32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian16(raw, offset)) << 16 | UInt32(bigEndian16(raw, offset + 2))
    }
}
