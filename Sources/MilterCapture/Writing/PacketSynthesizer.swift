import MailMessage
import NIOCore

/// The link-layer framing written around synthesised IP packets.
public enum SynthesizedLink: Hashable, Sendable {
    /// Ethernet II with locally administered addresses (LINKTYPE_ETHERNET).
    case ethernet
    /// A loopback header: the address family in network byte order (LINKTYPE_LOOP).
    case loopback

    /// The LINKTYPE_ number written in the interface description.
    public var linkType: LinkType { self == .ethernet ? .ethernet : .loop }
}

/// Builds link, IP and TCP headers with valid lengths and checksums around a payload.
public enum PacketSynthesizer {
    /// The whole frame for `segment` on `link`.
    public static func frame(_ segment: TCPSegment, link: SynthesizedLink) -> ByteBuffer {
        let packet = ipPacket(segment)
        let isIPv6 =
            if case .v6 = sameFamily(segment.source.address, segment.destination.address).0 { true } else { false }
        var frame = ByteBuffer()
        frame.reserveCapacity(packet.readableBytes + 14)
        switch link {
        case .ethernet:
            frame.writeBytes([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1])
            frame.writeInteger(isIPv6 ? LinkLayer.etherTypeIPv6 : LinkLayer.etherTypeIPv4)
        case .loopback:
            frame.writeInteger(UInt32(isIPv6 ? 24 : 2))  // OpenBSD's AF_INET6 is 24
        }
        frame.writeImmutableBuffer(packet)
        return frame
    }

    /// The two addresses in one family: an IPv4 address beside an IPv6 one becomes IPv4-mapped
    /// (`::ffff:a.b.c.d`), as a dual-stack socket shows it. A recording proxy listening on IPv6 for a
    /// milter on IPv4 (or on a unix socket, recorded as 127.0.0.1) has such a pair.
    public static func sameFamily(_ first: IPAddress, _ second: IPAddress) -> (IPAddress, IPAddress) {
        switch (first, second) {
        case (.v4(let v4), .v6): (mapped(v4), second)
        case (.v6, .v4(let v4)): (first, mapped(v4))
        default: (first, second)
        }
    }

    private static func mapped(_ v4: UInt32) -> IPAddress { .v6(0, 0x0000_FFFF_0000_0000 | UInt64(v4)) }

    /// The IP packet (IPv4 or IPv6, following the addresses) carrying `segment`.
    public static func ipPacket(_ segment: TCPSegment) -> ByteBuffer {
        let tcp = tcpHeader(segment)
        var packet = ByteBuffer()
        packet.reserveCapacity(60 + segment.payload.readableBytes)
        let length = tcp.readableBytes + segment.payload.readableBytes
        var checksum = InternetChecksum()
        switch sameFamily(segment.source.address, segment.destination.address) {
        case (.v4(let source), .v4(let destination)):
            writeIPv4Header(into: &packet, source: source, destination: destination, payloadLength: length)
            checksum.add(source)
            checksum.add(destination)
        case (.v6(let sh, let sl), .v6(let dh, let dl)):
            writeIPv6Header(into: &packet, source: (sh, sl), destination: (dh, dl), payloadLength: length)
            for half in [sh, sl, dh, dl] { checksum.add(UInt32(half >> 32)); checksum.add(UInt32(half & 0xFFFF_FFFF)) }
        case (.v4, .v6), (.v6, .v4): preconditionFailure("sameFamily(_:_:) returns one family")
        }
        checksum.add(UInt16(PacketDecoder.tcpProtocol))
        checksum.add(UInt32(length))
        checksum.add(tcp)
        checksum.add(segment.payload)
        var header = tcp
        header.setInteger(checksum.value, at: header.readerIndex + 16)
        packet.writeImmutableBuffer(header)
        packet.writeImmutableBuffer(segment.payload)
        return packet
    }

    private static func tcpHeader(_ segment: TCPSegment) -> ByteBuffer {
        var header = ByteBuffer()
        header.writeInteger(segment.source.port)
        header.writeInteger(segment.destination.port)
        header.writeInteger(segment.sequenceNumber)
        header.writeInteger(segment.acknowledgementNumber)
        header.writeInteger(UInt8(5 << 4))
        header.writeInteger(segment.flags.rawValue)
        header.writeInteger(UInt16(65535))  // window
        header.writeInteger(UInt16(0))  // checksum, set once the sum is known
        header.writeInteger(UInt16(0))  // urgent pointer
        return header
    }

    private static func writeIPv4Header(
        into packet: inout ByteBuffer, source: UInt32, destination: UInt32,
        payloadLength: Int
    ) {
        let start = packet.writerIndex
        packet.writeInteger(UInt8(0x45))
        packet.writeInteger(UInt8(0))
        packet.writeInteger(UInt16(20 + payloadLength))
        packet.writeInteger(UInt16(0))  // identification
        packet.writeInteger(UInt16(0x4000))  // don't fragment
        packet.writeInteger(UInt8(64))  // TTL
        packet.writeInteger(PacketDecoder.tcpProtocol)
        packet.writeInteger(UInt16(0))
        packet.writeInteger(source)
        packet.writeInteger(destination)
        var checksum = InternetChecksum()
        checksum.add(packet.getSlice(at: start, length: 20)!)
        packet.setInteger(checksum.value, at: start + 10)
    }

    private static func writeIPv6Header(
        into packet: inout ByteBuffer, source: (UInt64, UInt64),
        destination: (UInt64, UInt64), payloadLength: Int
    ) {
        packet.writeInteger(UInt32(0x6000_0000))
        packet.writeInteger(UInt16(payloadLength))
        packet.writeInteger(PacketDecoder.tcpProtocol)
        packet.writeInteger(UInt8(64))  // hop limit
        for half in [source.0, source.1, destination.0, destination.1] { packet.writeInteger(half) }
    }
}
