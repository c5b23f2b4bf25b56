import MilterCapture
import NIOCore
import Testing

@Suite struct PacketDecoderTests {
    typealias F = PacketFactory

    static let links: [(PacketFactory.Link, LinkType)] = [
        (.ethernet(vlans: []), .ethernet), (.ethernet(vlans: [0x8100]), .ethernet),
        (.ethernet(vlans: [0x88A8, 0x8100]), .ethernet), (.ethernet(vlans: [0x9100, 0x8100]), .ethernet),
        (.null(.little), .null), (.null(.big), .null), (.loop, .loop), (.sll, .linuxSLL), (.sll2, .linuxSLL2),
        (.sllTagged([0x8100]), .linuxSLL), (.sllTagged([0x88A8, 0x8100]), .linuxSLL), (.raw, .raw),
    ]

    static func packet(_ data: ByteBuffer, _ linkType: LinkType, original: Int? = nil) -> CapturePacket {
        CapturePacket(
            number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0), linkType: linkType,
            interfaceIndex: 0, originalLength: original ?? data.readableBytes, data: data, fileOffset: 0)
    }

    static func tcp(_ decoded: DecodedPacket) -> TCPSegment? {
        if case .tcp(let segment) = decoded { return segment }
        return nil
    }

    static let linkCases = links.flatMap { link in [false, true].map { (link.0, link.1, $0) } }

    @Test(arguments: linkCases)
    func linkLayersCarryTCP(link: PacketFactory.Link, linkType: LinkType, ipv6: Bool) throws {
        let segment = F.segment(ipv6 ? F.client6 : F.client4, ipv6 ? F.server6 : F.server4, seq: 77, payload: "hello")
        let decoded = PacketDecoder.decode(Self.packet(F.frame(F.ip(segment), link: link), linkType))
        let tcp = try #require(Self.tcp(decoded))
        #expect(tcp.source == segment.source)
        #expect(tcp.destination == segment.destination)
        #expect(tcp.sequenceNumber == 77)
        #expect(tcp.payload == ByteBuffer(text: "hello"))
        #expect(tcp.missingPayloadBytes == 0)
    }

    @Test func bareIPLinkTypes() throws {
        let v4 = F.ip(F.segment(seq: 1, payload: "a"))
        let v6 = F.ip(F.segment(F.client6, F.server6, seq: 1, payload: "b"))
        #expect(Self.tcp(PacketDecoder.decode(Self.packet(v4, .ipv4)))?.payload == ByteBuffer(text: "a"))
        #expect(Self.tcp(PacketDecoder.decode(Self.packet(v6, .ipv6)))?.payload == ByteBuffer(text: "b"))
    }

    @Test func ethernetPaddingIsNotPayload() throws {
        var frame = F.frame(F.ip(F.segment(seq: 1, payload: "x")), link: .ethernet(vlans: []))
        frame.writeRepeatingByte(0, count: 5)
        let tcp = try #require(Self.tcp(PacketDecoder.decode(Self.packet(frame, .ethernet))))
        #expect(tcp.payload == ByteBuffer(text: "x"))
    }

    @Test func snapLengthCutIsCountedExactly() throws {
        let full = F.frame(F.ip(F.segment(seq: 1, payload: String(repeating: "z", count: 200))), link: .sll2)
        let cut = full.getSlice(at: full.readerIndex, length: 120)!
        let tcp = try #require(
            Self.tcp(PacketDecoder.decode(Self.packet(cut, .linuxSLL2, original: full.readableBytes))))
        #expect(tcp.payload.readableBytes == 120 - 20 - 20 - 20)
        #expect(tcp.missingPayloadBytes == 200 - 60)
        #expect(tcp.payloadLength == 200)
    }

    @Test func ipv6ExtensionHeadersAreWalked() throws {
        let base = F.ip(F.segment(F.client6, F.server6, seq: 9, payload: "ext"))
        let hopByHop: [UInt8] = [0, 1, 4, 0, 0, 0, 0]
        let destination: [UInt8] = [1, 1, 12, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
        let routing: [UInt8] = [0, 0, 0, 0, 0, 0, 0]
        let atomicFragment: [UInt8] = [0, 0, 0, 0, 0, 0, 7]
        let packet = F.withExtensionHeaders(
            base, headers: [(0, hopByHop), (60, destination), (43, routing), (44, atomicFragment)])
        let tcp = try #require(Self.tcp(PacketDecoder.decode(Self.packet(packet, .ipv6))))
        #expect(tcp.payload == ByteBuffer(text: "ext"))
        #expect(tcp.sequenceNumber == 9)
    }

    @Test func fragmentsAreReportedNotReassembled() throws {
        let v4 = F.ipv4Fragment(F.ip(F.segment(seq: 1, payload: "frag")), offsetUnits: 0, more: true)
        guard case .fragment(let first) = PacketDecoder.decode(Self.packet(v4, .ipv4)) else {
            Issue.record("IPv4 fragment not reported")
            return
        }
        #expect(first.moreFragments && first.offset == 0 && first.nextProtocol == 6)
        let later = F.ipv4Fragment(F.ip(F.segment(seq: 1, payload: "frag")), offsetUnits: 3, more: false)
        guard case .fragment(let second) = PacketDecoder.decode(Self.packet(later, .ipv4)) else {
            Issue.record("IPv4 trailing fragment not reported")
            return
        }
        #expect(!second.moreFragments && second.offset == 24)

        let v6 = F.withExtensionHeaders(
            F.ip(F.segment(F.client6, F.server6, seq: 1, payload: "f")), headers: [(44, [0, 0, 8, 0, 0, 0x12, 0x34])])
        guard case .fragment(let third) = PacketDecoder.decode(Self.packet(v6, .ipv6)) else {
            Issue.record("IPv6 fragment not reported")
            return
        }
        #expect(third.offset == 8 && !third.moreFragments && third.identification == 0x1234)
    }

    @Test(arguments: [
        ([UInt8](repeating: 0, count: 10), LinkType.ethernet),
        ([0x45] + [UInt8](repeating: 0, count: 10), .raw),
        ([0x75] + [UInt8](repeating: 0, count: 30), .raw),
        ([0, 0, 0, 2], .null),
        ([1, 2, 3], .linuxSLL2),
        ([1, 2, 3], LinkType(rawValue: 147)),
    ])
    func brokenPacketsAreUndecodable(bytes: [UInt8], linkType: LinkType) {
        if case .undecodable = PacketDecoder.decode(Self.packet(ByteBuffer(bytes), linkType)) { return }
        Issue.record("expected an undecodable packet")
    }

    @Test func otherProtocolsAreNotTCP() {
        var udp = F.ip(F.segment(seq: 1, payload: "u"))
        udp.setInteger(UInt8(17), at: udp.readerIndex + 9)
        if case .notTCP = PacketDecoder.decode(Self.packet(udp, .ipv4)) {} else { Issue.record("UDP decoded as TCP") }
        var arp = ByteBuffer()
        arp.writeRepeatingByte(0, count: 12)
        arp.writeInteger(UInt16(0x0806))
        arp.writeRepeatingByte(0, count: 28)
        if case .notTCP = PacketDecoder.decode(Self.packet(arp, .ethernet)) {} else { Issue.record("ARP decoded") }
    }

    @Test func endpointsFormat() {
        #expect(Endpoint(address: .v4(0x7F00_0001), port: 25).description == "127.0.0.1:25")
        #expect(Endpoint(address: .v6(0, 1), port: 25).description == "[::1]:25")
    }
}
