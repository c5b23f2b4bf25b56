import NIOCore

/// Reads the classic libpcap format: a 24-byte file header, then 16-byte record headers each followed by data.
///
/// Both byte orders and both timestamp precisions (magic `a1b2c3d4` for microseconds, `a1b23c4d` for
/// nanoseconds) are accepted.
package struct PcapReader: PacketRecordReader {
    static let microsecondMagic: UInt32 = 0xA1B2_C3D4
    static let nanosecondMagic: UInt32 = 0xA1B2_3C4D

    private var reader: BufferedByteReader
    private let limits: CaptureReaderLimits
    private let endianness: Endianness
    private let nanosecondsPerTick: UInt32
    /// The link type named in the file header.
    package let linkType: LinkType
    /// The snap length named in the file header.
    package let snapLength: UInt32
    /// libpcap's largest snap length for most link types (`MAXIMUM_SNAPLEN`).
    static let largestSnapLength = 262_144
    /// The largest captured length a record may claim: the snap length, or libpcap's largest if that is
    /// more. libpcap reads a record over the file's snap length (the header names a smaller snap length
    /// than the capture used) up to the link type's largest, so this reader does too, keeping all its bytes.
    private let largestRecord: Int
    private var packetCount = 0

    /// Reads the file header from `reader`.
    package init(reader: BufferedByteReader, limits: CaptureReaderLimits) throws(CaptureError) {
        var reader = reader
        try reader.require(24, at: 0, "pcap file header")
        let magic = reader.peek(at: 0, .big, as: UInt32.self)!
        switch magic {
        case Self.microsecondMagic, Self.nanosecondMagic: endianness = .big
        case Self.microsecondMagic.byteSwapped, Self.nanosecondMagic.byteSwapped: endianness = .little
        default: throw CaptureError(.unknownFormat, at: 0, "not a pcap magic number")
        }
        let nanosecond = magic == Self.nanosecondMagic || magic == Self.nanosecondMagic.byteSwapped
        nanosecondsPerTick = nanosecond ? 1 : 1000
        let major = reader.peek(at: 4, endianness, as: UInt16.self)!
        guard major == 2 else { throw CaptureError(.unsupportedVersion, at: 4, "pcap major version \(major)") }
        snapLength = reader.peek(at: 16, endianness, as: UInt32.self)!
        largestRecord = max(Int(snapLength), Self.largestSnapLength)
        // The top bits of the link type field carry FCS information (LT_FCS_DATAMASK); the type is the low 26.
        linkType = LinkType(rawValue: reader.peek(at: 20, endianness, as: UInt32.self)! & 0x03FF_FFFF)
        _ = reader.take(24)
        self.reader = reader
        self.limits = limits
    }

    /// Reads the next record.
    package mutating func next() throws(CaptureError) -> CapturePacket? {
        let start = reader.offset
        guard try reader.fill(16) else {
            if reader.bufferedCount == 0 { return nil }
            throw CaptureError(
                .truncatedFile, at: start, "record header needs 16 bytes, \(reader.bufferedCount) remain")
        }
        let seconds = reader.unsafePeek32(at: 0, endianness)
        let fraction = reader.unsafePeek32(at: 4, endianness)
        let captured = Int(reader.unsafePeek32(at: 8, endianness))
        let original = Int(reader.unsafePeek32(at: 12, endianness))
        guard captured <= limits.maxRecordBytes else {
            throw CaptureError(
                .recordTooLarge, at: start, "record of \(captured) bytes, limit \(limits.maxRecordBytes)")
        }
        // Checked before buffering, wherever the file ends: a length no capture can have is damage.
        guard captured <= largestRecord else {
            throw CaptureError(
                .malformed, at: start,
                "record of \(captured) bytes, over both the snap length \(snapLength) and libpcap's largest "
                    + "snap length \(Self.largestSnapLength)")
        }
        guard fraction < 1_000_000_000 / nanosecondsPerTick else {
            throw CaptureError(.malformed, at: start + 4, "timestamp fraction \(fraction) out of range")
        }
        guard try reader.fill(16 + captured) else {
            throw CaptureError(
                .truncatedFile, at: start, "record needs \(16 + captured) bytes, \(reader.bufferedCount) remain")
        }
        reader.skip(16)
        packetCount += 1
        return CapturePacket(
            number: packetCount,
            timestamp: CaptureTimestamp(seconds: Int64(seconds), nanoseconds: fraction * nanosecondsPerTick),
            linkType: linkType, interfaceIndex: 0, originalLength: max(original, captured),
            data: reader.take(captured), fileOffset: start)
    }
}
