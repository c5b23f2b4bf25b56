import NIOCore

/// The network-layer protocol a link-layer header announces.
enum NetworkProtocol {
    case ipv4
    case ipv6
    case other
}

/// Strips link-layer headers, returning the network protocol and the bytes after the header.
enum LinkLayer {
    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeIPv6: UInt16 = 0x86DD
    /// 802.1Q, 802.1ad (QinQ outer tag) and the pre-standard 0x9100 QinQ tag.
    static let vlanTags: Set<UInt16> = [0x8100, 0x88A8, 0x9100]

    static func strip(
        _ packet: ByteBuffer, linkType: LinkType
    ) -> Result<(NetworkProtocol, ByteBuffer), PacketDecodeFailure> {
        var bytes = packet
        switch linkType {
        case .ethernet: return ethernet(&bytes)
        case .null: return family(&bytes, networkOrder: false)
        case .loop: return family(&bytes, networkOrder: true)
        case .linuxSLL:
            return cooked(&bytes, headerLength: 16, protocolOffset: 14, layer: "Linux cooked v1", tagged: true)
        case .linuxSLL2:
            return cooked(&bytes, headerLength: 20, protocolOffset: 0, layer: "Linux cooked v2", tagged: false)
        case .raw: return rawIP(bytes)
        case .ipv4: return .success((.ipv4, bytes))
        case .ipv6: return .success((.ipv6, bytes))
        default: return .failure(.unsupportedLinkType(linkType))
        }
    }

    private static func ethernet(
        _ bytes: inout ByteBuffer
    ) -> Result<(NetworkProtocol, ByteBuffer), PacketDecodeFailure> {
        guard bytes.readableBytes >= 14 else { return .failure(.truncatedHeader(layer: "Ethernet")) }
        bytes.moveReaderIndex(forwardBy: 12)
        var type = bytes.readInteger(as: UInt16.self)!
        while vlanTags.contains(type) {
            guard bytes.readableBytes >= 4 else { return .failure(.truncatedHeader(layer: "VLAN tag")) }
            bytes.moveReaderIndex(forwardBy: 2)
            type = bytes.readInteger(as: UInt16.self)!
        }
        return .success((etherType(type), bytes))
    }

    /// A Linux cooked header. In v1 (`tagged`) the protocol field ends the header, and libpcap re-inserts a
    /// VLAN tag the kernel stripped right there (pcap-linux.c, set_vlan_offset: offset 14): a 0x8100 or
    /// 0x88A8 protocol is then followed by the tag's TCI and the real protocol, 4 bytes more per tag.
    private static func cooked(
        _ bytes: inout ByteBuffer, headerLength: Int, protocolOffset: Int, layer: String, tagged: Bool
    ) -> Result<(NetworkProtocol, ByteBuffer), PacketDecodeFailure> {
        guard bytes.readableBytes >= headerLength else { return .failure(.truncatedHeader(layer: layer)) }
        var type = bytes.getInteger(at: bytes.readerIndex + protocolOffset, as: UInt16.self)!
        bytes.moveReaderIndex(forwardBy: headerLength)
        while tagged, vlanTags.contains(type) {
            guard bytes.readableBytes >= 4 else { return .failure(.truncatedHeader(layer: "VLAN tag")) }
            type = bytes.getInteger(at: bytes.readerIndex + 2, as: UInt16.self)!
            bytes.moveReaderIndex(forwardBy: 4)
        }
        return .success((etherType(type), bytes))
    }

    /// DLT_NULL writes the family in the capturing host's order, so both orders are tried.
    /// AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (Darwin).
    private static func family(
        _ bytes: inout ByteBuffer, networkOrder: Bool
    )
        -> Result<(NetworkProtocol, ByteBuffer), PacketDecodeFailure>
    {
        guard let raw = bytes.readInteger(endianness: .big, as: UInt32.self) else {
            return .failure(.truncatedHeader(layer: networkOrder ? "LOOP" : "NULL"))
        }
        let value = networkOrder || raw <= 0xFFFF ? raw : raw.byteSwapped
        switch value {
        case 2: return .success((.ipv4, bytes))
        case 10, 24, 28, 30: return .success((.ipv6, bytes))
        default: return .success((.other, bytes))
        }
    }

    private static func rawIP(_ bytes: ByteBuffer) -> Result<(NetworkProtocol, ByteBuffer), PacketDecodeFailure> {
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else {
            return .failure(.truncatedHeader(layer: "IP"))
        }
        switch first >> 4 {
        case 4: return .success((.ipv4, bytes))
        case 6: return .success((.ipv6, bytes))
        default: return .failure(.invalidHeader(layer: "IP", reason: "version \(first >> 4)"))
        }
    }

    private static func etherType(_ type: UInt16) -> NetworkProtocol {
        switch type {
        case etherTypeIPv4: .ipv4
        case etherTypeIPv6: .ipv6
        default: .other
        }
    }
}
