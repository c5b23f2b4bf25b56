import MilterCapture
import NIOCore

/// Synthetic packets for tests: IP/TCP from the module's synthesiser, link layers and IP options built here.
enum PacketFactory {
    static let client4 = Endpoint(address: .v4(0x0A00_0001), port: 40000)
    static let server4 = Endpoint(address: .v4(0x0A00_0002), port: 7044)
    static let client6 = Endpoint(address: .v6(0x2001_0DB8_0000_0000, 1), port: 40000)
    static let server6 = Endpoint(address: .v6(0x2001_0DB8_0000_0000, 2), port: 7044)

    static func segment(
        _ source: Endpoint = client4, _ destination: Endpoint = server4, seq: UInt32, ack: UInt32 = 0,
        flags: TCPFlags = [.psh, .ack], payload: String = ""
    ) -> TCPSegment {
        TCPSegment(
            source: source, destination: destination, sequenceNumber: seq, acknowledgementNumber: ack,
            flags: flags, payload: ByteBuffer(text: payload))
    }

    static func ip(_ segment: TCPSegment) -> ByteBuffer { PacketSynthesizer.ipPacket(segment) }

    enum Link: Sendable {
        case ethernet(vlans: [UInt16])
        case null(Endianness)
        case loop
        case sll
        /// Linux cooked v1 with VLAN tags after the header's protocol field, as libpcap re-inserts them.
        case sllTagged([UInt16])
        case sll2
        case raw
    }

    static func frame(_ ip: ByteBuffer, link: Link) -> ByteBuffer {
        let isIPv6 = ip.getInteger(at: ip.readerIndex, as: UInt8.self)! >> 4 == 6
        let etherType: UInt16 = isIPv6 ? 0x86DD : 0x0800
        var frame = ByteBuffer()
        switch link {
        case .ethernet(let vlans):
            frame.writeRepeatingByte(0x02, count: 12)
            for tag in vlans {
                frame.writeInteger(tag)
                frame.writeInteger(UInt16(42))
            }
            frame.writeInteger(etherType)
        case .null(let endianness):
            frame.writeInteger(UInt32(isIPv6 ? 30 : 2), endianness: endianness)
        case .loop:
            frame.writeInteger(UInt32(isIPv6 ? 24 : 2))
        case .sll:
            frame.writeBytes([0, 0, 0x03, 0x04, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0])
            frame.writeInteger(etherType)
        case .sllTagged(let tags):
            frame.writeBytes([0, 0, 0x03, 0x04, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0])
            for tag in tags {
                frame.writeInteger(tag)
                frame.writeInteger(UInt16(42))
            }
            frame.writeInteger(etherType)
        case .sll2:
            frame.writeInteger(etherType)
            frame.writeBytes([0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0])
        case .raw:
            break
        }
        frame.writeImmutableBuffer(ip)
        return frame
    }

    /// Inserts IPv6 extension headers (hop-by-hop, then destination options, then more) before TCP.
    static func withExtensionHeaders(_ ipv6: ByteBuffer, headers: [(type: UInt8, body: [UInt8])]) -> ByteBuffer {
        var packet = ipv6
        let start = packet.readerIndex
        let originalNext = packet.getInteger(at: start + 6, as: UInt8.self)!
        var extensions = ByteBuffer()
        for (index, header) in headers.enumerated() {
            let next = index + 1 < headers.count ? headers[index + 1].type : originalNext
            extensions.writeInteger(next)
            extensions.writeBytes(header.body)
        }
        var result = ByteBuffer()
        result.writeImmutableBuffer(packet.readSlice(length: 40)!)
        result.setInteger(headers[0].type, at: 6)
        let payloadLength = result.getInteger(at: 4, as: UInt16.self)!
        result.setInteger(payloadLength + UInt16(extensions.readableBytes), at: 4)
        result.writeBuffer(&extensions)
        result.writeBuffer(&packet)
        return result
    }

    /// Marks an IPv4 packet as a fragment (offset in 8-byte units, MF flag); the checksum is not recomputed.
    static func ipv4Fragment(_ ipv4: ByteBuffer, offsetUnits: UInt16, more: Bool) -> ByteBuffer {
        var packet = ipv4
        packet.setInteger(offsetUnits | (more ? 0x2000 : 0), at: packet.readerIndex + 6)
        return packet
    }
}
