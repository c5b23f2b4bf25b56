import NIOCore

/// Reads pcapng (draft-ietf-opsawg-pcapng): sections of blocks, each block framed by its total length.
///
/// Section Header, Interface Description, Enhanced Packet, Simple Packet and the obsolete Packet block are
/// understood; every other block is skipped by its length. Each section has its own byte order and interfaces.
package struct PcapNGReader: PacketRecordReader {
    static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D

    private var reader: BufferedByteReader
    private let limits: CaptureReaderLimits
    private var endianness: Endianness = .little
    private var interfaces: [PcapNGInterface] = []

    /// The most interfaces a section may describe: packets name theirs with a 32-bit id, but real captures have a
    /// few, and each description is kept for the whole section (a file of millions of them grew without bound).
    package static let maximumInterfaces = 65_536
    private var packetCount = 0

    /// Creates a reader; the first block must be a Section Header Block.
    package init(reader: BufferedByteReader, limits: CaptureReaderLimits) {
        self.reader = reader
        self.limits = limits
    }

    /// Reads blocks until one carries a packet.
    package mutating func next() throws(CaptureError) -> CapturePacket? {
        while true {
            guard let (type, body, start) = try nextBlock() else { return nil }
            if let packet = try packet(type: type, body: body, at: start) { return packet }
        }
    }

    private mutating func nextBlock() throws(CaptureError) -> (UInt32, ByteBuffer, UInt64)? {
        let start = reader.offset
        guard try reader.fill(12) else {
            if reader.bufferedCount == 0 { return nil }
            throw CaptureError(.truncatedFile, at: start, "block header needs 12 bytes, \(reader.bufferedCount) remain")
        }
        // The section header's type reads the same in both byte orders; its byte-order magic sets the order.
        if reader.peek(at: 0, .big, as: UInt32.self) == Self.sectionHeaderType {
            endianness = try sectionEndianness(at: start)
        } else if start == 0 {
            throw CaptureError(.malformed, at: 0, "pcapng file does not start with a section header block")
        }
        let type = reader.peek(at: 0, endianness, as: UInt32.self)!
        let length = Int(reader.peek(at: 4, endianness, as: UInt32.self)!)
        guard length >= 12, length % 4 == 0 else {
            throw CaptureError(.malformed, at: start, "block total length \(length) is not a multiple of 4 >= 12")
        }
        guard length <= limits.maxRecordBytes else {
            throw CaptureError(.recordTooLarge, at: start, "block of \(length) bytes, limit \(limits.maxRecordBytes)")
        }
        try reader.require(length, at: start, "block")
        var block = reader.take(length)
        let trailer = block.getInteger(at: block.readerIndex + length - 4, endianness: endianness, as: UInt32.self)!
        guard trailer == UInt32(length) else {
            throw CaptureError(.malformed, at: start, "block lengths differ: \(length) then \(trailer)")
        }
        block.moveReaderIndex(forwardBy: 8)
        return (type, block.getSlice(at: block.readerIndex, length: length - 12)!, start)
    }

    private func sectionEndianness(at start: UInt64) throws(CaptureError) -> Endianness {
        switch reader.peek(at: 8, .big, as: UInt32.self)! {
        case Self.byteOrderMagic: return .big
        case Self.byteOrderMagic.byteSwapped: return .little
        default: throw CaptureError(.malformed, at: start + 8, "section header byte-order magic is invalid")
        }
    }

    private mutating func packet(
        type: UInt32, body: ByteBuffer, at start: UInt64
    ) throws(CaptureError)
        -> CapturePacket?
    {
        switch type {
        case Self.sectionHeaderType:
            try startSection(body: body, at: start)
        case 1:
            guard interfaces.count < Self.maximumInterfaces else {
                throw CaptureError(
                    .tooManyInterfaces, at: start, "more than \(Self.maximumInterfaces) interfaces in one section")
            }
            interfaces.append(try PcapNGInterface.parse(body: body, endianness: endianness, at: start))
        case 6:
            return try timedPacket(body: body, obsolete: false, at: start)
        case 3:
            return try simplePacket(body: body, at: start)
        case 2:
            return try timedPacket(body: body, obsolete: true, at: start)
        default:
            break  // Name resolution, statistics, secrets, custom blocks: not needed for reassembly.
        }
        return nil
    }

    private mutating func startSection(body: ByteBuffer, at start: UInt64) throws(CaptureError) {
        guard let major = body.getInteger(at: body.readerIndex + 4, endianness: endianness, as: UInt16.self) else {
            throw CaptureError(.malformed, at: start, "section header block too short")
        }
        guard major == 1 else { throw CaptureError(.unsupportedVersion, at: start, "pcapng major version \(major)") }
        interfaces.removeAll(keepingCapacity: true)
    }

    /// Enhanced Packet Blocks have a 32-bit interface ID; the obsolete Packet Block a 16-bit one and a drop count.
    private mutating func timedPacket(
        body: ByteBuffer, obsolete: Bool, at start: UInt64
    ) throws(CaptureError)
        -> CapturePacket?
    {
        var body = body
        let interfaceID: UInt32? =
            obsolete
            ? body.readInteger(endianness: endianness, as: UInt16.self).map { UInt32($0) }
            : body.readInteger(endianness: endianness, as: UInt32.self)
        if obsolete { _ = body.readInteger(endianness: endianness, as: UInt16.self) }
        guard let interfaceID, let high = body.readInteger(endianness: endianness, as: UInt32.self),
            let low = body.readInteger(endianness: endianness, as: UInt32.self),
            let captured = body.readInteger(endianness: endianness, as: UInt32.self),
            let original = body.readInteger(endianness: endianness, as: UInt32.self)
        else { throw CaptureError(.malformed, at: start, "packet block too short") }
        return try makePacket(
            interfaceID: Int(interfaceID), ticks: UInt64(high) << 32 | UInt64(low), captured: Int(captured),
            original: Int(original), data: body, at: start)
    }

    private mutating func simplePacket(body: ByteBuffer, at start: UInt64) throws(CaptureError) -> CapturePacket? {
        var body = body
        guard let original = body.readInteger(endianness: endianness, as: UInt32.self), let interface = interfaces.first
        else { throw CaptureError(.malformed, at: start, "simple packet block without interface 0 or length") }
        // The captured length is implied: the original length, cut by the snap length and the block's size.
        var captured = min(Int(original), body.readableBytes)
        if interface.snapLength > 0 { captured = min(captured, Int(interface.snapLength)) }
        packetCount += 1
        return CapturePacket(
            number: packetCount, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0),
            linkType: interface.linkType, interfaceIndex: 0, originalLength: Int(original),
            data: body.getSlice(at: body.readerIndex, length: captured)!, fileOffset: start)
    }

    private mutating func makePacket(
        interfaceID: Int, ticks: UInt64, captured: Int, original: Int, data: ByteBuffer, at start: UInt64
    ) throws(CaptureError) -> CapturePacket {
        guard interfaceID < interfaces.count else {
            throw CaptureError(
                .malformed, at: start, "packet names interface \(interfaceID), section has \(interfaces.count)")
        }
        guard captured <= data.readableBytes else {
            throw CaptureError(.malformed, at: start, "captured length \(captured) overruns its block")
        }
        let interface = interfaces[interfaceID]
        packetCount += 1
        return CapturePacket(
            number: packetCount, timestamp: interface.timestamp(ticks: ticks), linkType: interface.linkType,
            interfaceIndex: interfaceID, originalLength: max(original, captured),
            data: data.getSlice(at: data.readerIndex, length: captured)!, fileOffset: start)
    }
}
