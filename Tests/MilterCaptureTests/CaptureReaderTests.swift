import MilterCapture
import MilterTestSupport
import NIOCore
import Testing

@Suite struct CaptureReaderTests {
    static let payloads = [ByteBuffer(text: "first"), ByteBuffer(text: "second packet"), ByteBuffer([1, 2, 3, 4])]

    @Test(arguments: [(Endianness.big, false), (.little, false), (.big, true), (.little, true)])
    func pcapVariants(endianness: Endianness, nanosecond: Bool) throws {
        var builder = PcapBuilder(endianness: endianness, nanosecond: nanosecond, linkType: .ethernet)
        for (index, payload) in Self.payloads.enumerated() {
            builder.add(payload, seconds: 1_700_000_000 + UInt32(index), fraction: 123_456)
        }
        let packets = try readAll(builder.array)
        #expect(packets.map(\.number) == [1, 2, 3])
        #expect(packets.map(\.data) == Self.payloads)
        #expect(packets.allSatisfy { $0.linkType == .ethernet })
        #expect(
            packets[2].timestamp
                == CaptureTimestamp(seconds: 1_700_000_002, nanoseconds: nanosecond ? 123_456 : 123_456_000))
    }

    @Test(arguments: [Endianness.big, .little])
    func pcapngBlocksAndInterfaces(endianness: Endianness) throws {
        var builder = PcapNGBuilder(endianness: endianness)
        builder.interface(.ethernet)  // default resolution: microseconds
        builder.unknownBlock(type: 4, length: 20)  // name resolution: skipped
        builder.interface(.linuxSLL2, resolution: 9, offset: 10)
        builder.interface(.raw, snapLength: 3, resolution: 0x8A)  // 2^-10 s
        builder.enhancedPacket(interface: 0, ticks: 1_700_000_000_500_000, Self.payloads[0])
        builder.enhancedPacket(interface: 1, ticks: 1_700_000_000_000_000_007, Self.payloads[1])
        builder.enhancedPacket(interface: 2, ticks: 1024 * 5 + 512, Self.payloads[2])
        builder.obsoletePacket(interface: 1, ticks: 2_000_000_000, Self.payloads[0])
        builder.unknownBlock(type: 0x4000_0BAD, length: 7 * 4)
        let packets = try readAll(builder.array)
        #expect(packets.map(\.linkType) == [.ethernet, .linuxSLL2, .raw, .linuxSLL2])
        #expect(packets.map(\.interfaceIndex) == [0, 1, 2, 1])
        #expect(packets[0].timestamp == CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000))
        #expect(packets[1].timestamp == CaptureTimestamp(seconds: 1_700_000_010, nanoseconds: 7))
        #expect(packets[2].timestamp == CaptureTimestamp(seconds: 5, nanoseconds: 500_000_000))
        #expect(packets[3].timestamp == CaptureTimestamp(seconds: 12, nanoseconds: 0))
        #expect(packets.map(\.data) == [Self.payloads[0], Self.payloads[1], Self.payloads[2], Self.payloads[0]])
    }

    @Test func pcapngSectionsWithDifferentByteOrders() throws {
        var builder = PcapNGBuilder(endianness: .little)
        builder.interface(.ethernet, resolution: 6)
        builder.enhancedPacket(interface: 0, ticks: 1, Self.payloads[0])
        builder.section(endianness: .big)
        builder.interface(.loop, snapLength: 4)
        builder.simplePacket(Self.payloads[1], originalLength: 13)
        builder.section(endianness: .little)
        builder.interface(.ipv6)
        builder.enhancedPacket(interface: 0, ticks: 3, Self.payloads[2])
        let packets = try readAll(builder.array)
        #expect(packets.map(\.number) == [1, 2, 3])
        #expect(packets.map(\.linkType) == [.ethernet, .loop, .ipv6])
        // The simple packet's captured length is cut to the interface's snap length of 4.
        #expect(packets[1].data == ByteBuffer(text: "seco"))
        #expect(packets[1].missingByteCount == 9)
    }

    @Test func interfacesDoNotCarryAcrossSections() throws {
        var builder = PcapNGBuilder(endianness: .little)
        builder.interface(.ethernet)
        builder.section()
        builder.enhancedPacket(interface: 0, ticks: 1, Self.payloads[0])
        let error = #expect(throws: CaptureError.self) { try readAll(builder.array) }
        #expect(error?.kind == .malformed)
        #expect(error?.offset == 28 + 24 + 28)
    }

    /// A section of more than 65,536 interface descriptions is refused at the first one past it, before it is
    /// kept: every description was kept, a file of millions grew the reader's memory without bound.
    @Test func tooManyInterfacesAreRefused() throws {
        var builder = PcapNGBuilder(endianness: .little)
        for _ in 0..<PcapNGReader.maximumInterfaces { builder.interface(.ethernet) }
        builder.enhancedPacket(interface: UInt32(PcapNGReader.maximumInterfaces - 1), ticks: 1, Self.payloads[0])
        #expect(try readAll(builder.array).count == 1)
        let end = builder.bytes.writerIndex
        builder.interface(.ethernet)
        let error = #expect(throws: CaptureError.self) { try readAll(builder.array) }
        #expect(error?.kind == .tooManyInterfaces)
        #expect(error?.offset == UInt64(end))
        #expect(error?.description.contains("more than 65536 interfaces in one section") == true)
    }

    @Test func recordsLargerThanTheLimitAreRefusedBeforeBuffering() throws {
        var pcap = PcapBuilder(endianness: .little, linkType: .ethernet)
        pcap.add(ByteBuffer(repeating: 0, count: 100))
        pcap.add(ByteBuffer(repeating: 0, count: 2000))
        let error = #expect(throws: CaptureError.self) {
            try readAll(pcap.array, limits: CaptureReaderLimits(maxRecordBytes: 1000))
        }
        #expect(error?.kind == .recordTooLarge)
        #expect(error?.offset == 24 + 16 + 100)

        // A header announcing 4 GB in a tiny file is refused by the limit, not by running out of memory.
        var pcapng = PcapNGBuilder(endianness: .big)
        pcapng.bytes.writeInteger(UInt32(6))
        pcapng.bytes.writeInteger(UInt32(0xFFFF_FFF0))
        pcapng.bytes.writeInteger(UInt32(0))
        let ngError = #expect(throws: CaptureError.self) { try readAll(pcapng.array) }
        #expect(ngError?.kind == .recordTooLarge)
        #expect(ngError?.offset == 28)
    }

    /// The packets of `bytes` up to the end, and where the file was cut short.
    private static func readToTheCut(_ bytes: [UInt8]) throws -> ([CapturePacket], CaptureError?) {
        var reader = try CaptureReader(bytes: bytes)
        var packets: [CapturePacket] = []
        while let packet = try reader.next() { packets.append(packet) }
        #expect(try reader.next() == nil)
        return (packets, reader.truncation)
    }

    /// A pcap cut inside the second record's header (1 and 15 bytes of it) or data (1 byte short, 1 byte in):
    /// the first packet is read, and the cut reported at the second record's offset.
    @Test(arguments: [1, 15, 16 + 12 - 1, 17])
    func aPcapCutShortKeepsItsCompleteRecords(kept: Int) throws {
        var pcap = PcapBuilder(endianness: .big, linkType: .raw)
        pcap.add(ByteBuffer(text: "complete"))
        pcap.add(ByteBuffer(text: "cut off here"))
        let (packets, cut) = try Self.readToTheCut(Array(pcap.array.prefix(24 + 16 + 8 + kept)))
        #expect(packets.map(\.data) == [ByteBuffer(text: "complete")])
        #expect(cut?.kind == .truncatedFile)
        #expect(cut?.offset == 24 + 16 + 8)
        #expect(cut?.description.contains(kept < 16 ? "record header needs 16 bytes" : "record needs 28 bytes") == true)
    }

    /// A pcapng cut inside a block's 12-byte header or inside the block: the packets before it are read.
    @Test(arguments: [4, 11, 12, 31])
    func aPcapNGCutShortKeepsItsCompleteBlocks(kept: Int) throws {
        var ng = PcapNGBuilder(endianness: .little)
        ng.interface(.raw)
        ng.enhancedPacket(interface: 0, ticks: 0, ByteBuffer(text: "x"))
        let complete = ng.bytes.readableBytes
        ng.enhancedPacket(interface: 0, ticks: 0, ByteBuffer(text: "cut off"))
        let (packets, cut) = try Self.readToTheCut(Array(ng.array.prefix(complete + kept)))
        #expect(packets.map(\.data) == [ByteBuffer(text: "x")])
        #expect(cut?.kind == .truncatedFile)
        #expect(cut?.offset == UInt64(complete))
    }

    /// Nothing to keep: a file cut before its first packet is an error, not an empty capture.
    @Test func aCutBeforeTheFirstPacketThrows() throws {
        var pcap = PcapBuilder(endianness: .big, linkType: .raw)
        pcap.add(ByteBuffer(text: "cut off here"))
        let error = #expect(throws: CaptureError.self) { try readAll(Array(pcap.array.dropLast(3))) }
        #expect(error?.kind == .truncatedFile)
        #expect(error?.offset == 24)

        var ng = PcapNGBuilder(endianness: .little)
        ng.interface(.raw)
        ng.enhancedPacket(interface: 0, ticks: 0, ByteBuffer(text: "x"))
        let ngError = #expect(throws: CaptureError.self) { try readAll(Array(ng.array.dropLast(1))) }
        #expect(ngError?.kind == .truncatedFile)
        #expect(ngError?.offset == 28 + 24)  // the section header, then a 24-byte interface block
    }

    /// Damage is not a cut: a header over the limit stops the read however much data follows.
    @Test func damagedHeadersStayErrors() throws {
        var pcap = PcapBuilder(endianness: .little, linkType: .raw, snapLength: 100)
        pcap.add(ByteBuffer(text: "complete"))
        let damaged = pcap.bytes.readableBytes
        pcap.add(ByteBuffer(repeating: 0, count: 2000))
        pcap.add(ByteBuffer(text: "more data after the damage"))
        let error = #expect(throws: CaptureError.self) {
            try readAll(pcap.array, limits: CaptureReaderLimits(maxRecordBytes: 1000))
        }
        #expect(error?.kind == .recordTooLarge)
        #expect(error?.offset == UInt64(damaged))
    }

    /// A record over the file's snap length (the header names less than the capture used) is read as libpcap
    /// reads it, whole or cut short at the end of the file; it was malformed when cut.
    @Test(arguments: [true, false])
    func aRecordOverTheSnapLengthIsRead(complete: Bool) throws {
        var pcap = PcapBuilder(endianness: .little, linkType: .raw, snapLength: 100)
        pcap.add(ByteBuffer(text: "complete"))
        let over = pcap.bytes.readableBytes
        pcap.add(ByteBuffer(repeating: 7, count: 2000))
        let (packets, cut) = try Self.readToTheCut(complete ? pcap.array : Array(pcap.array.prefix(over + 500)))
        #expect(packets.map(\.data.readableBytes) == (complete ? [8, 2000] : [8]))
        #expect(cut?.kind == (complete ? nil : .truncatedFile))
        #expect(cut?.offset == (complete ? nil : UInt64(over)))
    }

    /// Over libpcap's largest snap length (262144) and the file's, a record is damage, complete or not, checked
    /// before its data is buffered; a file whose snap length is larger takes it.
    @Test(arguments: [true, false])
    func aRecordOverLibpcapsLargestSnapLengthIsMalformed(complete: Bool) throws {
        var pcap = PcapBuilder(endianness: .big, linkType: .raw)
        pcap.add(ByteBuffer(text: "complete"))
        let damaged = pcap.bytes.readableBytes
        pcap.add(ByteBuffer(repeating: 0, count: 262_145))
        let bytes = complete ? pcap.array : Array(pcap.array.prefix(damaged + 16))
        let error = #expect(throws: CaptureError.self) { try readAll(bytes) }
        #expect(error?.kind == .malformed)
        #expect(error?.offset == UInt64(damaged))
        #expect(error?.description.contains("record of 262145 bytes, over both the snap length 262144") == true)

        var larger = PcapBuilder(endianness: .big, linkType: .raw, snapLength: 300_000)
        larger.add(ByteBuffer(repeating: 0, count: 262_145))
        #expect(try readAll(larger.array).map(\.data.readableBytes) == [262_145])
    }

    @Test(arguments: [
        ([0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 1, 2, 3, 4] as [UInt8], CaptureError.Kind.malformed),
        ([0xD4, 0xC3, 0xB2, 0xA1, 9, 0, 4, 0] + [UInt8](repeating: 0, count: 16), .unsupportedVersion),
        ([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 20), .unknownFormat),
        ([0xD4, 0xC3], .truncatedFile),
    ])
    func invalidHeaders(bytes: [UInt8], kind: CaptureError.Kind) throws {
        let error = #expect(throws: CaptureError.self) { try readAll(bytes) }
        #expect(error?.kind == kind)
    }

    @Test func blockLengthsMustAgree() throws {
        var ng = PcapNGBuilder(endianness: .little)
        ng.interface(.raw)
        ng.enhancedPacket(interface: 0, ticks: 0, ByteBuffer(text: "abcd"))
        var bytes = ng.array
        bytes[bytes.count - 4] = 0x7C
        let error = #expect(throws: CaptureError.self) { try readAll(bytes) }
        #expect(error?.kind == .malformed)
        #expect(error?.description.contains("block lengths differ") == true)
    }

    @Test func fileSourceReadsInChunks() throws {
        var pcap = PcapBuilder(endianness: .little, linkType: .raw)
        for index in 0..<300 { pcap.add(ByteBuffer(repeating: UInt8(index % 256), count: 1000)) }
        let path = "/tmp/milter-capture-test-\(UInt64.random(in: 0...UInt64.max)).pcap"
        try TemporaryFile.write(pcap.array, to: path)
        defer { TemporaryFile.remove(path) }
        var reader = try CaptureReader(path: path)
        var count = 0
        while let packet = try reader.next() {
            #expect(packet.data.readableBytesView.allSatisfy { $0 == UInt8(count % 256) })
            count += 1
        }
        #expect(count == 300)
    }

    /// The dump's reader reuses a retired read buffer once nothing refers to it: packets kept across many refills
    /// must keep their bytes, while the ones dropped free their buffers for reuse.
    @Test func keptPacketsSurviveTheReuseOfReadBuffers() throws {
        var builder = PcapBuilder(endianness: .little, linkType: .ethernet)
        let count = 4000
        for index in 0..<count {
            builder.add(
                ByteBuffer(bytes: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 700 + index % 300)))
        }
        let path = "/tmp/milter-capture-reuse-\(UInt64.random(in: 0...UInt64.max)).pcap"
        try TemporaryFile.write(builder.array, to: path)
        defer { TemporaryFile.remove(path) }
        var reader = try CaptureReader(path: path, limits: CaptureReaderLimits(), keepingPacketBytes: true)
        var kept: [CapturePacket] = []
        while let packet = try reader.next() {
            // Every seventh packet is kept to the end; the rest are dropped at once.
            if packet.number % 7 == 0 { kept.append(packet) }
        }
        #expect(kept.count == count / 7)
        for packet in kept {
            let index = packet.number - 1
            #expect(packet.data.readableBytes == 700 + index % 300)
            #expect(packet.data.readableBytesView.allSatisfy { $0 == UInt8(truncatingIfNeeded: index) })
        }
    }
}
